"""Ask a program run by framemig to capture itself, pause, hold, go on or end.

Used by ``framemig dump`` and by node daemons. A request stops the program at its next
safe point and does what its mode says (see :mod:`framemig.runtime.session`); a decision
tells a paused or held program what to do next. Both wait for the program's answer.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil

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
_FAST_POLL = 0.0002  # for the first _FAST_FOR seconds of a wait
_FAST_FOR = 0.05
_LOOK = 0.005  # how often a wait asks whether the process still lives
_GRACE = 2.0  # beyond the timeout, for the program to notice its own deadline
_START_POLL = 0.005  # while a process starts
_MIN_TIMEOUT = 0.1  # what a request gets at least after waiting for its process to start
FINAL = {"done", "held", "paused", "released", "committed", "failed"}


@dataclass
class Ticket:
    """One request to one process, and the last answer it gave."""

    pid: int
    request: dict
    reply: dict | None = None

    def close(self) -> None:
        channel.drop_reply(self.pid, self.request)


def check(pid: int, timeout: float = 0.0, progress=None) -> dict:
    """The registration of framemig process ``pid``; raises if there is none.

    A process that ``exec`` or ``restore`` started a moment ago is framemig's already
    (registered as starting, or not yet that far: its command line says what it is);
    this waits up to ``timeout`` seconds for it to be ready for requests. Any other
    process is refused at once."""
    if pid <= 0 or not psutil.pid_exists(pid):
        raise NoSuchProcess(f"no process with PID {pid}")
    deadline = time.monotonic() + timeout
    waited = False
    while True:
        record = channel.record(pid)
        if record is not None and record.get("state", channel.READY) != channel.STARTING:
            return record
        if not psutil.pid_exists(pid) or _is_zombie(pid):
            raise NoSuchProcess(f"process {pid} ended" + (" before it was ready" if waited
                                                          else ""))
        if record is None and not _on_its_way(pid):
            # a process that is ending has let its memory go, command line and all,
            # before it turns zombie: give it a moment to be one
            ending = time.monotonic() + 1.0
            while _command_line(pid) == [] and time.monotonic() < ending and \
                    psutil.pid_exists(pid) and not _is_zombie(pid):
                time.sleep(_START_POLL)
            if not psutil.pid_exists(pid) or _is_zombie(pid):  # it ended as we looked
                raise NoSuchProcess(f"process {pid} ended" + (" before it was ready"
                                                              if waited else ""))
            raise NotFramemig(f"process {pid} ({_name(pid)}) was not started by framemig")
        if time.monotonic() >= deadline:
            raise NoSafePoint(f"process {pid} ({_name(pid)}) was still starting after "
                              f"{timeout:g} s")
        if progress is not None and not waited:
            progress({"state": "starting"})
        waited = True
        time.sleep(_START_POLL)


def _command_line(pid: int) -> list[str] | None:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return None


def _name(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline()[:3]) or psutil.Process(pid).name()
    except psutil.Error:
        return "?"


def _on_its_way(pid: int) -> bool:
    """Is ``pid`` a ``framemig exec`` or ``framemig restore`` that has not registered yet
    (its interpreter is starting)? Such a process registers before anything slow."""
    try:
        argv = psutil.Process(pid).cmdline()
    except psutil.Error:
        return False
    for n, word in enumerate(argv[:4]):
        if (word == "framemig" and n > 0 and argv[n - 1] == "-m") or (
                n > 0 and os.path.basename(word) == "framemig"):
            rest = argv[n + 1:]
            # a node's standby restore process has no program until it is given one
            return bool(rest) and rest[0] in ("exec", "restore") and \
                "--standby-fd" not in rest
    return False


def ask(pid: int, mode: str, out: str | None = None, timeout: float = 5.0, progress=None,
        hold_limit: float | None = None, redact: list[str] | None = None) -> Ticket:
    """Send a request and wait until the program has acted on it (or failed). A program
    still starting is waited for, within the same ``timeout``. ``redact``: names whose
    values the snapshot must not hold (the program keeps them out as it captures)."""
    started = time.monotonic()
    check(pid, timeout, progress)
    timeout = max(timeout - (time.monotonic() - started), _MIN_TIMEOUT)
    data = {"mode": mode, "timeout": timeout}
    if out is not None:
        data["out"] = os.path.abspath(out)
    if hold_limit is not None:
        data["hold_limit"] = hold_limit
    if redact:
        data["redact"] = list(redact)
    try:
        request = channel.send_request(pid, **data)
    except PermissionError:
        raise PermissionDenied(f"not allowed to signal process {pid}") from None
    except ProcessLookupError:
        raise NoSuchProcess(f"process {pid} ended") from None
    ticket = Ticket(pid, request)
    try:
        _wait(ticket, timeout + _GRACE, progress, patient_after={"capturing"})
    except BaseException:
        ticket.close()
        raise
    return ticket


def decide(ticket: Ticket, decision: str, timeout: float = 30.0, **data) -> dict:
    """Tell a paused or held program what to do; wait for its answer."""
    previous = ticket.reply
    channel.send_decision(ticket.pid, ticket.request, decision, **data)
    if decision == "commit":
        _wait(ticket, timeout, None, allow_exit=True, changed_from=previous)
        _wait_for_exit(ticket.pid)
    else:
        _wait(ticket, timeout, None, changed_from=previous)
    return ticket.reply


def _wait(ticket: Ticket, timeout: float, progress, patient_after=(), allow_exit=False,
          changed_from=None) -> None:
    started = time.monotonic()
    deadline = started + timeout
    patient = False
    looked = 0.0
    while True:
        # whether it lives is asked before its reply is read: a process that answers and
        # ends between the two reads is then seen answering, not as ended without a word.
        # (Asked every few ms: it reads /proc, and a quick answer is what is waited for.)
        now = time.monotonic()
        gone = False
        if now - looked >= _LOOK:
            looked = now
            gone = not psutil.pid_exists(ticket.pid) or _is_zombie(ticket.pid)
        reply = channel.read_reply(ticket.pid, ticket.request)
        state = reply["state"] if reply else None
        fresh = reply is not None and (changed_from is None or
                                       reply.get("time") != changed_from.get("time"))
        if fresh and state in FINAL:
            ticket.reply = reply
            if state == "failed":
                raise FramemigError(reply["message"], code=ExitCode(reply["code"]))
            if state == "done" and not reply.get("leave_running"):
                _wait_for_exit(ticket.pid)
            reply["sent"] = ticket.request["sent"]
            return
        if state in patient_after:
            patient = True
        if progress is not None and reply:
            progress(reply)
        if gone:
            if allow_exit:
                ticket.reply = {"state": "committed"}
                return
            raise NoSafePoint(f"process {ticket.pid} ended before it answered")
        if not patient and time.monotonic() > deadline:
            if reply and reply.get("where"):
                detail = f" (it is at {reply['where']}; {reply.get('reason', 'waiting')})"
            else:
                detail = " (it did not answer: it may be blocked in C code)"
            raise NoSafePoint(f"no safe point within {max(timeout - _GRACE, 0):.3g} s{detail}")
        # the program stands still while a checkpoint or a migration waits here: the
        # first answers come within milliseconds, and are looked for often
        time.sleep(_FAST_POLL if now - started < _FAST_FOR else _POLL)


def _is_zombie(pid) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def _wait_for_exit(pid, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and psutil.pid_exists(pid) and not _is_zombie(pid):
        time.sleep(_POLL)
