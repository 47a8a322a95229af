"""Captured on 3.11 inside a comprehension's call, in a function with a variable a lambda
reads (a cell) that a later comprehension uses too (tabulate's width_fn): continued on
3.12+, where the comprehension is part of the function, the variable held the cell
itself ("'cell' object is not callable")."""


def work(n):
    total = 0
    for i in range(n):
        total += i  # CAPTURE
    return total


def table(items, pad, numalign="right"):
    width_fn = len
    shown = [str(h).rjust(work(5)) if numalign == "right" else str(h) for h in items]
    keep = lambda s: width_fn(s)  # noqa: E731
    widths = [width_fn(h) + pad for h in shown]
    return widths, keep("abc")


print(table([1, 22, 333], 2))
