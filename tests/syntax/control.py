# ruff: noqa
"""Loops with else/break/continue and nested unpacking targets, with statements of several
items, try/except/else/finally, except* with groups, raise from, assert, return inside with
and finally, pass."""


def probe(x):
    return x


class Ctx:
    def __init__(self, name, value=None):
        self.name = name
        self.value = value

    def __enter__(self):
        print("enter", self.name)
        return self.value if self.value is not None else self

    def __exit__(self, kind, exc, tb):
        print("exit", self.name, kind.__name__ if kind else None)
        return self.name == "swallow"

    def __repr__(self):
        return f"Ctx({self.name})"


def loops(rnd):
    pairs = [(([1, 2, 3], 4, 5), ([6, 7, 8], 9, 10)),
             (([rnd, 0, 1], 2, 3), ([4, 5, 6], 7, 8))]
    for (([x1, y1, z1], v1, m1), ([x2, y2, z2], v2, m2)) in pairs:
        print("nested", x1 + y1 + z1, v1 * m1, x2 * y2 - z2, probe(v2) + m2)
    for i, (a, *rest) in enumerate(probe([(1, 2, 3), (4,), (5, 6)])):
        print("starred target", i, a, rest)
    for key, [lo, hi] in {"a": [1, 2], "b": [3, 4]}.items():
        print("pair", key, lo + probe(hi))
    found = None
    for n in range(2, 10 + rnd):
        for d in range(2, n):
            if n % probe(d) == 0:
                break
        else:
            found = n
            continue
        if n > probe(7) + 3 * rnd:
            break
    else:
        print("loop finished")
    print("last prime", found)
    n, steps = 27 + rnd, 0
    while probe(n) != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
        if steps > 100 + rnd * 50:
            break
    else:
        print("collatz", steps)
    k = 0
    while True:
        k += 1
        if k % 2:
            continue
        if k >= probe(6):
            break
        pass
    print("while true", k)


def withs(rnd):
    with Ctx("a") as a, probe(Ctx("b", (1, 2))) as (b1, b2), Ctx("c"):
        print("inside", a, b1, b2)
    with (
        Ctx("p") as p,
        probe(Ctx("q", [rnd])) as q,
    ):
        print("parenthesised", p, q)
    with Ctx("swallow"), Ctx("inner"):
        raise ValueError("swallowed")
    with Ctx("plain"):
        pass
    print("after withs")


def read_with(ctx):
    with ctx as value:
        return probe(value)


def return_in_finally(rnd):
    try:
        if rnd >= 0:
            raise ValueError(rnd)
    finally:
        return probe("finally wins")


def trys(rnd):
    for case in range(4):
        try:
            if case == 0:
                value = probe(10) // (rnd - rnd)
            elif case == 1:
                value = {"k": 1}[probe("missing")]
            elif case == 2:
                value = int(probe("x1"))
            else:
                value = probe(case)
        except ZeroDivisionError:
            print("zero division", case)
        except (KeyError, IndexError) as exc:
            print("lookup", type(exc).__name__, exc.args)
        except Exception as exc:
            print("other", type(exc).__name__)
        else:
            print("no exception", value)
        finally:
            print("finally", case)
    try:
        try:
            {}[probe("inner")]
        except KeyError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as err:
        print("raise from", type(err.__cause__).__name__, err.__suppress_context__)
    try:
        try:
            raise KeyError("k")
        except KeyError:
            raise TypeError("no context") from None
    except TypeError as err:
        print("from None", err.__cause__, err.__suppress_context__)
    try:
        try:
            raise ValueError("again")
        except ValueError:
            print("re-raise")
            raise
    except ValueError as err:
        print("caught again", err)


def groups(rnd):
    try:
        raise ExceptionGroup("grp", [ValueError(1), TypeError(2), KeyError(probe(3))])
    except* ValueError as eg:
        print("except* value", [str(e) for e in eg.exceptions])
    except* (TypeError, KeyError) as eg:
        print("except* type/key", sorted(type(e).__name__ for e in eg.exceptions))
    try:
        try:
            raise ExceptionGroup("outer", [OSError("disk"),
                                           ExceptionGroup("inner", [ValueError(rnd)])])
        except* OSError:
            print("except* os")
    except* ValueError as rest:
        print("except* reraised", rest.exceptions[0].exceptions[0].args)


def asserts(rnd):
    assert probe(rnd) >= 0, "negative"
    assert rnd < 10
    try:
        assert probe(rnd) < 0, f"round {rnd} is not negative"
    except AssertionError as err:
        print("assert", err)


for rnd in range(3):
    print("round", rnd)
    loops(rnd)
    withs(rnd)
    print("read_with", read_with(Ctx("r", probe(rnd) + 1)))
    print("return_in_finally", return_in_finally(rnd))
    trys(rnd)
    groups(rnd)
    asserts(rnd)
print("done")
