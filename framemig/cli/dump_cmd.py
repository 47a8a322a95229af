"""``framemig dump PID``: ask a program to capture itself, and wait for the snapshot."""

from __future__ import annotations

import os
import time

import click
import psutil

from framemig.cli.output import emit_json, err_console, expected_failures
from framemig.errors import (
    ExitCode,
    FramemigError,
    NoSafePoint,
    NoSuchProcess,
    NotFramemig,
    PermissionDenied,
)
from framemig.runtime import channel

_POLL = 0.002
_GRACE = 2.0  # beyond --timeout, for the program to notice its own deadline


def request_dump(pid: int, out: str, leave_running: bool, timeout: float,
                 progress=None) -> dict:
    """Have process ``pid`` write a snapshot to ``out``; return its reply when done."""
    if pid <= 0 or not psutil.pid_exists(pid):
        raise NoSuchProcess(f"no process with PID {pid}")
    if channel.registration(pid) is None:
        try:
            name = " ".join(psutil.Process(pid).cmdline()[:3]) or psutil.Process(pid).name()
        except psutil.Error:
            name = "?"
        raise NotFramemig(f"process {pid} ({name}) was not started by framemig")
    out = os.path.abspath(out)
    try:
        request = channel.send_request(pid, out=out, leave_running=leave_running,
                                       timeout=timeout)
    except PermissionError:
        raise PermissionDenied(f"not allowed to signal process {pid}") from None
    except ProcessLookupError:
        raise NoSuchProcess(f"process {pid} ended") from None
    try:
        return _wait(pid, request, timeout, progress)
    finally:
        channel.drop_reply(pid, request)


def _wait(pid, request, timeout, progress) -> dict:
    deadline = time.monotonic() + timeout + _GRACE
    capturing = False
    while True:
        reply = channel.read_reply(pid, request)
        state = reply["state"] if reply else None
        if state == "done":
            if not reply.get("leave_running"):
                _wait_for_exit(pid)
            reply["sent"] = request["sent"]
            return reply
        if state == "failed":
            raise FramemigError(reply["message"], code=ExitCode(reply["code"]))
        if state == "capturing":
            capturing = True
        if progress is not None and reply:
            progress(reply)
        if not psutil.pid_exists(pid) or _is_zombie(pid):
            raise NoSafePoint(f"process {pid} ended before it reached a safe point")
        if not capturing and time.monotonic() > deadline:
            where = reply.get("where") if reply else None
            detail = f" (it is at {where}, in code that does not return to Python)" \
                if where else " (it did not answer: it may be blocked in C code)"
            raise NoSafePoint(f"no safe point within {timeout:g} s{detail}")
        time.sleep(_POLL)


def _is_zombie(pid) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def _wait_for_exit(pid, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and psutil.pid_exists(pid) and not _is_zombie(pid):
        time.sleep(_POLL)


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@click.command("dump")
@click.argument("pid", type=int)
@click.option("-o", "--output", "out", required=True, metavar="PATH",
              help="Where to write the snapshot.")
@click.option("--leave-running", is_flag=True, help="Keep the program running afterwards.")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for a safe point.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@expected_failures
def dump_command(pid, out, leave_running, timeout, as_json):
    """Capture process PID (started by framemig exec or restore) into a snapshot."""
    if as_json or not err_console.is_terminal:
        reply = request_dump(pid, out, leave_running, timeout)
    else:
        with err_console.status("asking for a safe point...") as status:
            def progress(update):
                if update.get("state") == "waiting":
                    status.update(f"waiting for a safe point (program at {update['where']})")
                elif update.get("state") == "capturing":
                    status.update("capturing...")
            reply = request_dump(pid, out, leave_running, timeout, progress)
    if as_json:
        emit_json({"ok": True, **{k: v for k, v in reply.items() if k != "state"}})
        return
    after = "left running" if leave_running else "ended"
    click.echo(
        f"snapshot {reply['path']} ({_human_size(reply['size'])}) at {reply['where']}; "
        f"safe point {reply['safe_point_ms']:.1f} ms, capture {reply['capture_ms']:.1f} ms, "
        f"write {reply['write_ms']:.1f} ms; program {after}"
    )
