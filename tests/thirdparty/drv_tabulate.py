"""tabulate: reports of random data in every table format."""

import hashlib
import random

from tabulate import tabulate, tabulate_formats

rng = random.Random(19)
formats = sorted(tabulate_formats)
headers = ["name", "qty", "price", "ratio", "note"]
for step in range(180):
    rows = [[f"item{rng.randint(0, 999)}", rng.randint(-50, 5000), rng.random() * 1000,
             rng.random(), rng.choice(["", "ok", "back-order", None, "ünïcode"])]
            for _ in range(60)]
    fmt = formats[step % len(formats)]
    table = tabulate(rows, headers=headers, tablefmt=fmt, floatfmt=".3f", missingval="-")
    table2 = tabulate(rows, headers="firstrow", tablefmt="grid", showindex=True)
    print(f"step {step}: {fmt} {len(table)} chars {table.count(chr(10))} lines "
          f"{hashlib.md5((table + table2).encode()).hexdigest()[:12]}", flush=True)
print(table.splitlines()[0][:60], flush=True)
