"""Runs a second thread while it ticks, until the file named by its argument exists."""
import os
import sys
import threading
import time

stop = threading.Event()
worker = threading.Thread(target=stop.wait, name="worker", daemon=True)
worker.start()
n = 0
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
    print("tick", n, flush=True)
    n += 1
stop.set()
