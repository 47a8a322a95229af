"""Classes whose __getattr__ forwards to an attribute (pypdf's IndirectObject, faker's
Faker): special methods are looked up on the type, never through __getattr__, both when
the object is described and when it is made again, even half built."""


class Ref:
    def __init__(self, target):
        self.target = target

    def __getattr__(self, name):
        return getattr(self.target, name)


class Slotted:
    __slots__ = ("target", "unset")

    def __getattr__(self, name):
        return getattr(self.target, name)


class Paired:
    def __init__(self, target):
        self.target = target

    def __getattr__(self, name):
        return getattr(self.target, name)

    def __getstate__(self):
        return {"target": self.target}

    def __setstate__(self, state):
        self.target = state["target"]


ref = Ref([1, 2, 1])
slotted = Slotted()
slotted.target = "abcb"
paired = Paired((1, 1, 2))
half = Ref.__new__(Ref)  # made, not initialised yet: its __getattr__ would recurse
for i in range(4):
    print(i, ref.count(1), slotted.count("b"), paired.count(1), flush=True)  #@capture 2
    if i == 2:
        half.__init__("xyz")
        print(half.upper(), flush=True)
