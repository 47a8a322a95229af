"""A loop that sleeps, several calls deep: captured at random moments by the tests.

``sleeper.py`` takes 25 readings; ``sleeper.py N`` takes N; ``sleeper.py STOPFILE`` goes
on until that file exists."""
import os
import sys
import time


def read_sensor(n):
    time.sleep(0.02)
    return (n * 37) % 101


def process(n):
    value = read_sensor(n)
    time.sleep(0.01)
    return value * 2


def told_to_stop(n):
    until = sys.argv[1] if len(sys.argv) > 1 else "25"
    return n >= int(until) if until.isdigit() else os.path.exists(until)


total = 0
n = 0
while not told_to_stop(n):
    total += process(n)
    print("reading", n, total, flush=True)
    n += 1
print("done", total)
