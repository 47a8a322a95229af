"""A class made inside another's __init__ (faker's Faker of several locales makes one
Faker per locale): captured deep inside, restored, captured again in the restored frames,
restored again. A restored __init__ is called directly and returns self; the second
capture must still see a class call there (called with **options, through C, it was
taken for a plain call, and the outer object got None)."""


def make(name):
    total = 0
    for i in range(400):
        total += i * len(name)  # CAPTURE
    return total


class Outer:
    def __init__(self, names, **options):
        self.parts = {}
        if len(names) == 1:
            self.parts[names[0]] = make(names[0])
        else:
            for name in names:
                self.parts[name] = Outer([name], **options)  # called through C

    def __getitem__(self, name):
        inner = self.parts[name]
        assert isinstance(inner, Outer), inner
        return inner


outer = Outer(["en", "de", "fr"], weighting=True)
for name in ["en", "de", "fr"]:
    print(name, outer[name].parts, flush=True)
