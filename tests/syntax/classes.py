# ruff: noqa
"""Classes: inheritance and super(), multiple inheritance, properties, classmethod and
staticmethod, class decorators, metaclasses and __init_subclass__ keywords, comprehensions
in class bodies, special methods, nested classes, context managers and iterators as
classes."""


def probe(x):
    return x


def register(cls):
    cls.registered = probe(True)
    return cls


class Meta(type):
    def __new__(mcs, name, bases, namespace, **kwargs):
        namespace["made_by"] = probe("Meta")
        return super().__new__(mcs, name, bases, namespace, **kwargs)


class Base(metaclass=Meta):
    kinds = []

    def __init_subclass__(cls, kind="plain", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.kind = probe(kind)

    def __init__(self, name):
        self.name = name

    def describe(self):
        return f"{type(self).__name__}({self.name})"


@register
class Shape(Base, kind="shape"):
    sides = 0
    squares = [i * i for i in range(probe(4))]
    lookup = {n: probe(n) % 3 for n in squares if n}
    names = {f"s{v}" for v in lookup.values()}
    total = sum(probe(x) for x in squares)

    class Unit:
        size = probe(1)

    def __init__(self, name, scale=1):
        super().__init__(probe(name))
        self._scale = scale

    @property
    def scale(self):
        return probe(self._scale)

    @scale.setter
    def scale(self, value):
        self._scale = max(0, value)

    @scale.deleter
    def scale(self):
        self._scale = 1

    @classmethod
    def unit(cls):
        return cls(probe("unit"))

    @staticmethod
    def combine(a, b):
        return probe(a) + b

    def area(self):
        return 0

    def describe(self):
        base = super().describe()
        return f"{base} sides={self.sides} area={self.area():.2f}"


class Square(Shape, kind="square"):
    sides = 4

    def __init__(self, side, **kwargs):
        super().__init__("square", **kwargs)
        self.side = side

    def area(self):
        return probe(self.side) ** 2 * self.scale


class Named:
    def label(self):
        return "named:" + super().label()


class Labelled:
    def label(self):
        return probe("labelled")


class Tile(Named, Square, Labelled, kind="tile"):
    def __init__(self):
        super().__init__(probe(2))


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + probe(other.y))

    def __lt__(self, other):
        return (self.x, self.y) < (probe(other.x), other.y)

    def __iter__(self):
        yield self.x
        yield probe(self.y)

    def __call__(self, scale=1):
        return Vector(*self) + Vector(scale, -probe(scale))

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return probe(self.n)


def local_class(rnd):
    class Local(Square, kind=probe("local")):
        offsets = [probe(rnd) + i for i in range(2)]

        def area(self):
            return super().area() + sum(self.offsets)

    return Local(rnd).describe()


for rnd in range(3):
    print("round", rnd)
    print("local class", local_class(probe(rnd)), Square.kind)
    shape = Shape.unit()
    square = Square(probe(rnd) + 1, scale=2)
    tile = Tile()
    print("classes", shape.describe(), square.describe(), tile.describe(), tile.label())
    print("class attrs", Shape.squares, Shape.lookup, sorted(Shape.names), Shape.total,
          Shape.Unit.size, Shape.kind, Square.kind, Tile.kind, Shape.made_by,
          Shape.registered, Shape.combine(rnd, 1), [c.__name__ for c in Tile.__mro__])
    square.scale = probe(rnd - 1)
    before = square.scale
    del square.scale
    print("property", before, square.scale, square.area())
    v, w = Vector(1, 2), Vector(probe(3), rnd)
    print("vectors", v + w, v < w, list(w), v(probe(2)), sorted([w, v]),
          list(Countdown(probe(3))), isinstance(square, Shape),
          issubclass(Tile, (Labelled, int)))
print("done")
