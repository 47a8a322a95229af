# ruff: noqa
"""f-strings over several lines (nested, format specs, conversions, `=`), other string
formatting, and comprehensions of every kind: list, set, dict, generator, nested, with
conditions, with several for clauses, with walrus, in calls."""


def probe(x):
    return x


def fstrings(rnd):
    name, value, width = "pi", 3.14159 + rnd, 10
    items = {"a": 1, "b": [2, 3]}
    print(f"{name}={value:.3f}", f"{probe(name)!r:>{width}}", f"{value=}",
          f"{probe(value) = :.2f}", f"{name!s}{name!a}", f"{'nested ' + f'{rnd:03d}'}")
    print(f"{items['a']} {items['b'][probe(1)]} {{literal}} {len(items):#x}"
          f" {probe(rnd) + 1:+d}"
          f" {'yes' if probe(rnd) else 'no'}")
    report = f"""report {rnd}:
  total={sum(
      probe(v) for v in range(4)
  ):>6}
  names={', '.join(
      sorted(items))}
  ratio={value / (
      rnd + 1):.{probe(2)}f}"""
    print(report)
    print(
        f"{probe(name):^{width}}"
        f"|{value:{'<' if rnd else '>'}{width}.1f}|"
        f"{[probe(x) for x in range(rnd + 1)]}"
    )
    print("format", "{:>5}|{:<5}|{:^5}".format(probe(1), 2, 3), "%-4s|%4d" % ("ab", rnd),
          format(probe(255), "08b"), "{0[a]} {1.real}".format(items, probe(2j)))
    print("concat" " adjacent", "a" "b"
          "c", f"{rnd}" "x" f"{probe(rnd)}")


def comprehensions(rnd):
    data = list(range(probe(6) + rnd))
    squares = [x * x for x in data]
    evens = [x for x in data if x % 2 == 0 if probe(x) > 0]
    pairs = [(x, y) for x in range(3) for y in range(probe(x) + 1) if (x + y) % 2]
    matrix = [[probe(r) * 3 + c for c in range(3)] for r in range(2)]
    flat = [v for row in matrix for v in row if v % probe(2)]
    unique = {x % probe(3) for x in data}
    index = {str(x): x * 2 for x in data if x < probe(4)}
    inverted = {v: k for k, v in index.items()}
    total = sum(x for x in data if probe(x) % 2)
    any_big = any(probe(x) > 4 for x in data)
    gen = (x * 2 for x in probe(data))
    nested_gen = list((y for y in range(x)) for x in range(3))
    walrused = [(y, y * 2) for x in data if (y := probe(x) * 3) > 6]
    conditional = [x if x % 2 else -x for x in probe(data)]
    print("comprehensions", squares, evens, pairs, matrix, flat, sorted(unique), index,
          inverted, total, any_big, list(gen), [list(g) for g in nested_gen], walrused,
          y, conditional)
    print("multi-line", [
        probe(a) + b
        for a in range(2)
        if a >= 0
        for b in range(
            3)
        if probe(b) != 1
    ], {
        k: [
            v for v in range(k) if v
        ]
        for k in range(probe(4))
    }, sorted(
        x for x in {probe(3), 1, 2}
        if x
    ))


for rnd in range(3):
    print("round", rnd)
    fstrings(rnd)
    comprehensions(rnd)
print("done")
