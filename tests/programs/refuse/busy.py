"""A tight CPU-bound loop: a capture must stop it within a few milliseconds.

``busy.py STOPFILE`` runs until that file exists (it looks at every progress line);
``busy.py N`` stops at the first progress line at or past N."""
import os
import sys


def told_to_stop(n):
    until = sys.argv[1]
    return n >= int(until) if until.isdigit() else os.path.exists(until)


n = total = 0
while True:
    n += 1
    total = (total + n * n) % 1000003
    if n % 2_000_000 == 0:
        print("progress", n, total, flush=True)
        if told_to_stop(n):
            break
print("done", n, total)
