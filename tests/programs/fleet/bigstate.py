"""A program with a big state, so that moving it takes a while."""
import time

state = [{"n": n, "text": "x" * 40, "values": [n, n + 1]} for n in range(150_000)]
for n in range(200):
    state[n]["n"] += 1
    print("tick", n, sum(item["n"] for item in state[:100]), flush=True)
    time.sleep(0.05)
