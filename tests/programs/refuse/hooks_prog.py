"""on_restore: callbacks run on the target before the program continues.

It shows 30 frames, or, given a file name, frames until that file exists."""
import os
import sys
import time

import framemig

state = {"camera": "open", "reopened": 0}


@framemig.on_restore
def reopen():
    state["camera"] = "open"
    state["reopened"] += 1


def told_to_stop(n):
    return os.path.exists(sys.argv[1]) if len(sys.argv) > 1 else n >= 30


n = 0
while not told_to_stop(n):
    time.sleep(0.05)
    print("frame", n, state["camera"], flush=True)
    n += 1
print("reopened", state["reopened"])
