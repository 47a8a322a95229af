"""A worker thread runs beside the main one: a capture refuses it at once, naming it."""
import os
import sys
import threading
import time

stop = sys.argv[1]


def worker():
    while not os.path.exists(stop):
        time.sleep(0.01)


thread = threading.Thread(target=worker, name="poller")
thread.start()
n = 0
while not os.path.exists(stop):
    print("tick", n, flush=True)
    n += 1
    time.sleep(0.05)
thread.join()
print("done", flush=True)
