"""Calls in progress: which call of f(g(x), h(y)) runs, methods, keywords, recursion."""


def g(x):
    return x * 2


def h(y):
    print("in h", y)  #@capture 1,2
    return y + 1


def f(a, b, *rest, scale=1, **extra):
    return (a + b + sum(rest)) * scale + len(extra)


class Calc:
    def __init__(self, base):
        self.base = base

    def add(self, value):
        print("add", value)  #@capture
        return self.base + value


def fact(n):
    if n <= 1:
        print("bottom")  #@capture
        return 1
    return n * fact(n - 1)


def deep(n):
    if n == 0:
        print("deep bottom")  #@capture
        return 0
    return 1 + deep(n - 1)


print("f", f(g(3), h(4)))
print("nested", f(g(1), h(g(h(2))), 7, 8, scale=3, flag=True))
calc = Calc(100)
print("method", calc.add(h(5)) + calc.add(1))
args = (1, 2, 3)
kwargs = {"scale": 2}
print("star", f(*args, **kwargs) + h(9))
print("fact", fact(12))
print("deep", deep(400))
values = [h(i) for i in range(3)]
print("values", values)
