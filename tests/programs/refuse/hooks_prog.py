"""on_restore: callbacks run on the target before the program continues."""
import time

import framemig

state = {"camera": "open", "reopened": 0}


@framemig.on_restore
def reopen():
    state["camera"] = "open"
    state["reopened"] += 1


for n in range(30):
    time.sleep(0.05)
    print("frame", n, state["camera"], flush=True)
print("reopened", state["reopened"])
