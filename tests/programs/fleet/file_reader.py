"""Reads a file slowly: the file is open when it is moved."""
import sys
import time

handle = open(sys.argv[1])
while True:
    line = handle.readline()
    if not line:
        break
    print("read", line.strip(), flush=True)
    time.sleep(0.1)
print("end of file")
