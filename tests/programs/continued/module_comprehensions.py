"""Two comprehensions at module level written over two lines, stacks of one shape: 3.12
puts each loop on the whole comprehension, 3.13 on its iterable, so a place saved on one
is found on the other by the range that holds it (toolz' driver: "no for_iter
instruction at line 35", exit 72, the program lost)."""
import random

rng = random.Random(3)
regions = ["north", "south", "east", "west"]
for step in range(3):
    sales = [{"id": i, "region": rng.choice(regions),  # IN-ELEMENT
              "amount": rng.randint(1, 500) / 4} for i in range(20)]
    prices = [{"region": r, "price": i + 1}
              for i, r in enumerate(regions)]
    print(step, sum(s["amount"] for s in sales), prices[-1], flush=True)
