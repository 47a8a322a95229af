"""Fuzz seed: values of many shapes, shared and cyclic, in globals, locals and cells."""
import collections
import dataclasses
import datetime
import decimal
import enum
import fractions
import io


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


@dataclasses.dataclass
class Point:
    x: float
    y: float

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5


class Node:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.children = []


shared = [1, 2.5, "three", None, True, b"four", (5, 6), {7, 8}, frozenset({9})]
table = {"shared": shared, "again": shared, 10: Colour.RED, (1, 2): Point(1.0, 2.0)}
root = Node("root")
root.children.append(Node("leaf", root))
cycle = []
cycle.append(cycle)
counts = collections.Counter("abracadabra")
queue = collections.deque([1, 2, 3], maxlen=5)
when = datetime.datetime(2024, 5, 17, 12, 30, tzinfo=datetime.timezone.utc)
money = decimal.Decimal("12.50") + fractions.Fraction(1, 3).numerator
buffer = io.StringIO("line one\nline two\n")
buffer.readline()


def make_counter(start):
    count = start

    def step(by=1):
        nonlocal count
        count += by
        return count
    return step


def work(rounds):
    counter = make_counter(10)
    squares = {n: n * n for n in range(5)}
    total = 0
    for n in range(rounds):
        point = Point(n, n + 1)
        total += counter() + squares[n % 5] + int(point.norm())
        queue.append(total)
    return total


print(work(40), len(counts), list(queue), money, when.year, buffer.readline().strip())
print(root.children[0].parent is root, table["again"] is shared, cycle[0] is cycle)
