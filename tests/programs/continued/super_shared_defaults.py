# Issue 10: zero-argument super() after a restore, in a method whose defaults tuple is the
# same object as another function's (the compiler shares the constant (1,)). Building
# that tuple during the class's build used to fill the deferred __class__ cell with a
# second copy of the class, and super() said "obj must be an instance or subtype".
class Base:
    def __init__(self, name):
        self.name = name


class Shape(Base):
    def __init__(self, name, scale=1):
        super().__init__(name)
        self.scale = scale


class Vector:
    def __call__(self, scale=1):
        return scale


total = 0
for n in range(5):
    shape = Shape("s%d" % n)  # CAPTURE
    total += Vector()(n) + shape.scale
    print(n, shape.name, total, type(shape) is Shape)
print("done", total)
