"""attrs + cachetools: an inventory model of validated, frozen and slotted classes, with
memoised pricing behind LRU and TTL-less caches."""

import random

import attrs
from cachetools import LFUCache, LRUCache, cached
from cachetools.keys import hashkey


@attrs.define(order=True)
class Money:
    cents: int = attrs.field(validator=attrs.validators.ge(0))
    currency: str = attrs.field(default="EUR", validator=attrs.validators.in_(["EUR", "USD"]))

    def __add__(self, other):
        return Money(self.cents + other.cents, self.currency)


@attrs.frozen
class Item:
    sku: str
    price: Money
    tags: tuple = attrs.field(factory=tuple, converter=tuple)


@attrs.define
class Line:
    item: Item
    qty: int = attrs.field(validator=[attrs.validators.instance_of(int),
                                      attrs.validators.gt(0)])
    discount: float = 0.0

    @property
    def total(self):
        return Money(round(self.item.price.cents * self.qty * (1 - self.discount)))


lru = LRUCache(maxsize=64)
lfu = LFUCache(maxsize=32)


@cached(lru, key=lambda item, qty: hashkey(item.sku, qty))
def quote(item, qty):
    return sum(item.price.cents * (1 + i % 3) for i in range(qty * 20)) % 100000


@cached(lfu)
def tax(cents, rate):
    return round(cents * rate / 100)


rng = random.Random(103)
catalogue = [Item(f"sku{i}", Money(rng.randint(100, 9999)), [f"t{i % 5}"]) for i in range(200)]
for step in range(100):
    lines = []
    rejected = 0
    for _ in range(300):
        try:
            lines.append(Line(rng.choice(catalogue), rng.randint(-1, 9),
                              rng.choice([0.0, 0.1, 0.25])))
        except ValueError:
            rejected += 1
    total = Money(0)
    for line in sorted(lines, key=lambda ln: (ln.item.sku, ln.qty)):
        total = total + line.total
    quotes = sum(quote(line.item, line.qty) for line in lines)
    taxes = sum(tax(line.total.cents, rng.choice([7, 19])) for line in lines[:100])
    evolved = attrs.evolve(lines[0], qty=lines[0].qty + 1)
    as_dict = attrs.asdict(catalogue[step])
    print(f"step {step}: lines {len(lines)} rejected {rejected} total {total.cents} quotes "
          f"{quotes} taxes {taxes} evolved {evolved.qty} lru {lru.currsize} lfu "
          f"{lfu.currsize} {as_dict} {max(ln.item.price for ln in lines).cents}", flush=True)
print("done", flush=True)
