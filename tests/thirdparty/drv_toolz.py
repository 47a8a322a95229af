"""toolz: functional data processing of a synthetic sales ledger."""

import random

from toolz import (
    compose,
    countby,
    curry,
    frequencies,
    groupby,
    itertoolz,
    join,
    merge_with,
    partition_all,
    pipe,
    reduceby,
    sliding_window,
    topk,
    valmap,
)
from toolz.curried import filter as cfilter
from toolz.curried import map as cmap

rng = random.Random(8)
regions = ["north", "south", "east", "west"]
products = [f"p{i}" for i in range(30)]


@curry
def scale(factor, row):
    return {**row, "amount": round(row["amount"] * factor, 2)}


for step in range(80):
    sales = [{"id": i, "region": rng.choice(regions), "product": rng.choice(products),
              "amount": rng.randint(1, 500) / 4} for i in range(2500)]
    prices = [{"product": p, "price": i + 1} for i, p in enumerate(products)]
    big = pipe(sales, cfilter(lambda r: r["amount"] > 50), cmap(scale(1.1)), list)
    per_region = reduceby("region", lambda acc, r: acc + r["amount"], big, 0)
    by_product = valmap(len, groupby("product", sales))
    joined = sum(1 for _ in join("product", prices, "product", sales))
    counts = countby(lambda r: r["amount"] // 25, sales)
    windows = sum(1 for w in sliding_window(3, sales) if w[0]["amount"] < w[2]["amount"])
    best = topk(3, sales, key="amount")
    merged = merge_with(sum, *({r["region"]: 1} for r in sales[:500]))
    batches = len(list(partition_all(64, sales)))
    freq = frequencies(compose(str, len)(r["product"]) for r in sales)
    print(f"step {step}: big {len(big)} regions "
          f"{ {k: round(v, 2) for k, v in sorted(per_region.items())} } "
          f"products {len(by_product)} joined {joined} buckets {len(counts)} up {windows} "
          f"best {[r['id'] for r in best]} merged {sorted(merged.items())} batches {batches} "
          f"freq {sorted(freq.items())} last {itertoolz.last(sales)['id']}", flush=True)
print("done", flush=True)
