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
import sys
import time

from framemig import keys
from framemig.errors import FramemigError, RestoreFailed
from framemig.restore.program import Restoration
from framemig.runtime import channel, exits, hooks, libstate, process_state, stdlib_state, timers
from framemig.runtime.host import Host
from framemig.runtime.session import Program
from framemig.snapshot import format as snapshot_format
from framemig.snapshot import redaction


def main(snapshot_path: str, body: dict | None = None, dump_at: tuple | None = None,
         ready_fd: int | None = None, go_fd: int | None = None, read_ms: float = 0.0,
         program_dir: str | None = None, signed: bool = False) -> int:
    if body is not None:  # (framemig restore, which reports failures itself)
        return continue_program(body, Host(dump_at), ready_fd, go_fd, read_ms, program_dir,
                                signed)
    try:  # an emitted module, run as a script: it says why in one line too
        started = time.perf_counter()
        body = snapshot_format.read(snapshot_path, keys.load())
        # values dumped with --redact: from the environment variables of their names
        redaction.give_back(body, redaction.from_environment(body, os.environ),
                            os.path.basename(snapshot_path),
                            "in environment variables of the same names")
        read_ms = (time.perf_counter() - started) * 1000
        return continue_program(body, Host(dump_at), ready_fd, go_fd, read_ms, program_dir,
                                True)
    except NeverRun as refused:
        print(f"framemig: {refused.error.message}", file=sys.stderr)
        leave_unrun(int(refused.error.code))
    except FramemigError as error:
        print(f"framemig: {error.message}", file=sys.stderr)
        sys.exit(int(error.code))


def continue_program(body: dict, host: Host, ready_fd=None, go_fd=None,
                     read_ms: float = 0.0, program_dir: str | None = None,
                     signed: bool = False) -> int:
    started = time.perf_counter()
    restoration = None
    try:
        restoration = Restoration(body, program_dir, signed)
        start, program, resumes_at = _rebuild(restoration, body, host)
        host.install(program, resumes_at)
        _runtime_state(restoration.runtime)
    except FramemigError as error:
        never_run(restoration, error)
    except Exception as exc:  # a snapshot the schema let through, or a bug: one line
        if os.environ.get("FRAMEMIG_DEBUG"):  # for framemig's developers
            raise
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        never_run(restoration, RestoreFailed(
            f"the program cannot be rebuilt from this snapshot ({type(exc).__name__}"
            f"{': ' + reason if reason else ''}): a malformed snapshot, or a bug in "
            f"framemig (FRAMEMIG_DEBUG=1 shows where)"))
    restoration.decoder.made.clear()  # rebuilt whole: what holds them now is the program
    report = {"restore_ms": round((time.perf_counter() - started) * 1000, 3),
              "read_ms": round(read_ms, 3),
              "frames": len(body["stack"]), "objects": len(body["objects"]), "pid": os.getpid()}
    _report(report)
    if ready_fd is not None and not _ready_to_go(ready_fd, go_fd, report):
        host.unregister()
        leave_unrun(0)  # its supervisor kept the other copy: this one never runs
    return host.run(start or (lambda: None), before=hooks.run_all)


# A program rebuilt but never let run: its objects, kept from being freed (see never_run)
_unrun: list = []


class NeverRun(Exception):
    """The program was not rebuilt (``error`` says why), and none of it may run: the
    caller says why and leaves with ``leave_unrun``."""

    def __init__(self, error: FramemigError):
        super().__init__(error.message)
        self.error = error


def never_run(restoration: Restoration | None, error: FramemigError):
    """Refuse a program half rebuilt, running none of it. Its rebuilt generators (a
    ``with`` block's context manager suspended at its ``yield``) would run their
    ``finally`` blocks when freed — the program's code, writing to its log, in a copy that
    must never run — so they are kept until the process leaves with os._exit."""
    _unrun.append(restoration)
    raise NeverRun(error) from None


def leave_unrun(code: int) -> None:
    """End a process whose rebuilt program never ran, without freeing it (see never_run)."""
    _unrun.append(sys.exc_info())
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    channel.unregister(os.path.join(channel.run_dir(), f"{os.getpid()}.json"))
    os._exit(code)


def _rebuild(restoration: Restoration, body: dict, host: Host):
    """The program rebuilt, nothing of it run: the function that continues its stack,
    its Program and where it resumes."""
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
    return start, program, resumes_at


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
