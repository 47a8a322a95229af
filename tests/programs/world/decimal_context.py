"""decimal's context travels: after a restore the precision fell back to 28 digits."""
import decimal

decimal.getcontext().prec = 40
decimal.getcontext().rounding = decimal.ROUND_DOWN
decimal.getcontext().traps[decimal.Inexact] = False
total = decimal.Decimal(0)
for i in range(1, 4):
    total += decimal.Decimal(1) / decimal.Decimal(7 * i)
    print(i, total, decimal.getcontext().prec, decimal.getcontext().rounding,
          flush=True)  #@capture 2
