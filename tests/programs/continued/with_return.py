# Issue 10, defect 1: a frame leaving a `with` block through `return` (pathlib's
# read_text has this shape) has the return value on its stack at the `with` line.
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "with_return.py")


def load(path):
    with open(path) as f:  # LOAD-LINE
        return f.read()


def main():
    size = 0
    for n in range(60):
        size += len(load(PATH))
        if n % 10 == 0:
            print(n, size)
    print("done", size)


main()
