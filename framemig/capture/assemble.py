"""Assemble a snapshot body from the live program: its stack, modules and runtime state."""

from __future__ import annotations

import datetime
import os
import sys
import threading
import warnings

import framemig
from framemig import env
from framemig.capture import frames
from framemig.capture.encoder import Encoder
from framemig.capture.world import World
from framemig.errors import CannotTravel
from framemig.interp.codes import is_framemig_file


def check_threads() -> None:
    """A thread running beside the main one cannot travel: refused at once, saying where
    it runs (waiting for it to end would only end in a timeout, most of the time)."""
    main = threading.main_thread()
    stacks = None  # the threads' frames, read once, only if one runs
    for thread in threading.enumerate():
        if thread is not main and thread.is_alive() and not getattr(thread, "framemig", False):
            if stacks is None:
                stacks = sys._current_frames()
            frame = stacks.get(thread.ident)
            while frame is not None and is_framemig_file(frame.f_code.co_filename):
                frame = frame.f_back  # framemig's sleep, say: where the thread called it
            where = f" at {os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} in " \
                    f"{frame.f_code.co_qualname}" if frame is not None else ""
            raise CannotTravel(f"thread {thread.name!r} is running{where} (only the main "
                               f"thread can travel)")


def check_stack(world: World, innermost, root, pending: dict | None) -> list:
    """Raise NotSafe unless the program could be captured right now; returns the live
    stack, which :func:`take` can use while the program has not moved."""
    check_threads()
    return frames.live_stack(world, innermost, root, pending)


def take(world: World, innermost, root, root_kind: str, pending: dict | None,
         runtime_state: dict, handled_exception, live: list | None = None,
         redaction=None) -> dict:
    """Capture the program now, or raise NotSafe (wait) / CannotTravel (give up).
    ``live``: what :func:`check_stack` returned at this very point, if it was asked;
    ``redaction``: the names ``dump --redact`` keeps out (capture/redaction.py)."""
    if live is None:
        live = check_stack(world, innermost, root, pending)
    with warnings.catch_warnings():
        # PYVERSIONS: 3.12 deprecates pickling itertools objects; we still need it.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _take(world, live, pending, runtime_state, handled_exception, redaction)


def _take(world, live, pending, runtime_state, handled_exception, redaction) -> dict:
    enc = Encoder(world, frames.running_generators(live))
    enc.redaction = redaction
    stack = [record for f in live for record in frames.frame_records(enc, f)]
    modules = []
    for name, module in sorted(world.program_modules.items(), key=lambda kv: kv[0] != "__main__"):
        filename = getattr(module, "__file__", None) or world.main_path
        modules.append({
            "name": name,
            "source": world.source_key(filename),
            "package": hasattr(module, "__path__"),
            "dict": enc.root(module.__dict__, f"{world.source_key(filename)}:"),
        })
    runtime = {key: enc.root(value, f"framemig {key}") for key, value in runtime_state.items()}
    handled = enc.root(handled_exception, "the exception being handled")
    objects = enc.drain()
    world.carry_program_modules()
    return {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "framemig": framemig.__version__,
        "interpreter": env.interpreter_facts(),
        "program": {
            "main": world.source_key(world.main_path),
            "root": world.root,
            "argv": list(sys.argv),
            "cwd": os.getcwd(),
        },
        "sources": world.used_sources,
        "modules": modules,
        "root": "",  # set by whoever knows what ran the program
        "stack": stack,
        "handled_exception": handled,
        "runtime": runtime,
        "stats": {"objects": len(objects), "dill": enc.dill_count},
        "objects": objects,
    }
