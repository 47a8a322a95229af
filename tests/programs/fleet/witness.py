"""The counter of counter.py that also says which process counts: each step appends the
process id to ``STOPFILE.pids``, so a test can tell how many copies of it run (exactly
one, always). Its output is counter.py's: ``witness.py N`` counts N steps."""
import os
import sys
import time


def told_to_stop(steps):
    until = sys.argv[1]
    return steps >= int(until) if until.isdigit() else os.path.exists(until)


total = 0
n = 0
while not told_to_stop(n):
    total += n * n
    print("step", n, total, flush=True)
    if not sys.argv[1].isdigit():
        with open(sys.argv[1] + ".pids", "a") as pids:
            pids.write(f"{os.getpid()}\n")
    n += 1
    time.sleep(0.05)
print("done", total)
