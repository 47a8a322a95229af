"""The program's exit and signal handlers travel: after a restore, an ``atexit`` handler
of the program runs when the program ends, and a ``signal.signal`` handler it installed
answers the same signal on the target (issue "The world around the program travels").

Python cannot list what ``atexit`` holds, so ``atexit.register`` and ``unregister`` are
wrapped when framemig starts a program: the wrapper notes the callback and where it was
registered from, and calls the real one (nothing else, and only when the program calls
it). Only the program's own registrations travel — a library registers its handlers
again when the target imports it (logging's shutdown would otherwise run twice). A
captured program does not run its exit handlers on the source: it has not ended, it
moved. Signal handlers are read at the capture with ``signal.getsignal``.
"""

from __future__ import annotations

import atexit
import functools
import signal
import sys

_registered: list = []  # (function, args, kwargs, file it was registered from)
_real_register = atexit.register
_real_unregister = atexit.unregister


def _register(function, *args, **kwargs):
    caller = sys._getframe(1)
    _registered.append((function, args, kwargs, caller.f_code.co_filename))
    return _real_register(function, *args, **kwargs)


def _unregister(function) -> None:
    _registered[:] = [entry for entry in _registered if entry[0] != function]
    _real_unregister(function)


def watch() -> None:
    atexit.register = _register
    atexit.unregister = _unregister


def program_handlers(is_program_file) -> list:
    """``[(function, args, kwargs)]`` the program registered, in order."""
    return [(function, args, kwargs) for function, args, kwargs, filename in _registered
            if is_program_file(filename)]


@functools.lru_cache(maxsize=1)
def _valid_signals() -> tuple[int, ...]:
    return tuple(int(number) for number in signal.valid_signals())


def program_signals(own: set[int]) -> dict[int, object]:
    """``{signal number: handler}`` for handlers set from Python, but framemig's own."""
    found = {}
    for number in _valid_signals():
        if number in own:
            continue
        try:
            handler = signal.getsignal(number)
        except (ValueError, OSError):
            continue
        if callable(handler) and handler is not signal.default_int_handler:
            found[int(number)] = handler
    return found


def apply(handlers: list, signals: dict) -> None:
    for function, args, kwargs in handlers:
        atexit.register(function, *args, **kwargs)
    for number, handler in signals.items():
        try:
            signal.signal(int(number), handler)
        except (ValueError, OSError):
            pass  # a signal this system lacks: nothing can send it here
