"""How ``framemig dump`` talks to a running program: files in a private directory and a
signal.

A program run by framemig registers itself as ``<pid>.json`` (with its process start time,
so a recycled PID is not mistaken for it). ``exec`` and ``restore`` register their process
as "starting" as their first act, before they read the program or its snapshot; the host
registers it again, ready, once a request can be answered. A ``dump`` that finds a
starting process waits for it to be ready. ``dump`` writes a request file and sends the
registered signal; the program answers in a reply file that goes from "waiting" (for a safe
point) to "capturing" to "done" or "failed". Files, not sockets: a program needs no thread
to listen, and costs nothing while nobody asks.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time

SIGNAL = signal.SIGUSR1


_made: set[str] = set()


def run_dir() -> str:
    path = os.environ.get("FRAMEMIG_RUN_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp",
        f"framemig-{os.getuid()}")
    if path not in _made:
        os.makedirs(path, mode=0o700, exist_ok=True)
        _made.add(path)
    return path


def _write_json(path: str, data: dict) -> None:
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "w") as handle:
        json.dump(data, handle)
    os.replace(temp, path)


def _read_json(path: str) -> dict | None:
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def process_start_time(pid: int) -> float | None:
    """When ``pid`` started (in clock ticks since boot on Linux): with the PID, it names a
    process for good, since PIDs are reused."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return float(fields[19])
    except FileNotFoundError:
        return None
    except OSError:
        pass
    import psutil  # not Linux: slower, and only then worth its import

    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


# --- the program's side ----------------------------------------------------------------

STARTING, READY = "starting", "ready"


def register(info: dict, state: str = READY) -> str:
    pid = os.getpid()
    path = os.path.join(run_dir(), f"{pid}.json")
    _write_json(path, {**info, "pid": pid, "started": process_start_time(pid),
                       "signal": SIGNAL.name, "state": state})
    return path


def register_starting(command: str) -> str:
    """Say at once that this process is framemig's (``exec`` or ``restore`` on its way to
    running a program), before anything slow; it cannot answer requests yet."""
    return register({"command": command}, STARTING)


def unregister(path: str) -> None:
    """Remove this process's registration (not the parent's, in a forked child)."""
    if os.path.basename(path) != f"{os.getpid()}.json":
        return
    with contextlib.suppress(OSError):
        os.unlink(path)


def take_requests() -> list[dict]:
    """Requests sent to this process, oldest first; each is taken only once."""
    return _take(f"{os.getpid()}.req.")


def take_decisions(request: dict) -> list[dict]:
    """Decisions sent about ``request`` (commit, abort, resume, capture), oldest first."""
    return _take(f"{os.getpid()}.dec.{request['id']}.")


def _take(prefix: str) -> list[dict]:
    """The messages in files named ``prefix*.json``, oldest first, each taken once."""
    directory = run_dir()
    found = []
    for name in sorted(os.listdir(directory)):
        if name.startswith(prefix) and name.endswith(".json"):
            path = os.path.join(directory, name)
            message = _read_json(path)
            with contextlib.suppress(OSError):
                os.unlink(path)
            if message is not None:
                found.append(message)
    return found


def reply(request: dict, state: str, **data) -> None:
    path = os.path.join(run_dir(), f"{os.getpid()}.rep.{request['id']}.json")
    _write_json(path, {"state": state, "time": time.time(), **data})


# --- the asking side -----------------------------------------------------------------------

def record(pid: int) -> dict | None:
    """The registration of a live framemig process with this PID, starting or ready, else
    None."""
    found = _read_json(os.path.join(run_dir(), f"{pid}.json"))
    if found is None:
        return None
    started = process_start_time(pid)
    if started is None or found.get("started") != started:
        return None
    return found


def registration(pid: int) -> dict | None:
    """The registration of a live framemig process with this PID that is ready for
    requests, else None."""
    found = record(pid)
    if found is None or found.get("state", READY) == STARTING:
        return None
    return found


def send_request(pid: int, **data) -> dict:
    request = {"id": os.urandom(6).hex(), "sent": time.time(), **data}
    _write_json(os.path.join(run_dir(), f"{pid}.req.{request['id']}.json"), request)
    os.kill(pid, SIGNAL)
    return request


def send_decision(pid: int, request: dict, decision: str, **data) -> None:
    stamp = f"{time.time_ns()}"
    _write_json(os.path.join(run_dir(), f"{pid}.dec.{request['id']}.{stamp}.json"),
                {"decision": decision, **data})
    os.kill(pid, SIGNAL)


def read_reply(pid: int, request: dict) -> dict | None:
    return _read_json(os.path.join(run_dir(), f"{pid}.rep.{request['id']}.json"))


def drop_reply(pid: int, request: dict) -> None:
    directory = run_dir()
    for name in os.listdir(directory):
        if name.startswith(f"{pid}.") and f".{request['id']}." in name:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))
