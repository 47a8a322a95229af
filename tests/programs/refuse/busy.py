"""A tight CPU-bound loop: a capture must stop it within a few milliseconds."""
import sys

n = total = 0
while True:
    n += 1
    total = (total + n * n) % 1000003
    if n % 2_000_000 == 0:
        print("progress", n, total, flush=True)
    if n == int(sys.argv[1]):
        break
print("done", n, total)
