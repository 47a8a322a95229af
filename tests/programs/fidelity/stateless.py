"""Objects with no state to set: pickle never calls __setstate__ for them (sympy's S.One
has empty __slots__; its Basic has __getstate__ returning None, all in __getnewargs__)."""


class One:
    __slots__ = ()

    def __setstate__(self, state):  # would fail on None
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self):
        return "One()"


class Symbol:
    __slots__ = ("name",)

    def __new__(cls, name):
        obj = object.__new__(cls)
        obj.name = name
        return obj

    def __getnewargs__(self):
        return (self.name,)

    def __getstate__(self):
        return None

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)


one = One()
x = Symbol("x")
for i in range(4):
    print(i, one, x.name, flush=True)  #@capture 2
