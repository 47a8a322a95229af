"""Classes whose own __reduce__ is written for pickle, which copies (tomlkit, sortedcontainers):
a migration must give back the object itself, not pickle's copy of it.

- ``Inline`` drops its ``new`` flag from its reduction (tomlkit's InlineTable: after a
  restore it printed ``{a = 1,b = 2}`` instead of ``{a = 1, b = 2}``) and has a
  ``__setstate__`` for the reduction's tuple only (tomlkit's Container);
- ``Sorted`` rebuilds its inner lists afresh, while a frame holds one of them
  (sortedcontainers' SortedList);
- ``Registered`` pickles as a lookup by name in the program's registry, which the restore
  cannot call before the program's module is filled: the registry travels, and identity
  with it."""


class Inline:
    def __init__(self, new=False):
        self.items = []
        self.new = new

    def add(self, key, value):
        self.items.append((key, value))

    def text(self):
        sep = ", " if self.new else ","
        return "{" + sep.join(f"{k} = {v}" for k, v in self.items) + "}"

    def __reduce__(self):
        return self.__class__, (), (self.items,)

    def __setstate__(self, state):
        (self.items,) = state


class Sorted:
    def __init__(self, values=()):
        self._lists = [sorted(values)]

    def add(self, value):
        inner = self._lists[0]
        inner.append(value)
        inner.sort()

    def __reduce__(self):
        return type(self), ([v for inner in self._lists for v in inner],)


REGISTRY = {}


def lookup(name):
    return REGISTRY[name]


class Registered:
    def __init__(self, name):
        self.name = name
        REGISTRY[name] = self

    def __reduce__(self):
        return lookup, (self.name,)


table = Inline(new=True)
table.add("a", 1)
table.add("b", 2)
numbers = Sorted([5, 1])
inner = numbers._lists[0]
main = Registered("main")
for i in range(4):
    print(i, table.text(), flush=True)  #@capture 2
    inner.append(10 + i)
    print(numbers._lists[0] is inner, sorted(inner), lookup("main") is main, flush=True)
