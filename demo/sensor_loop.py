"""A sensor loop of the kind framemig is for: read, compute, sleep, forever (here: 40 times).

Run it plainly (`python demo/sensor_loop.py`) or under framemig; the output is the same,
however many times it is captured and moved in between.
"""
import time


class Smoother:
    """Exponential moving average, with a history of alarms."""

    def __init__(self, alpha):
        self.alpha = alpha
        self.value = None
        self.alarms = []

    def feed(self, sample, n):
        self.value = sample if self.value is None else self.alpha * sample + (1 - self.alpha) * self.value
        if sample - self.value > 20:
            self.alarms.append(n)
        return self.value


def readings(count):
    """A synthetic sensor: a slow wave with a spike every 13th sample."""
    for n in range(count):
        time.sleep(0.05)
        yield n, 50 + (n * 7) % 23 + (40 if n % 13 == 12 else 0)


smoother = Smoother(0.3)
for n, sample in readings(40):
    level = smoother.feed(sample, n)
    print(f"sample {n:2d}  raw {sample:3d}  smooth {level:6.2f}  alarms {smoother.alarms}",
          flush=True)
print("done: alarms at", smoother.alarms)
