"""framemig: live migration of running Python programs.

Programs may import these to use framemig's timers and restore hooks; they work under
plain ``python`` too.
"""

from framemig.runtime.hooks import on_restore
from framemig.runtime.timers import clear, set_interval, set_timeout

__version__ = "0.1.0"
__all__ = ["on_restore", "set_timeout", "set_interval", "clear", "__version__"]
