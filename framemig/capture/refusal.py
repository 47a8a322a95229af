"""The two ways a capture says no: not now (NotSafe), and never (Refused)."""


class Refused(Exception):
    """``what`` completes a sentence that starts with where the object was found."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what
        self.steps: list[str] = []  # from the object back to the root, added on the way out


class NotSafe(Exception):
    """Not a safe point yet; the message says what the program is doing instead.

    ``until_returns``, if given, is a frame nothing at or above which can be a safe point
    (C code runs it): the tracer stops visiting it until it returns."""

    def __init__(self, message: str, until_returns=None):
        super().__init__(message)
        self.until_returns = until_returns
