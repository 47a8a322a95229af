"""A loop that sleeps, several calls deep: captured at random moments by the tests."""
import time


def read_sensor(n):
    time.sleep(0.02)
    return (n * 37) % 101


def process(n):
    value = read_sensor(n)
    time.sleep(0.01)
    return value * 2


total = 0
for n in range(25):
    total += process(n)
    print("reading", n, total, flush=True)
print("done", total)
