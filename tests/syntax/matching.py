# ruff: noqa
"""match statements: literal, capture, wildcard, value, sequence, mapping, class, or, as
and guard patterns, over subjects computed by calls."""
import enum
from dataclasses import dataclass


def probe(x):
    return x


class Color(enum.Enum):
    RED = 1
    GREEN = 2


@dataclass
class Point:
    x: int
    y: int


class Pair:
    __match_args__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def __repr__(self):
        return f"Pair({self.left!r}, {self.right!r})"


def classify(subject):
    match probe(subject):
        case 0 | 1:
            return "zero or one"
        case None:
            return "none"
        case "text" | b"bytes" as literal:
            return f"literal {literal!r}"
        case int(n) if n > probe(10):
            return f"big int {n}"
        case int() | float() as number:
            return f"number {number}"
        case Color.RED:
            return "red"
        case Color():
            return "other color"
        case [x, y, *rest] if len(rest) < probe(3):
            return f"seq {x} {y} {rest}"
        case [_, _, *_]:
            return "long seq"
        case (first,):
            return f"one-tuple {first}"
        case {"kind": "point", "x": px, **others}:
            return f"mapping point {px} {sorted(others)}"
        case {"kind": str(kind)}:
            return f"mapping kind {kind}"
        case Point(x=0, y=yy):
            return f"point on y axis {yy}"
        case Point(x=xx, y=yy) if xx == probe(yy):
            return "point on diagonal"
        case Point():
            return "some point"
        case Pair(Point(x=a), [b, *_]) | Pair(b, Point(y=a)):
            return f"pair {a} {b}"
        case Pair(left, right):
            return f"plain pair {left} {right}"
        case str() as s if (
                len(s) > 3
                and probe(s[0]) == "l"):
            return "long l-string"
        case _:
            return "something else"


def dispatch(command):
    match command.split():
        case ["go", ("north" | "south") as direction]:
            return f"going {direction}"
        case ["take", item, *more]:
            return f"take {item} +{len(more)}"
        case ["quit" | "exit"]:
            return "bye"
        case []:
            return "empty"
        case _:
            return "unknown"


SUBJECTS = [0, 1, None, "text", b"bytes", 42, 7, 2.5, Color.RED, Color.GREEN, [1, 2],
            [1, 2, 3, 4, 5, 6], (9,), {"kind": "point", "x": 3, "y": 4, "z": 5},
            {"kind": "line"}, Point(0, 5), Point(3, 3), Point(1, 2),
            Pair(Point(7, 0), [8, 9]), Pair(6, Point(1, 5)), Pair("l", "r"), "long",
            "lost", "x", object]

for rnd in range(3):
    print("round", rnd)
    for index, subject in enumerate(SUBJECTS):
        if (index + rnd) % 2 == 0 or rnd == 0:
            label = subject.__name__ if isinstance(subject, type) else subject
            print("classify", label, "->", classify(subject))
    for command in ("go north", "go west", "take lamp key", "quit", "", "exit now"):
        print("dispatch", repr(command), dispatch(probe(command)))
    match rnd, probe(rnd % 2):
        case (0, _):
            print("first round")
        case (_, 1) as odd:
            print("odd round", odd)
        case _:
            print("later round")
print("done")
