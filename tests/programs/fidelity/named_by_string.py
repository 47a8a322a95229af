"""Objects whose reduction names something of the program by a string, to be looked up
by name when rebuilt (toolz's curry names its function "__main__:scale"; a singleton's
__reduce__ returns its global's name). The program's modules are made by the restore,
not imported, so these travel by what they hold, keeping their identity."""
import functools
import importlib


def _by_name(path, args):
    module, name = path.split(":")
    function = getattr(importlib.import_module(module), name)
    return Curried(function.func, *args)


class Curried:
    def __init__(self, func, *args):
        self.func = func
        self.partial = functools.partial(func, *args)

    def __call__(self, *args):
        return self.partial(*args)

    def __reduce__(self):
        return (_by_name, (f"{self.func.__module__}:{self.func.__name__}",
                           self.partial.args))


class _Missing:
    def __reduce__(self):
        return "MISSING"

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


@Curried
def scale(factor, x):
    return x * factor


double = Curried(scale.func, 2)
box = {"value": MISSING}
for i in range(4):
    print(i, double(i), box["value"] is MISSING, box["value"], flush=True)  #@capture 2
