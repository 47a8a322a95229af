"""Fuzz seed: control flow on the stack — generators, with blocks, handlers, comprehensions."""
import contextlib


def numbers(limit):
    for n in range(limit):
        received = yield n
        if received:
            yield -received


@contextlib.contextmanager
def section(log, name):
    log.append(f"enter {name}")
    try:
        yield name
    finally:
        log.append(f"exit {name}")


def nested(rows):
    return [[cell * 2 for cell in row if cell % 2] for row in rows]


def run(limit):
    log = []
    results = []
    source = numbers(limit)
    with section(log, "outer"):
        for value in source:
            try:
                if value % 7 == 3:
                    raise ValueError(value)
                results.append(sum(nested([[value, value + 1, value + 2]])[0]))
            except ValueError as error:
                with section(log, f"handler {error}"):
                    results.append(-1)
    pending = (x * x for x in results if x > 0)
    first = next(pending)
    return first, sum(pending), len(log)


print(run(30))
