"""A slow loop that runs until told to stop: long enough to be paused and moved around.

``counter.py STOPFILE`` counts until that file exists, appending its process id to
``STOPFILE.pids`` at each step (so a test can tell how many copies count: exactly one,
always); ``counter.py N`` counts N steps (how a test makes the output of an uninterrupted
run to compare with)."""
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
