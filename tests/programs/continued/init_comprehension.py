"""Captured in a call made from a comprehension inside __init__ (pypdf's RectangleObject
makes its numbers so): on 3.12+, where the comprehension is part of __init__'s frame,
the class call gave back None instead of the new object ("Value must be a PdfObject")."""


class Rectangle:
    def __init__(self, values):
        self.values = [self.number(v) for v in values]

    def number(self, value):
        total = 0
        for i in range(3):
            total += i  # CAPTURE
        return float(value) + total - 3


shapes = {}
for n in range(3):
    shapes[n] = Rectangle((0, 0, n, n + 1))
    print(n, type(shapes[n]).__name__, shapes[n].values, flush=True)
