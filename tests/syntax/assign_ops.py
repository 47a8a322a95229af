# ruff: noqa
"""Assignments of every kind, walrus, del, global/nonlocal, literals and displays,
operators, chained comparisons, short-circuits, conditional expressions and slices."""
import sys


def probe(x):
    return x


class Grid:
    """Records what it is indexed with; supports @ and @=."""

    def __init__(self, value=0):
        self.value = value
        self.items = [0, 1, 2, 3, 4, 5]

    def __getitem__(self, key):
        return ("get", repr(key))

    def __matmul__(self, other):
        return Grid(self.value * probe(other))

    def __imatmul__(self, other):
        self.value = self.value * 10 + other
        return self


counter = 0
history: list = []


def bump(n):
    global counter
    counter += probe(n)
    return counter


def accumulate(limit):
    total = 0

    def add(k):
        nonlocal total
        total += probe(k)
        return total

    for k in range(limit):
        add(probe(k))
    return total


def targets(rnd):
    a = b = c = probe(rnd) + 1
    x, y = y0, x0 = probe(1), 2
    first, *middle, last = range(probe(rnd) + 3)
    (p, q), [r, s] = (1, 2), [probe(3), 4]
    [[i1, i2], *tail], k = [[5, 6], 7, 8], probe(9)
    grid = Grid(rnd)
    grid.value = probe(5) + rnd
    grid.items[probe(1)] = rnd
    grid.items[2:4] = [7, probe(8)]
    grid.items[::probe(2)] = (a, b, c)
    grid.items[-1], grid.value = grid.value, grid.items[-1]
    count: int = probe(3)
    pending: str
    grid.count: int = count
    print("targets", a, b, c, x, y, y0, x0, first, middle, last, p, q, r, s,
          i1, i2, tail, k, grid.value, grid.items, count, grid.count)
    return grid


def augmented(rnd, grid):
    n = 7 + rnd
    n += probe(3); n -= 1
    n *= probe(2); n //= 3; n %= 50; n **= 2
    bits = 0b1010; bits |= probe(0x1); bits &= 0o17
    bits ^= 1; bits <<= probe(2); bits >>= 1
    ratio = 9.0; ratio /= probe(4)
    text = "a"; text += "b" * probe(2)
    grid.items[0] += probe(10); grid.value -= 1
    grid @= probe(7)
    bigger = grid @ probe(2)
    print("augmented", n, bits, ratio, text, grid.items[0], grid.value, bigger.value)


def walrus(rnd):
    data = [3, 1, 4, 1, 5, 9, 2, 6][: rnd + 5]
    if (n := len(data)) > probe(5):
        print("walrus long", n)
    else:
        print("walrus short", n)
    chunks = []
    i = 0
    while (chunk := data[i:i + probe(3)]):
        chunks.append(sum(chunk))
        i += 3
    kept = [y for x in data if (y := probe(x) * 2) > 4]
    print("walrus", chunks, kept, y, (z := probe(rnd) + 1), z)


def deletes(rnd):
    grid = Grid(rnd)
    table = {"a": 1, "b": 2, "c": 3}
    seq = list(range(8))
    gone = "temporary"
    del grid.items[probe(0)]
    del table["b"], seq[1:probe(3)]
    del grid.value
    del gone
    print("deletes", grid.items, table, seq, hasattr(grid, "value"), "gone" in dir())


def literals(rnd):
    numbers = (1_000, 0x_ff, 0o17, 0b_101, 1e3, 2.5e-1, .5, 3., 1.5j, 10 ** -2)
    words = ("single", 'double', r"raw\n", b"bytes", rb"\x00", """triple""",
             '''also "triple"''', "\u00e9\N{BULLET}\x41")
    both = [*numbers[:probe(2)], *words[-2:]]
    merged = {"k": 1, **{"m": probe(2)}, **dict(n=3), "k2": rnd}
    uniq = sorted({*range(3), *[probe(2), 5]})
    nested = ([1, [2, (3, {4: "four"})]], {(1, 2): {"x"}}, (), (rnd,), [], {})
    print("literals", numbers, words, both, merged, uniq, nested, ..., Ellipsis is ...)


def operators(rnd):
    a, b = probe(17) + rnd, 5
    print("arith", a + b, a - b, a * b, a / b, a // b, a % b, -a // b, -a % b, a ** 2,
          2 ** -1, divmod(a, b), -a, +a, ~a, not a)
    print("bits", a & b, a | probe(b), a ^ b, a << 2, a >> probe(1), ~b & 0xFF)
    print("compare", a < b, a > b, a == b, a != b, a <= b, a >= probe(b),
          a is b, a is not None, b in (1, 5), probe(b) not in [5])
    lo, hi = 0, 10
    print("chained", lo <= probe(a) < hi, lo < b <= probe(hi) != a,
          1 < 2 < 3 > 2 >= 2 == 2, hi > a > b)
    empty, zero, some = [], 0, "x"
    print("bool", empty or probe(zero) or some, some and probe(a) and b,
          not empty and (zero or probe("fallback")), empty and probe("never"),
          probe(some) if a else "no")
    print("strings", "ab" * 3, "x" + "y", "%s-%05.1f-%r" % ("p", 3.14159, probe("q")),
          "{0}/{name}".format(1, name=probe("n")), "abc" < "abd", b"ab" + b"c")


def conditionals(rnd):
    for value in (probe(rnd), rnd + 3, rnd + 7):
        label = (
            "small" if probe(value) < 3
            else "medium"
            if value < probe(6)
            else "large"
        )
        sign = -1 if value < 0 else (
            0 if value == 0 else 1)
        print("conditional", value, label, sign)


def slices(rnd):
    seq = list(range(10 + rnd))
    text = "abcdefghij"
    grid = Grid()
    print("slices", seq[1:-1], seq[::-1], seq[probe(1):probe(8):probe(3)], seq[-3:],
          seq[:2], seq[:], text[::2], text[probe(-4):-1], seq[slice(2, 5)])
    print("extended", grid[1:2, ::3], grid[...], grid[probe(1):, 0], grid[:, None])


def concatenated(rnd):
    message = ("alpha "
               "beta "
               f"{probe(rnd)} "
               'gamma')
    joined = "one" \
        "two" \
        + str(probe(3))
    print("concatenated", message, joined)


for rnd in range(3):
    print("round", rnd)
    grid = targets(rnd)
    augmented(rnd, grid)
    walrus(rnd)
    deletes(rnd)
    literals(rnd)
    operators(rnd)
    conditionals(rnd)
    slices(rnd)
    concatenated(rnd)
    history.append(bump(probe(rnd)))
    print("globals", counter, history, accumulate(probe(rnd) + 2))

print("done", counter)
sys.exit(probe(3))
