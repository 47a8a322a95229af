"""A __getstate__ written for pickling (docutils' document drops its reporter and
transformer): alone, it is not called; the instance travels with all it holds. With a
__setstate__ that makes the dropped parts again, the pair is used, as pickle would."""


class Document:
    def __init__(self):
        self.log = []
        self.reporter = self.log.append

    def __getstate__(self):
        state = self.__dict__.copy()
        state["reporter"] = None
        return state


class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius
        self.cache = {"f": celsius * 9 / 5 + 32}

    def __getstate__(self):
        return {"celsius": self.celsius}

    def __setstate__(self, state):
        self.celsius = state["celsius"]
        self.cache = {"f": self.celsius * 9 / 5 + 32}


class Frozen:
    __slots__ = ("value",)  # no __dict__: its __getstate__ is the only way

    def __init__(self, value):
        self.value = value

    def __getstate__(self):
        return {"value": self.value}

    def __setstate__(self, state):
        self.value = state["value"]


doc = Document()
warm = Temperature(20)
frozen = Frozen(7)
for i in range(4):
    doc.reporter(i)
    print(i, doc.log, warm.cache["f"], frozen.value, flush=True)  #@capture 2
