"""decimal's context travels: after a restore the precision fell back to 28 digits. A
localcontext() block in force at the capture keeps its context, and gives the program's
own back when it ends."""
import decimal

decimal.getcontext().prec = 40
decimal.getcontext().rounding = decimal.ROUND_DOWN
decimal.getcontext().traps[decimal.Inexact] = False
outer = decimal.getcontext()
total = decimal.Decimal(0)
for i in range(1, 4):
    total += decimal.Decimal(1) / decimal.Decimal(7 * i)
    with decimal.localcontext() as local:
        local.prec = 5 + i
        print(i, total + 0, decimal.getcontext() is local, flush=True)  #@capture 2
        local.rounding = decimal.ROUND_UP
        print(i, total * 1, decimal.getcontext().rounding, flush=True)
    print(i, total, decimal.getcontext().prec, decimal.getcontext().rounding,
          decimal.getcontext() is outer, flush=True)
