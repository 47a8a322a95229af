"""A bound method in a cycle with its object (pycodestyle's options hold their
StyleGuide's ignore_code), reached first through the method: the restore could not
rebuild it ("object (method) is part of a cycle")."""


class Options:
    def __init__(self, hook):
        self.hook = hook


class Guide:
    def __init__(self):
        self.options = Options(self.ignore)
        self.seen = 0

    def ignore(self, code):
        self.seen += 1
        return code.startswith("E")


guide = Guide()
hooks = {"ignore": guide.options.hook}
for i, code in enumerate(["E1", "W2", "E3", "W4"]):
    print(i, hooks["ignore"](code), guide.seen, hooks["ignore"].__self__ is guide,
          flush=True)  #@capture 2
