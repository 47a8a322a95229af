"""A long, slow loop: long enough to be paused and moved around."""
import sys
import time

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 80
total = 0
for n in range(steps):
    total += n * n
    print("step", n, total, flush=True)
    time.sleep(0.05)
print("done", total)
