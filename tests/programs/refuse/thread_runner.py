import threading
import time

stop = threading.Event()
worker = threading.Thread(target=stop.wait, name="worker", daemon=True)
worker.start()
for n in range(200):
    time.sleep(0.02)
    print("tick", n, flush=True)
stop.set()
