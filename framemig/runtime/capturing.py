"""What the session does at a safe point: check the stack, take the snapshot, write it.

The session loads this module on the first request, not before: a program that nobody
captures does not pay for the capture machinery, in memory or start-up time (design
principle 1).
"""

from __future__ import annotations

import sys

from framemig.capture import assemble
from framemig.capture.encoder import Encoder
from framemig.capture.redaction import Redaction
from framemig.capture.world import World
from framemig.errors import CannotTravel
from framemig.runtime import (
    channel,
    exits,
    hooks,
    host,
    libstate,
    process_state,
    session,
    stdlib_state,
    timers,
)
from framemig.snapshot import format as snapshot_format


def check(program, point) -> tuple:
    """Raise NotSafe unless the program could be captured at ``point``; returns what the
    check learnt, for :func:`snapshot` at the same point (the checkpoint's pause counts
    every millisecond)."""
    world = World(program.main_path, program.sources)
    return world, assemble.check_stack(world, point.innermost or point.root, point.root,
                                       point.pending)


def snapshot(program, point, checked: tuple | None = None,
             redaction: Redaction | None = None) -> dict:
    """The snapshot body; ``redaction``: the names whose values are kept out of it
    (dump --redact: capture/redaction.py), which then says where it found them."""
    world, live = checked or (World(program.main_path, program.sources), None)
    libraries, left = _library_state(world)
    if redaction is not None:
        libraries = {module: {name: _redacted_global(redaction, module, name, value)
                              for name, value in values.items()}
                     for module, values in libraries.items()}
    body = assemble.take(
        world, point.innermost or point.root, point.root, "", point.pending,
        runtime_state={**timers.state(point.reached), "on_restore": hooks.callbacks(),
                       "random": stdlib_state.take_random(), "libraries": libraries,
                       "stdlib": stdlib_state.take_all(),
                       "atexit": exits.program_handlers(world.is_program_file),
                       "signals": exits.program_signals({int(channel.SIGNAL)})},
        handled_exception=sys.exc_info()[1], live=live, redaction=redaction,
    )
    if left:
        body["left_behind"] = left
    # the program's own recursion limit: framemig raised it for its host and this capture
    body["process"] = process_state.changes(
        sys.getrecursionlimit() - session.CAPTURE_DEPTH - host.HOST_DEPTH)
    stack = body["stack"]
    body["root"] = "idle" if not stack else (
        "main" if stack[0].get("module") == "__main__" else "callback")
    body["hops"] = program.hops + 1
    if redaction is not None:
        redaction.finish(body)
    return body


def _redacted_global(redaction: Redaction, module: str, name: str, value):
    """A library global the program set (``openai.api_key = KEY``), redacted by its
    name (the last part of ``name``: libstate's names are ``attribute`` or
    ``Class:attribute``)."""
    if name.startswith("+"):
        return value  # the contents of a container: no variable of that name
    short = name.rpartition(":")[2]
    if short not in redaction.names:
        return value
    return redaction.stand_in(short, value, f"{_label(module, name)} (a library global)")


def _library_state(world) -> tuple[dict, list[str]]:
    """The globals the program changed in its libraries (see runtime/libstate.py) that can
    travel, and one line for each that cannot and stays behind."""
    carried: dict[str, dict] = {}
    left = []
    changes = libstate.changed(world.program_modules)
    world.rebound = {(module, name) for module, values in changes.items() for name in values
                     if ":" not in name}
    for module, values in changes.items():
        for name, value in values.items():
            try:
                trial = Encoder(world)
                trial.root(value, _label(module, name))
                trial.drain()
            except CannotTravel as refusal:
                left.append(str(refusal))
                continue
            carried.setdefault(module, {})[name] = value
    return carried, left


def _label(module: str, name: str) -> str:
    """``module.Class.attribute``, and what "+" means (libstate: a container's contents)."""
    label = f"{module}.{name.lstrip('+').replace(':', '.')}"
    return f"the contents of {label}" if name.startswith("+") else label


def write(path: str, body: dict, durable: bool = True, key=None) -> int:
    return snapshot_format.write(path, body, durable, key)


def top_where(body: dict) -> str:
    if not body["stack"]:
        return "between timers"
    top = body["stack"][-1]
    return f"{top['code']['source']}:{top.get('line')} in {top['code']['qualname']}"
