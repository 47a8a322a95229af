"""Reads a file slowly, as `tail -f` does, until a line says "stop": the file is open
when it is moved."""
import sys
import time

handle = open(sys.argv[1])
while True:
    line = handle.readline()
    if not line:  # at its end for now: the writer may add more
        time.sleep(0.05)
        continue
    if line.strip() == "stop":
        break
    print("read", line.strip(), flush=True)
    time.sleep(0.1)
print("end of file")
