"""A package of the program."""
from pkg.util import scale

VERSION = "1.0"
__all__ = ["scale", "VERSION"]
