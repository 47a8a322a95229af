"""boltons: utilities an application uses: OrderedMultiDict, IndexedSet, remap, strutils,
iterutils, tableutils, cacheutils, queueutils."""

import random

from boltons import cacheutils, dictutils, iterutils, queueutils, setutils, strutils, tableutils

rng = random.Random(107)
words = ["Alpha", "betaGamma", "delta_epsilon", "Zeta", "etaTheta", "iota", "KappaLambda"]
for step in range(200):
    omd = dictutils.OrderedMultiDict()
    for _ in range(300):
        omd.add(rng.choice(words), rng.randint(0, 99))
    counts = {k: len(omd.getlist(k)) for k in omd}
    iset = setutils.IndexedSet(rng.randint(0, 500) for _ in range(600))
    nested = {"a": [{"b": i, "c": [i, {"d": i * 2}]} for i in range(40)], "e": {"f": None}}
    remapped = iterutils.remap(nested, visit=lambda p, k, v: (k, v * 3)
                               if isinstance(v, int) else (k, v))
    flat = list(iterutils.research(remapped, query=lambda p, k, v: isinstance(v, int)))
    chunks = list(iterutils.chunked(range(1000), 37))
    windows = iterutils.windowed(range(50), 4)
    snakes = [strutils.camel2under(w) for w in words]
    slug = strutils.slugify(" ".join(words), delim="-")
    ords = [strutils.ordinalize(rng.randint(1, 120)) for _ in range(3)]
    table = tableutils.Table.from_dict([{"w": w, "n": counts.get(w, 0)} for w in words])
    cache = cacheutils.LRI(max_size=20)
    for _ in range(200):
        cache[rng.randint(0, 40)] = step
    pq = queueutils.HeapPriorityQueue()
    for i in range(100):
        pq.add(f"task{i}", priority=rng.randint(0, 10))
    top = [pq.pop() for _ in range(3)]
    print(f"step {step}: {sorted(counts.items())[:3]} iset {len(iset)} {iset[0]} {iset[-1]} "
          f"flat {len(flat)} {sum(v for _, v in flat)} chunks {len(chunks)} "
          f"windows {len(windows)} {snakes[1]} {slug[:20]} {ords} "
          f"table {len(table.to_text())} cache {len(cache)} top {top}", flush=True)
print("done", flush=True)
