# Issue 10: a frame of a function with positional-only parameters (dataclasses.dataclass
# has `cls=None, /, *, init=True, ...`, met when a capture asked for in a @dataclass
# class body waits for the next safe point). bytecode's argnames counts them twice, so
# the resume code took the first local for a parameter: UnboundLocalError '.fm_kw'.
from dataclasses import dataclass


def probe(x):
    return x


def deco(cls=None, /, *, init=True, eq=False):
    def wrap(c):
        return (c, init, eq)
    x = probe(1)  # CAPTURE
    return wrap(cls), x


@dataclass
class Point:
    x: int
    y: int


for i in range(3):
    print(deco(i, init=i), Point(i, probe(i + 1)))
print("done")
