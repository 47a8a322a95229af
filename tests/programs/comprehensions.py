"""Comprehensions: a capture inside a function they call (inlined since CPython 3.12)."""


def work(x):
    print("work", x)  #@capture 1,2,4,6,8,11,12,13
    return x * x


squares = [work(x) for x in range(3)]
evens = {x: work(x) for x in range(4) if x % 2 == 0}
total = sum(work(x) for x in range(2))
nested = [[work(i + j) for j in range(2)] for i in range(2)]
x = "outer x"


def in_function():
    y = "local"
    return [work(n) for n in range(2)], y


print(squares, evens, total, nested, x, in_function())
