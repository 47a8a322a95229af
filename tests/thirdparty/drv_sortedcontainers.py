"""sortedcontainers: a limit order book matching random orders."""

import random

from sortedcontainers import SortedDict, SortedList, SortedSet

rng = random.Random(13)
bids = SortedDict()  # price -> list of (id, qty)
asks = SortedDict()
trades = SortedList(key=lambda t: (t[1], t[0]))
traders = SortedSet()
next_id = 0
for step in range(150):
    volume = 0
    for _ in range(1200):
        next_id += 1
        side = rng.random() < 0.5
        price = rng.randint(90, 110)
        qty = rng.randint(1, 50)
        traders.add(f"t{rng.randint(0, 400)}")
        book, other = (bids, asks) if side else (asks, bids)
        while qty and other:
            best = other.peekitem(0 if side else -1)
            if (side and best[0] > price) or (not side and best[0] < price):
                break
            oid, oqty = best[1][0]
            take = min(qty, oqty)
            qty -= take
            volume += take
            trades.add((next_id, best[0], take))
            if take == oqty:
                best[1].pop(0)
                if not best[1]:
                    del other[best[0]]
            else:
                best[1][0] = (oid, oqty - take)
        if qty:
            book.setdefault(price, []).append((next_id, qty))
    spread = (asks.peekitem(0)[0] - bids.peekitem(-1)[0]) if asks and bids else None
    median = trades[len(trades) // 2][1] if trades else None
    print(f"step {step}: volume {volume} levels {len(bids)}/{len(asks)} spread {spread} "
          f"trades {len(trades)} median {median} traders {len(traders)} "
          f"lo {traders[0]} hi {traders[-1]} in95 {len(list(trades.irange_key((95, 0), (96, 0))))}",
          flush=True)
print("final", next_id, len(trades), flush=True)
