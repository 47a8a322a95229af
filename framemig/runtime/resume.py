"""Continue a program from its snapshot: rebuild it, hand it to a host, run it.

This is what a resume module calls. A supervisor (a node taking over a migrating program)
may pass two pipes: the rebuilt program then says it is ready on ``ready_fd`` and runs
only once ``g`` arrives on ``go_fd``; anything else ends it before it has run a line.
It may also name ``program_dir``, where its own copy of the program's files is: the
program runs from there if they match the carried ones (see :mod:`framemig.restore.sources`).
"""

from __future__ import annotations

import json
import os
import time

from framemig import keys
from framemig.errors import FramemigError, RestoreFailed
from framemig.restore.program import Restoration
from framemig.runtime import exits, hooks, libstate, process_state, stdlib_state, timers
from framemig.runtime.host import Host
from framemig.runtime.session import Program
from framemig.snapshot import format as snapshot_format
from framemig.snapshot import redaction


def main(snapshot_path: str, body: dict | None = None, dump_at: tuple | None = None,
         ready_fd: int | None = None, go_fd: int | None = None, read_ms: float = 0.0,
         program_dir: str | None = None, signed: bool = False) -> int:
    if body is None:
        started = time.perf_counter()
        body = snapshot_format.read(snapshot_path, keys.load())  # (an emitted module)
        # values dumped with --redact: from the environment variables of their names
        redaction.give_back(body, redaction.from_environment(body, os.environ),
                            os.path.basename(snapshot_path),
                            "in environment variables of the same names")
        read_ms = (time.perf_counter() - started) * 1000
        signed = True
    return continue_program(body, Host(dump_at), ready_fd, go_fd, read_ms, program_dir,
                            signed)


def continue_program(body: dict, host: Host, ready_fd=None, go_fd=None,
                     read_ms: float = 0.0, program_dir: str | None = None,
                     signed: bool = False) -> int:
    started = time.perf_counter()
    try:
        restoration, start, program, resumes_at = _rebuild(body, host, program_dir, signed)
        host.install(program, resumes_at)
        _runtime_state(restoration.runtime)
    except FramemigError:
        raise
    except Exception as exc:  # a snapshot the schema let through, or a bug: one line
        if os.environ.get("FRAMEMIG_DEBUG"):  # for framemig's developers
            raise
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise RestoreFailed(
            f"the program cannot be rebuilt from this snapshot ({type(exc).__name__}"
            f"{': ' + reason if reason else ''}): a malformed snapshot, or a bug in "
            f"framemig (FRAMEMIG_DEBUG=1 shows where)") from None
    report = {"restore_ms": round((time.perf_counter() - started) * 1000, 3),
              "read_ms": round(read_ms, 3),
              "frames": len(body["stack"]), "objects": len(body["objects"]), "pid": os.getpid()}
    _report(report)
    if ready_fd is not None and not _ready_to_go(ready_fd, go_fd, report):
        host.unregister()
        return 0
    return host.run(start or (lambda: None), before=hooks.run_all)


def _rebuild(body: dict, host: Host, program_dir, signed: bool):
    """The program rebuilt, nothing of it run: its restoration, the function that
    continues its stack, its Program and where it resumes."""
    restoration = Restoration(body, program_dir, signed)
    # the program's paths, environment and folder first: rebuilding it may import
    process_state.apply(body.get("process") or {}, body["program"].get("root"),
                        restoration.sources.root)
    restoration.create_modules()
    restoration.set_program_context()
    host.install_sleep()  # resumed frames must find framemig's sleep as time.sleep
    restoration.load_state()
    stack = body["stack"]
    start = restoration.frames.stack_function(0) if stack else None
    if stack and stack[0].get("module") != "__main__" and body.get("root") == "main":
        raise RestoreFailed("the snapshot's outermost frame is not the main module")
    sources = restoration.sources
    program = Program(sources.path(body["program"]["main"]),
                      {sources.path(k): v["text"] for k, v in body["sources"].items()},
                      hops=body.get("hops", 0))
    resumes_at = None
    if stack:
        top = stack[-1]
        resumes_at = (os.path.abspath(sources.path(top["code"]["source"])),
                      top["at"]["line"] if top.get("at") else None)
    return restoration, start, program, resumes_at


def _runtime_state(runtime: dict) -> None:
    if "timers" in runtime:
        timers.install({"timers": runtime["timers"], "next_handle": runtime["next_handle"]})
    hooks.install(runtime.get("on_restore", []))
    if runtime.get("random") is not None:
        stdlib_state.give_random(runtime["random"])
    libstate.apply(runtime.get("libraries") or {})
    stdlib_state.give_all(runtime.get("stdlib") or {})
    exits.apply(runtime.get("atexit") or [], runtime.get("signals") or {})


def _report(data: dict) -> None:
    """Timings for tools that ask (bench, nodes): FRAMEMIG_REPORT names a JSON file."""
    path = os.environ.get("FRAMEMIG_REPORT")
    if path:
        with open(f"{path}.tmp", "w") as handle:
            json.dump(data, handle)
        os.replace(f"{path}.tmp", path)


def _ready_to_go(ready_fd: int, go_fd: int, report: dict) -> bool:
    os.write(ready_fd, (json.dumps(report) + "\n").encode())
    os.close(ready_fd)
    answer = os.read(go_fd, 1)
    os.close(go_fd)
    return answer == b"g"
