"""framemig: live migration of running Python programs.

Programs may import these to use framemig's timers, restore hooks and data streams; they
work under plain ``python`` too.
"""

from framemig.runtime.hooks import on_restore
from framemig.runtime.timers import clear, set_interval, set_timeout

__version__ = "0.2.0"
__all__ = ["on_restore", "set_timeout", "set_interval", "clear", "reader", "publisher",
           "__version__"]


def reader(name: str, start: str = "$"):
    """A reader of the data stream ``name`` whose position travels with the program
    (``start="$"``: entries published from now on; ``"0"``: all). See framemig.bus.streams."""
    from framemig.bus.streams import Reader

    return Reader(name, start)


def publisher(name: str):
    """A publisher to the data stream ``name``. See framemig.bus.streams."""
    from framemig.bus.streams import Publisher

    return Publisher(name)
