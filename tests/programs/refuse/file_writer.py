import os
import sys
import time

log = open(os.path.join(sys.argv[1], "out.txt"), "w")
for n in range(200):
    log.write(f"line {n}\n")
    time.sleep(0.02)
    print("tick", n, flush=True)
log.close()
