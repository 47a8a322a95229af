"""mpmath: arbitrary-precision constants, special functions, quadrature and roots."""

import mpmath
from mpmath import mp

mp.dps = 60
acc = mpmath.mpf(0)
for step in range(14):
    x = mpmath.mpf(step + 1) / 3
    values = [
        mpmath.zeta(2 + x),
        mpmath.gamma(x),
        mpmath.quad(lambda t, x=x: mpmath.exp(-t * t) * mpmath.cos(x * t), [0, mpmath.inf]),
        mpmath.findroot(lambda t, x=x: mpmath.cos(t) - x * t, 0.5),
        mpmath.besselj(step % 4, x * 5),
        mpmath.nsum(lambda k, x=x: 1 / (k ** 2 + x), [1, mpmath.inf]),
        mpmath.polylog(3, x / 10),
    ]
    acc += sum(values)
    print(f"step {step}: " + " ".join(mpmath.nstr(v, 25) for v in values), flush=True)
mp.dps = 400
print("pi", mpmath.nstr(mp.pi, 380)[-40:], flush=True)
print("acc", mpmath.nstr(acc, 50), flush=True)
