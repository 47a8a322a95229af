"""An object captured inside its __init__ (toolz's Compose): its __getstate__ and
__setstate__ expect a finished object, so it travels as it is and is made again as it
is; the restored __init__ finishes it."""


class Compose:
    def __init__(self, *funcs):
        self.funcs = funcs[1:]
        self.count = self.prepare(funcs)
        self.first = funcs[0]

    def prepare(self, funcs):
        return len(funcs)  #@capture 2

    def __getstate__(self):
        return self.first, self.funcs, self.count

    def __setstate__(self, state):
        self.first, self.funcs, self.count = state

    def __call__(self, value):
        value = self.first(value)
        for func in self.funcs:
            value = func(value)
        return value


for i in range(4):
    twice = Compose(abs, str, len)
    print(i, twice(-10 ** i), twice.count, flush=True)
