"""The one exception a reducer raises for an object that cannot travel."""


class Refused(Exception):
    """``what`` completes a sentence that starts with where the object was found."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what
