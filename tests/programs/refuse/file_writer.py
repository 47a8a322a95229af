"""Writes to a pipe (a file with no path: it cannot be opened again elsewhere) while it
ticks, until the file named by its second argument exists."""
import os
import sys
import time

reading, writing = os.pipe()
log = os.fdopen(writing, "w")
n = 0
while not os.path.exists(sys.argv[2]):
    log.write(f"line {n}\n")
    log.flush()
    os.read(reading, 64)
    time.sleep(0.02)
    print("tick", n, flush=True)
    n += 1
log.close()
