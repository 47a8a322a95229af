"""What the session does at a safe point: check the stack, take the snapshot, write it.

The session loads this module on the first request, not before: a program that nobody
captures does not pay for the capture machinery, in memory or start-up time (design
principle 1).
"""

from __future__ import annotations

import random
import sys

from framemig.capture import assemble
from framemig.capture.world import World
from framemig.runtime import hooks, timers
from framemig.snapshot import format as snapshot_format


def check(program, point) -> None:
    """Raise NotSafe unless the program could be captured at ``point``."""
    assemble.check_stack(World(program.main_path, program.sources),
                         point.innermost or point.root, point.root, point.pending)


def snapshot(program, point) -> dict:
    body = assemble.take(
        World(program.main_path, program.sources), point.innermost or point.root, point.root,
        "", point.pending,
        runtime_state={**timers.state(point.reached), "on_restore": hooks.callbacks(),
                       "random": random.getstate()},
        handled_exception=sys.exc_info()[1],
    )
    stack = body["stack"]
    body["root"] = "idle" if not stack else (
        "main" if stack[0].get("module") == "__main__" else "callback")
    body["hops"] = program.hops + 1
    return body


def write(path: str, body: dict) -> int:
    return snapshot_format.write(path, body)


def top_where(body: dict) -> str:
    if not body["stack"]:
        return "between timers"
    top = body["stack"][-1]
    return f"{top['code']['source']}:{top.get('line')} in {top['code']['qualname']}"
