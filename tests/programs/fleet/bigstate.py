"""A program with a big state, so that moving it takes a while; it ticks until told to
stop (``bigstate.py STOPFILE``, or ``bigstate.py N`` for N ticks, as counter.py)."""
import os
import sys
import time


def told_to_stop(ticks):
    until = sys.argv[1]
    return ticks >= int(until) if until.isdigit() else os.path.exists(until)


state = [{"n": n, "text": "x" * 40, "values": [n, n + 1]} for n in range(150_000)]
n = 0
while not told_to_stop(n):
    state[n % len(state)]["n"] += 1
    print("tick", n, sum(item["n"] for item in state[:100]), flush=True)
    n += 1
    time.sleep(0.05)
