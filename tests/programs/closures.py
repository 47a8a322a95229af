"""Closures sharing cells, lambdas, bound methods, functools.partial."""
import functools


def make_counter(start):
    count = start

    def increment(step=1):
        nonlocal count
        count += step
        return count

    def read():
        return count

    return increment, read


inc, read = make_counter(10)
adders = [lambda x, k=k: x + k for k in range(3)]
later = []
for i in range(3):
    later.append(lambda i=i: i * 100)


def outer():
    secret = ["s"]

    def inner():
        secret.append(len(secret))
        print("inner sees", secret)  #@capture 1,2
        return secret

    inner()
    inner()
    return inner


kept = outer()
inc()
print("counter", read())  #@capture
inc(5)
print("counter", read(), "adders", [a(1) for a in adders], [f() for f in later])
twice = functools.partial(lambda a, b: a * b, 2)
print("partial", twice(21))  #@capture


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self, other):
        return f"{self.name} greets {other}"


bound = Greeter("ann").greet
print(bound("bob"))  #@capture
print("kept", kept())
inc(100)
print("shared cell", read(), inc.__closure__[0] is read.__closure__[0])
