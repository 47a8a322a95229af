"""Captured at the start of a statement whose first work is a list comprehension over
two lines (docutils' StringList.trim_left): 3.11 begins it by making the comprehension's
function on the first line, 3.12+ inline the comprehension and begin with what it reads,
on the second ("no op instruction at line N", exit 72: the program was lost)."""
import sys


class Lines:
    def __init__(self, data):
        self.data = data

    def trim_left(self, length, start=0, end=sys.maxsize):
        self.data[start:end] = [line[length:]  # CAPTURE
                                for line in self.data[start:end]]


lines = Lines(["  ab", "  cd", "  ef"])
for n in range(3):
    lines.trim_left(1)
    print(n, lines.data, flush=True)
