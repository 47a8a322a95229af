"""Timers for programs written in event style, with Node's rules.

``set_timeout`` and ``set_interval`` schedule callbacks; they run once the main script has
finished, in order of due time (then of creation), until none remain. Under framemig the
wait between timers is a safe point, and pending timers travel with the program with the
time they still had to wait. Under plain ``python`` an exit handler runs them, so a program
behaves the same both ways.
"""

from __future__ import annotations

import atexit
import sys
import time


class Timer:
    __slots__ = ("handle", "callback", "args", "due", "interval")

    def __init__(self, handle: int, callback, args: tuple, due: float, interval):
        self.handle = handle
        self.callback = callback
        self.args = args
        self.due = due  # time.monotonic() when it fires
        self.interval = interval


_timers: dict[int, Timer] = {}
_next_handle = 1
_loop_owner = None  # "framemig" when a framemig host runs the loop, else an exit handler does


def _check(callback, seconds) -> float:
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    seconds = float(seconds)
    if seconds < 0:
        raise ValueError("delay must be non-negative")
    return seconds


def _add(callback, seconds, args, interval) -> int:
    global _next_handle, _loop_owner
    handle = _next_handle
    _next_handle += 1
    _timers[handle] = Timer(handle, callback, args, time.monotonic() + seconds, interval)
    if _loop_owner is None:
        _loop_owner = "atexit"
        atexit.register(_run_at_exit)
    return handle


def set_timeout(callback, seconds: float, *args) -> int:
    """Call ``callback(*args)`` once, ``seconds`` from now; return a handle for clear()."""
    return _add(callback, _check(callback, seconds), args, None)


def set_interval(callback, seconds: float, *args) -> int:
    """Call ``callback(*args)`` every ``seconds``; return a handle for clear()."""
    seconds = _check(callback, seconds)
    return _add(callback, seconds, args, seconds)


def clear(handle: int) -> None:
    """Cancel a timer; clearing an unknown or finished handle does nothing."""
    _timers.pop(handle, None)


def pending() -> bool:
    return bool(_timers)


def run_loop() -> None:
    """Run timers until none remain."""
    while _timers:
        timer = min(_timers.values(), key=lambda t: (t.due, t.handle))
        delay = timer.due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
            continue
        if timer.interval is None:
            del _timers[timer.handle]
        else:
            timer.due = time.monotonic() + timer.interval
        timer.callback(*timer.args)


def _run_at_exit() -> None:
    if _loop_owner != "atexit":
        return
    try:
        run_loop()
    except SystemExit as exc:
        _exit_with(exc.code)
    except BaseException:
        import traceback  # only plain python's exit path gets here

        traceback.print_exc()
        _exit_with(1)


def _exit_with(code) -> None:
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    os._exit(code)


# --- what framemig's host and capture use ------------------------------------------------

def take_over_loop() -> None:
    """The framemig host runs the loop itself after the program's main code."""
    global _loop_owner
    _loop_owner = "framemig"


def state(now: float | None = None) -> dict:
    """Pending timers with the time each still had at ``now`` (negative when overdue, so
    that their order survives)."""
    now = time.monotonic() if now is None else now
    return {
        "timers": [(t.handle, t.callback, t.args, t.due - now, t.interval)
                   for t in _timers.values()],
        "next_handle": _next_handle,
    }


def shift(seconds: float) -> None:
    """The program was held for ``seconds``: its timers wait that much longer."""
    for timer in _timers.values():
        timer.due += seconds


def install(saved: dict) -> None:
    global _next_handle
    now = time.monotonic()
    _timers.clear()
    for handle, callback, args, remaining, interval in saved["timers"]:
        _timers[handle] = Timer(handle, callback, tuple(args), now + remaining, interval)
    _next_handle = saved["next_handle"]
