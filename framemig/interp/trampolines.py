"""Small callables a restored stack runs in place of a call that was in progress.

They live below capture and restore because both must know them: restore places them on
the stack, and a later capture must recognise their frames and see through them.
"""

from __future__ import annotations

import time


def make_class_call(init_resume, obj):
    """Stand in for ``cls(...)`` whose ``__init__`` was interrupted: finish it, return obj."""

    def class_call(*_arguments, **_keywords):
        result = init_resume()
        if result is not None:
            raise TypeError(f"__init__() should return None, not '{type(result).__name__}'")
        return obj

    return class_call


CLASS_CALL_CODE = make_class_call(None, None).__code__


def class_call_object(frame) -> object:
    """The instance a running class-call trampoline will return."""
    return frame.f_locals["obj"]


def make_sleep_rest(remaining: float):
    """Stand in for a sleep call whose arguments cannot be replayed: sleep what was left."""

    def sleep_rest(*_arguments, **_keywords):
        return time.sleep(remaining)

    return sleep_rest


SLEEP_REST_CODE = make_sleep_rest(0).__code__


def make_redo(target, method: str, arguments: list):
    """Stand in for a framemig blocking call (a stream read) whose operands cannot be put
    back as they were: make the call again. It had not taken anything when it was
    captured, so making it again on the target is making it once."""

    def redo(*_arguments, **_keywords):
        return getattr(target, method)(*arguments)

    return redo


REDO_CODE = make_redo(None, "", []).__code__
TRAMPOLINE_CODES = (CLASS_CALL_CODE, SLEEP_REST_CODE, REDO_CODE)
