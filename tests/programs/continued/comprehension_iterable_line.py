"""A comprehension over several lines whose iterable is on a line of its own
(uncertainties' ops.py): 3.13 starts the statement's line there, at ``enumerate``, where
3.11 is making the comprehension's function on the line before. That line event is not
a safe point: the capture waits until the comprehension loops ("no op instruction at
line N", exit 72, the program lost)."""


def wrap(args, cls):
    total = 0
    for k in range(2):
        total += k
    positions = [
        index for (index, value) in enumerate(args) if isinstance(value, cls)  # CAPTURE
    ]
    return positions, total


for n in range(3):
    print(n, wrap([1, "a", 2.5, n], int), flush=True)
