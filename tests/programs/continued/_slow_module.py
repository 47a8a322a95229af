# Imported by importer.py: its import lasts until the file named by sys.argv[1] exists.
import os
import sys

print("inside the import", flush=True)
turns = 0
while sys.argv[1:] and not os.path.exists(sys.argv[1]):
    turns += 1
    for i in range(10000):
        turns += i % 3
VALUE = 42
