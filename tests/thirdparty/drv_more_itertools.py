"""more-itertools: a data pipeline built from lazy iterator combinators."""

import random

import more_itertools as mi

rng = random.Random(21)
total = 0
for step in range(180):
    data = [rng.randint(0, 999) for _ in range(3000)]
    windows = sum(1 for w in mi.windowed(data, 5, step=2) if w[-1] is not None and w[0] < w[-1])
    chunks = [sum(c) for c in mi.chunked(data, 37)]
    runs = max(len(list(g)) for g in mi.consecutive_groups(sorted(set(data))))
    buckets = mi.bucket(data, key=lambda x: x % 7)
    sizes = [mi.ilen(buckets[k]) for k in range(7)]
    pairs = mi.ilen(mi.distinct_combinations(data[:40], 2))
    perms = mi.ilen(mi.distinct_permutations([1, 1, 2, 2, 3, 3, step % 4]))
    part = [mi.ilen(p) for p in mi.partition(lambda x: x > 500, data)]
    peek = mi.peekable(iter(data))
    heads = [peek.peek()] + list(mi.take(3, peek))
    interleaved = mi.ilen(mi.interleave_longest(data[:100], chunks, sizes))
    spy_head, rest = mi.spy(mi.unique_everseen(data), 3)
    uniq = mi.ilen(rest)
    total += windows + runs + pairs
    print(f"step {step}: win {windows} chunk0 {chunks[0]} run {runs} sizes {sizes} pairs "
          f"{pairs} perms {perms} part {part} heads {heads} il {interleaved} uniq {uniq} "
          f"{spy_head}", flush=True)
print("total", total, flush=True)
