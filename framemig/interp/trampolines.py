"""Small callables a restored stack runs in place of a call that was in progress.

They live below capture and restore because both must know them: restore places them on
the stack, and a later capture must recognise their frames and see through them. Each
stands only where a call cannot be put back as it was (a sleep or a stream read whose
arguments are gone); an interrupted ``__init__`` needs none (see ``resumecode``).
"""

from __future__ import annotations

import time


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
TRAMPOLINE_CODES = (SLEEP_REST_CODE, REDO_CODE)
