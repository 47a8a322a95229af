"""Instances of dict, list and set subclasses carry their attributes with their items
(boltons' LRI keeps an RLock and a linked list beside its dict items; its __setitem__
needs them, so the items go in as they are, not through it)."""
import threading


class LRU(dict):
    def __init__(self, size):
        super().__init__()
        self.size = size
        self._lock = threading.RLock()
        self.order = []

    def __setitem__(self, key, value):
        with self._lock:
            if key in self.order:
                self.order.remove(key)
            self.order.append(key)
            super().__setitem__(key, value)
            while len(self.order) > self.size:
                del self[self.order.pop(0)]


class Tagged(list):
    __slots__ = ("tag", "__dict__")

    def append(self, value):
        self.count_appends = getattr(self, "count_appends", 0) + 1
        super().append(value)


class Seen(set):
    def add(self, value):
        self.last = value
        super().add(value)


cache = LRU(3)
tagged = Tagged()
tagged.tag = "t"
seen = Seen()
for i in range(6):
    cache[i % 4] = i * i  #@capture 3
    tagged.append(i)
    seen.add(i % 3)
    print(i, sorted(cache.items()), cache.order, tagged.tag, tagged.count_appends,
          sorted(seen), seen.last, flush=True)
