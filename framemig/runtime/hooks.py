"""Callbacks a program registers to run on the target before it resumes.

What cannot travel (a camera, a socket) can be let go before a capture and opened again
here: ``framemig.on_restore(reopen_camera)``. The callbacks travel with the program.
"""

from __future__ import annotations

_callbacks: list = []


def on_restore(callback):
    """Run ``callback()`` after a restore, before the program continues. Returns it, so it
    can be used as a decorator."""
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    _callbacks.append(callback)
    return callback


def callbacks() -> list:
    return list(_callbacks)


def install(saved: list) -> None:
    _callbacks[:] = list(saved)


def run_all() -> None:
    for callback in list(_callbacks):
        callback()
