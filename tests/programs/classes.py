"""Classes and instances: __dict__, __slots__, __getstate__/__reduce__, dataclasses, enums,
inheritance with super(), properties, class attributes, __init__ in progress."""
import abc
import dataclasses
import enum


class Shape(abc.ABC):
    registry = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Shape.registry.append(cls.__name__)

    @abc.abstractmethod
    def area(self): ...

    def describe(self):
        return f"{type(self).__name__} area={self.area():.1f}"


class Square(Shape):
    sides = 4

    def __init__(self, side):
        self.side = side
        print("making square", side)  #@capture 2

    def area(self):
        return self.side ** 2


class Circle(Shape):
    def __init__(self, r):
        super().__init__()
        self.r = r

    def area(self):
        return 3.14159 * self.r ** 2

    @property
    def diameter(self):
        return self.r * 2

    @staticmethod
    def unit():
        return Circle(1)

    @classmethod
    def named(cls, r):
        return cls(r)


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius
        self.cache = {"f": celsius * 9 / 5 + 32}

    def __getstate__(self):
        return {"celsius": self.celsius}

    def __setstate__(self, state):
        self.celsius = state["celsius"]
        self.cache = {"f": self.celsius * 9 / 5 + 32}


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __reduce__(self):
        return (Money, (self.cents,))

    def __repr__(self):
        return f"Money({self.cents})"


@dataclasses.dataclass(order=True)
class Item:
    name: str
    price: float = 1.0
    tags: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Config:
    host: str
    port: int = 80


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3

    def hex(self):
        return {1: "#f00", 2: "#0f0", 3: "#00f"}[self.value]


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10


class Base:
    def hello(self):
        return "base hello"


class Child(Base):
    def hello(self):
        text = super().hello()
        print("child calling super")  #@capture
        return text + " + child"


shapes = [Square(2), Circle(1.5), Square(3)]
for shape in shapes:
    print(shape.describe())  #@capture 2
Square.sides += 1
p = Point(1, 2)
t = Temperature(20)
m = Money(250)
items = sorted([Item("b", 2.5), Item("a", 1.0, ["x"])])
cfg = Config("example.org")
print("registry", Shape.registry, "sides", Square.sides)
print(p, t.celsius, m, items, cfg)  #@capture
print("color", Color.GREEN, Color.GREEN.hex(), Color(3), Color["RED"] is Color.RED)
print("flags", Perm.R | Perm.W, Perm.R in (Perm.R | Perm.X), Level.HIGH > Level.LOW)
c = Circle.named(2)
print("circle", c.diameter, Circle.unit().area() > 3)  #@capture
print("child", Child().hello())
print("temperature", t.cache)
print("dataclass eq", items[0] == Item("a", 1.0, ["x"]), cfg == Config("example.org"), hash(cfg) == hash(Config("example.org")))
try:
    cfg.port = 1
except dataclasses.FrozenInstanceError:
    print("frozen")
try:
    Shape()
except TypeError:
    print("abstract")
print("isinstance", isinstance(shapes[0], Shape), type(p).__slots__, Item.__lt__(items[0], items[1]))
