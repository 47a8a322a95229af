# ruff: noqa
"""Functions: decorators (with arguments, stacked), lambdas (in defaults too), defaults
holding comprehensions, every kind of parameter, multi-line calls with star and double-star
arguments, closures, recursion, imports inside functions, generators with yield, yield from,
send, throw and close."""
import functools


def probe(x):
    return x


def trace(label):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            print("trace", label, fn.__name__, probe(result))
            return result
        return wrapper
    return decorate


def twice(fn):
    def wrapper(*args, **kwargs):
        fn(*args, **kwargs)
        return fn(*args, **kwargs)
    return wrapper


def make_functions(rnd):
    @trace(probe("outer"))
    @twice
    @trace(label=f"inner{rnd}")
    def add(a, b=probe(2), /, c=3, *extra, d, e=lambda v, k=probe(4): v * k, **options):
        return a + b + c + sum(extra) + d + e(1) + len(options)

    def scale(values, factor=[probe(n) * 2 for n in range(3)],
              lookup={k: k * k for k in range(probe(3))},
              key=lambda item, limit=sorted({probe(1), 0}): item[limit[-1]]):
        return [v * f for v, f in zip(values, factor)], lookup, key("ab")

    return add, scale


def calls(rnd, add, scale):
    args = [probe(1), 2, 3]
    kwargs = {"d": probe(4), "extra_kw": True}
    print("call", add(
        *args,
        probe(5),
        *[6],
        **kwargs,
    ))
    print("call", add(1, d=probe(2)), add(1, 2, 3, 4, d=5, e=lambda v: v))
    print("scale", scale(
        [probe(rnd), 2,
         3],
    ))
    print(
        "nested call",
        max(
            probe(rnd),
            min(probe(8), abs(-probe(9))),
            key=lambda x: -x
        ),
        sorted(
            ["b", "a", probe("c")], reverse=probe(True)),
    )


def closures(rnd):
    def counter(start):
        count = start

        def step(by=1):
            nonlocal count
            count += probe(by)
            return count
        return step

    steps = counter(probe(rnd))
    step_values = [steps(), steps(2), steps(by=probe(3))]
    adders = [lambda x, n=n: x + n for n in range(3)]
    late = [lambda x: x + n for n in range(3)]
    compose = lambda f, g: lambda x: f(g(x))
    inc_then_double = compose(lambda x: x * 2, lambda x: probe(x) + 1)
    print("closures", step_values, [f(10) for f in adders], [f(10) for f in late],
          inc_then_double(rnd))


def factorial(n):
    return 1 if n <= 1 else n * factorial(probe(n - 1))


def fib(n, memo={}):
    if n in memo:
        return memo[n]
    memo[n] = result = n if n < 2 else fib(n - 1) + fib(probe(n - 2))
    return result


def imports(rnd):
    import math
    from collections import Counter as Tally, OrderedDict
    import os.path
    from itertools import (
        chain,
        islice,
    )
    tally = Tally("abracadabra"[: probe(rnd) + 5])
    print("imports", math.gcd(probe(12), 18), sorted(tally.items()),
          list(OrderedDict(z=1, a=2)), os.path.basename("/x/y.txt"),
          list(islice(chain([1, 2], probe([3, 4])), 3)))


def countdown(n):
    while n > 0:
        received = yield n
        if received:
            n -= probe(received)
        n -= 1
    return "liftoff"


def delegate(n):
    result = yield from countdown(probe(n))
    yield result
    try:
        yield "waiting"
    except KeyError as exc:
        yield f"thrown {exc.args[0]}"
    finally:
        print("delegate closed")


def pipeline(rnd):
    squares = (x * x for x in range(probe(5)) if x % 2 == 0)
    doubled = (probe(s) * 2 for s in squares)
    gen = delegate(5 + rnd)
    seen = [next(gen), gen.send(2), gen.send(None), next(gen)]
    seen += list(g for g in gen if g != "waiting")
    gen = delegate(1)
    first = [next(gen), next(gen), next(gen)]
    thrown = gen.throw(KeyError("boom"))
    gen.close()
    print("generators", list(doubled), seen, first, thrown)


def keywords_only(*, left, right=probe("r")):
    return left + right


def positional_only(a, b, /):
    return a * b


for rnd in range(3):
    print("round", rnd)
    add, scale = make_functions(rnd)
    calls(rnd, add, scale)
    closures(rnd)
    print("recursion", factorial(probe(rnd) + 4), fib(rnd + 10))
    imports(rnd)
    pipeline(rnd)
    print("params", keywords_only(left=probe("l")), positional_only(probe(rnd), 3))
print("done")
