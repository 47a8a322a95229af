"""uncertainties: error propagation through a lab data reduction."""

import math
import random

from uncertainties import ufloat, umath

rng = random.Random(71)
for step in range(200):
    readings = [ufloat(rng.gauss(10, 1), rng.uniform(0.05, 0.5)) for _ in range(100)]
    mean = sum(readings) / len(readings)
    spread = umath.sqrt(sum((r - mean) ** 2 for r in readings) / (len(readings) - 1))
    angle = ufloat(rng.uniform(0.1, 1.4), 0.01)
    length = ufloat(rng.uniform(1, 3), 0.02)
    height = length * umath.sin(angle) + umath.log(mean) * umath.cos(angle)
    g = 4 * math.pi ** 2 * length / ufloat(rng.uniform(2, 3), 0.01) ** 2
    a = ufloat(1.0 + step, 0.3)
    b = a * 0.25 + ufloat(2.0, 0.4)
    ratio = a / b + a * b - a
    print(f"step {step}: mean {mean:.2uP} spread {spread:.3f} height {height:.2u} "
          f"g {g:.3uS} ratio {ratio:.2u} deriv {height.derivatives[angle]:.6f}", flush=True)
print("done", flush=True)
