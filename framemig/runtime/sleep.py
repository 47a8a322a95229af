"""An interruptible ``time.sleep``: a sleeping program reaches a safe point at once.

CPython's ``time.sleep`` runs signal handlers but then sleeps on, so a program asleep for
a minute would make a capture wait a minute. Under framemig, ``time.sleep`` is this
function: it waits on a pipe that a capture request writes to, and when woken it offers
the capture a safe point that records how long the sleep still had to go. While nobody
asks for a capture it costs one ``select`` per sleep.
"""

from __future__ import annotations

import os
import select
import sys
import time

_real_sleep = time.sleep


class Waker:
    """A self-pipe: ``wake()`` is safe to call from a signal handler."""

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)

    def wake(self) -> None:
        try:
            os.write(self.write_fd, b"!")
        except BlockingIOError:
            pass

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True if woken."""
        ready, _, _ = select.select([self.read_fd], [], [], seconds)
        if ready:
            try:
                while os.read(self.read_fd, 512):
                    pass
            except BlockingIOError:
                pass
            return True
        return False


def _seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = value.__float__() if hasattr(value, "__float__") else value.__index__()
        except AttributeError:
            raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an "
                            f"integer or float") from None
    if value != value:
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return float(value)


def make_sleep(waker: Waker, safe_point):
    """A ``time.sleep`` that calls ``safe_point(caller_frame, remaining)`` when woken;
    ``safe_point`` returns how long the program was held, which the sleep does not count."""

    def sleep(seconds, /):
        seconds = _seconds(seconds)
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if waker.wait(remaining):
                held = safe_point(sys._getframe(1), max(0.0, deadline - time.monotonic()))
                deadline += held or 0.0

    sleep.__doc__ = _real_sleep.__doc__
    sleep.__qualname__ = sleep.__name__ = "sleep"
    return sleep


def install(sleep) -> None:
    time.sleep = sleep


_waiting = None  # (waker, safe point) while framemig hosts the program


def install_wait(waker: Waker, safe_point) -> None:
    global _waiting
    _waiting = (waker, safe_point)


def wait_readable(fd: int, seconds: float | None) -> bool:
    """Wait until ``fd`` can be read (True) or a capture request wakes the program (False),
    for framemig's own blocking calls; without a host, just wait for ``fd``."""
    fds = [fd] if _waiting is None else [fd, _waiting[0].read_fd]
    ready, _, _ = select.select(fds, [], [], seconds)
    if fd in ready or not ready:
        return True
    return False


def offer_safe_point(caller, target, method: str, arguments: list) -> float:
    """For framemig's own blocking calls (a stream read), between two short waits: if a
    capture is asked for, the program stops at ``caller``'s call, which a restored copy
    makes again (it has taken nothing yet). Returns how long the program was held."""
    if _waiting is None:
        return 0.0
    waker, safe_point = _waiting
    waker.wait(0)
    return safe_point(caller, target, method, arguments) or 0.0


def uninstall() -> None:
    time.sleep = _real_sleep
