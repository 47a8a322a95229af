"""Pint: unit-aware engineering calculations with conversions and dimensional checks."""

import random

import pint

ureg = pint.UnitRegistry()
Q = ureg.Quantity
rng = random.Random(67)
for step in range(120):
    distance = Q(rng.uniform(1, 500), "km")
    duration = Q(rng.uniform(0.5, 6), "hour")
    speed = (distance / duration).to("m/s")
    mass = Q(rng.uniform(500, 3000), "kg")
    energy = (0.5 * mass * speed ** 2).to("kWh")
    power = (energy / Q(rng.uniform(1, 60), "s")).to("hp")
    pressure = Q(rng.uniform(1, 10), "bar").to("psi")
    temp = Q(rng.uniform(-20, 40), ureg.degC).to("degF")
    density = (mass / Q(rng.uniform(1, 5), "m**3")).to("lb/ft**3")
    try:
        (distance + mass)
        mismatch = False
    except pint.DimensionalityError:
        mismatch = True
    compact = Q(rng.uniform(1e-9, 1e9), "J").to_compact()
    print(f"step {step}: {speed:.3f~P} {energy:.4f~P} {power:.2f~P} {pressure:.3f~P} "
          f"{temp:.2f~P} {density:.3f~P} mismatch {mismatch} {compact:.3g~P} "
          f"dims {speed.dimensionality}", flush=True)
print("done", flush=True)
