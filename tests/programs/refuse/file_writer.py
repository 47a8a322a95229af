"""Writes to a file in the directory given while it ticks, until the file named by its
second argument exists."""
import os
import sys
import time

log = open(os.path.join(sys.argv[1], "out.txt"), "w")
n = 0
while not os.path.exists(sys.argv[2]):
    log.write(f"line {n}\n")
    time.sleep(0.02)
    print("tick", n, flush=True)
    n += 1
log.close()
