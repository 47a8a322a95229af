# Issue 10, found on third-party code: comprehensions seen from two versions (3.11 runs
# them in a frame of their own, 3.12+ inline them).
from collections import Counter


def rows(n):
    return list(range(n))  # IN-ITERABLE: the comprehension has not started yet


def split_rows(block):
    rows = [row.strip(" ") for row in block.split("\n")]  # COMP-LINE
    return rows


def letters(n):
    for i in range(n):
        yield "abc"[i % 3]  # UNDER-COUNTER: Counter.update (positional-only) drives it


def apply_all(items, key):
    return [key(x) for x in items]  # key is a cell of apply_all


def double(x):
    return x * 2  # IN-KEY


for i in range(4):
    print(i, [r * 2 for r in rows(4 + i)])
    print(i, split_rows("| a |\n| b |\n| c |\n| d |"))
    print(i, sorted(Counter(letters(5 + i)).items()))
    print(i, apply_all([1, 2, 3], key=double))
