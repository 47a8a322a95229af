"""try/except/finally, with statements, exceptions being handled, chaining."""


class AppError(Exception):
    def __init__(self, message, code):
        super().__init__(message, code)
        self.code = code


class Resource:
    def __init__(self, name):
        self.name = name
        self.log = []

    def __enter__(self):
        self.log.append("enter")
        print("enter", self.name)
        return self

    def __exit__(self, kind, value, tb):
        self.log.append("exit")
        print("exit", self.name, kind.__name__ if kind else None)  #@capture 2
        return kind is KeyError


def risky(n):
    if n % 3 == 0:
        raise AppError(f"bad {n}", n)
    return n


results = []
for n in range(1, 7):
    try:
        results.append(risky(n))
        print("ok", n)  #@capture 2
    except AppError as error:
        print("handling", error.args[0])  #@capture 1
        results.append(-error.code)
    finally:
        print("finally", n)  #@capture 3

try:
    try:
        raise ValueError("inner")
    except ValueError as inner:
        print("inner handler")  #@capture
        raise AppError("outer", 99) from inner
except AppError as outer:
    print("caught", outer.args, type(outer.__cause__).__name__, outer.code)

with Resource("r1") as res:
    print("inside with", res.name)  #@capture
    res.log.append("body")
with Resource("r2"):
    raise KeyError("suppressed")
print("logs", res.log)


def reraise():
    try:
        raise RuntimeError("again")
    except RuntimeError:
        print("about to re-raise")  #@capture
        raise


try:
    reraise()
except RuntimeError as exc:
    print("re-raised", exc)
print("results", results)
