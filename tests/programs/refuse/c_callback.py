"""sorted() calls the program's key function: a C frame between two Python frames, where
no capture can be made. The first key says "sorting" and waits until the file named by
the argument exists."""
import os
import sys
import time


def slow_key(value):
    if value == 0:
        print("sorting", flush=True)
        while not os.path.exists(sys.argv[1]):
            time.sleep(0.05)
    return -value


print(sorted(range(20), key=slow_key))
