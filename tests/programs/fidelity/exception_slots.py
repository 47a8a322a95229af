"""An exception class with slots, "args" among them (pyparsing's ParseBaseException):
its slots travel, and one captured inside its __init__, "args" not set yet, too."""


class ParseError(Exception):
    __slots__ = ("args", "loc", "msg")

    def __init__(self, text, loc):
        self.loc = loc
        self.msg = self.describe(text)
        self.args = (text, loc, self.msg)

    def describe(self, text):
        return f"bad {text!r}"  #@capture 2

    def __str__(self):
        return f"{self.msg} at {self.loc}"


kept = ParseError("x", 0)
kept.loc = 7  # no longer what its args say
for i in range(4):
    error = ParseError("y" * i, i)
    print(i, error, error.args, kept, kept.loc, flush=True)
