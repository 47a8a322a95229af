"""Stop the program at the next safe point and capture it.

Nothing here runs until a capture is asked for. The request arrives as a signal; the
handler installs a line tracer (``sys.settrace`` for new frames, ``f_trace`` on the live
ones) and wakes the program if it sleeps. At each line, or when the sleep wakes, the
session offers the capture a safe point; the capture either takes the snapshot or says why
not yet, and the session waits for the next one until the request's deadline. The tracer
is removed as soon as the capture is done, so a program left running is back to full speed.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field

from framemig.capture import assemble
from framemig.capture.frames import NotSafe
from framemig.capture.world import World, is_framemig_file
from framemig.errors import ExitCode, FramemigError, NoSafePoint
from framemig.interp import codes
from framemig.interp.trampolines import TRAMPOLINE_CODES
from framemig.runtime import channel, hooks, timers
from framemig.runtime.sleep import Waker
from framemig.snapshot import format as snapshot_format


@dataclass
class Request:
    out: str
    leave_running: bool
    deadline: float  # time.monotonic()
    asked: float = field(default_factory=time.monotonic)
    message: dict | None = None  # the channel request, when a dump process asked

    def reply(self, state: str, **data) -> None:
        if self.message is not None:
            channel.reply(self.message, state, **data)


@dataclass
class Program:
    """What the session needs to know about the program it captures."""

    main_path: str
    sources: dict  # absolute path -> text, for files framemig loaded itself
    hops: int = 0  # captures this program has been through before


class Session:
    def __init__(self, program: Program, waker: Waker):
        self.program = program
        self.waker = waker
        self.request: Request | None = None
        self.last_reason = "no safe point was reached"
        self.breakpoint: tuple | None = None  # (path, line, hits left, Request factory)
        self._resumes_at: tuple | None = None
        self.before_exit: list = []  # called before a captured process ends
        self._tracing = False
        self._busy = False  # capturing: our own code must not be traced
        self._waiting_sent = False
        self._interrupted_at = None

    # --- starting a capture -----------------------------------------------------------

    def install_signal(self) -> None:
        signal.signal(channel.SIGNAL, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        busy, self._busy = self._busy, True
        try:
            self._take_requests(frame)
        finally:
            self._busy = busy

    def _take_requests(self, frame) -> None:
        for message in channel.take_requests():
            timeout = float(message.get("timeout", 5.0))
            request = Request(message["out"], bool(message.get("leave_running")),
                              time.monotonic() + timeout, message=message)
            if self.request is not None:
                request.reply("failed", code=int(ExitCode.BUSY),
                              message="another capture of this program is under way")
                continue
            self.begin(request, frame)

    def begin(self, request: Request, frame) -> None:
        self.request = request
        self.last_reason = "no safe point was reached"
        self._waiting_sent = False
        self._interrupted_at = frame
        self._start_tracing(frame)
        self.waker.wake()

    def _where(self, frame) -> str:
        while frame is not None and is_framemig_file(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None:
            return "between timers"
        return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} in " \
               f"{frame.f_code.co_qualname}"

    # --- tracing ------------------------------------------------------------------------

    def _start_tracing(self, frame) -> None:
        """Trace new frames, and the innermost live one; its callers are traced as control
        returns to them (so a thousand-deep stack costs no more than a shallow one)."""
        self._tracing = True
        sys.settrace(self._trace_call)
        while frame is not None and is_framemig_file(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is not None:
            frame.f_trace = self._trace_line
            frame.f_trace_lines = True

    def _stop_tracing(self) -> None:
        if not self._tracing:
            return
        self._tracing = False
        sys.settrace(None)
        frame = sys._getframe()
        while frame is not None:
            frame.f_trace = None
            frame = frame.f_back

    def _trace_call(self, frame, event, arg):
        if self._busy or _is_ours(frame):
            return None
        caller = frame.f_back
        if caller is not None and _is_ours(caller) and not self._is_program(frame.f_code):
            return None  # a library called by framemig itself, not by the program
        return self._trace_line

    def _is_program(self, code) -> bool:
        if codes.resume_info(code) is not None:
            return True
        return _in_directory(code.co_filename, os.path.dirname(self.program.main_path))

    def _trace_line(self, frame, event, arg):
        if event == "line" and not self._busy:
            if self.request is None and self.breakpoint is not None:
                self._check_breakpoint(frame)
            if self.request is not None:
                self.attempt(frame, None)
        elif event == "return":
            caller = frame.f_back
            if caller is not None and caller.f_trace is None and not _is_ours(caller):
                caller.f_trace = self._trace_line
                caller.f_trace_lines = True
        return self._trace_line

    # --- breakpoints: capture when a line is reached (--dump-at) --------------------------

    def arm_breakpoint(self, path: str, line: int, hit: int, request_factory,
                       resumes_at: tuple | None = None) -> None:
        """Capture when ``path:line`` is reached the ``hit``-th time. A restored program
        does not count reaching the line it resumes at (``resumes_at``) once more."""
        self.breakpoint = (os.path.abspath(path), line, hit, request_factory)
        self._resumes_at = resumes_at
        self._tracing = True
        sys.settrace(self._trace_call)

    def _check_breakpoint(self, frame) -> None:
        path, line, hits_left, factory = self.breakpoint
        resumed = codes.resume_info(frame.f_code)
        if resumed is not None and _in_prologue(frame, resumed):
            return
        here = (os.path.abspath(frame.f_code.co_filename), frame.f_lineno)
        if self._resumes_at is not None:
            first, self._resumes_at = self._resumes_at, None
            if here == first:
                return
        if here != (path, line):
            return
        hits_left -= 1
        if hits_left > 0:
            self.breakpoint = (path, line, hits_left, factory)
            return
        self.breakpoint = None
        self.request = factory()
        self._start_tracing(frame)

    # --- safe points --------------------------------------------------------------------

    def at_sleep(self, caller, remaining: float) -> None:
        """Called by the interruptible sleep when it wakes."""
        if self.request is None or self._busy:
            return
        frame = caller
        while frame is not None and frame.f_code in TRAMPOLINE_CODES:
            frame = frame.f_back
        if frame is None or is_framemig_file(frame.f_code.co_filename):
            self.attempt(None, None, idle_root=frame)
        else:
            self.attempt(frame, {"kind": "sleep", "remaining": remaining})

    def attempt(self, innermost, pending: dict | None, idle_root=None) -> None:
        request = self.request
        if request is None:
            return
        if time.monotonic() > request.deadline:
            self._fail(NoSafePoint(f"no safe point within the timeout: {self.last_reason}"))
            return
        reached = time.monotonic()
        self._reached_wall = time.time()
        self._busy = True
        try:
            self._take(request, innermost, pending, idle_root, reached)
        finally:
            self._busy = False

    def _take(self, request, innermost, pending, idle_root, reached) -> None:
        try:
            root = idle_root if innermost is None else _root_of(innermost)
            world = World(self.program.main_path, self.program.sources)
            body = assemble.take(
                world, innermost if innermost is not None else root, root, "", pending,
                runtime_state={**timers.state(), "on_restore": hooks.callbacks(),
                               "random": random.getstate()},
                handled_exception=sys.exc_info()[1],
            )
        except NotSafe as reason:
            self.last_reason = str(reason)
            if not self._waiting_sent:  # tell the asker only when it has to wait
                self._waiting_sent = True
                request.reply("waiting", where=self._where(innermost or self._interrupted_at),
                              reason=self.last_reason)
            return
        except FramemigError as error:
            self._fail(error)
            return
        self._complete(request, body, reached)

    def _complete(self, request: Request, body: dict, reached: float) -> None:
        captured = time.monotonic()
        body["root"] = _root_kind(body)
        body["hops"] = self.program.hops + 1
        request.reply("capturing")
        try:
            size = snapshot_format.write(request.out, body)
        except FramemigError as error:
            self._fail(error)
            return
        written = time.monotonic()
        self.request = None
        self._stop_tracing()
        sys.stdout.flush()
        sys.stderr.flush()
        request.reply("done", path=request.out, size=size, safe_point_at=self._reached_wall,
                      safe_point_ms=round((reached - request.asked) * 1000, 3),
                      capture_ms=round((captured - reached) * 1000, 3),
                      write_ms=round((written - captured) * 1000, 3),
                      where=_top_where(body), leave_running=request.leave_running)
        if not request.leave_running:
            self._end_process()

    def _end_process(self) -> None:
        """The program continues elsewhere: end this copy now, running none of its code
        (no ``finally`` blocks, no exit handlers), as if it had been stopped by a signal."""
        for callback in self.before_exit:
            callback()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.DUMPED)

    def _fail(self, error: FramemigError) -> None:
        request, self.request = self.request, None
        self._stop_tracing()
        if request.message is None:
            print(f"framemig: {error.message}", file=sys.stderr)
        request.reply("failed", code=int(error.code), message=error.message)


@functools.lru_cache(maxsize=1024)
def _in_directory(filename: str, directory: str) -> bool:
    return os.path.abspath(filename).startswith(directory + os.sep)


def _in_prologue(frame, resumed) -> bool:
    index = codes.analysis(frame.f_code).index_at(frame.f_lasti)
    return resumed.prologue[0] <= index < resumed.prologue[1]


def _is_ours(frame) -> bool:
    code = frame.f_code
    return is_framemig_file(code.co_filename) and code not in TRAMPOLINE_CODES


def _root_of(frame):
    while frame is not None:
        if _is_ours(frame):
            return frame
        frame = frame.f_back
    raise NotSafe("the program's stack does not reach framemig's host")


def _root_kind(body: dict) -> str:
    stack = body["stack"]
    if not stack:
        return "idle"
    return "main" if stack[0].get("module") == "__main__" else "callback"


def _top_where(body: dict) -> str:
    if not body["stack"]:
        return "between timers"
    top = body["stack"][-1]
    return f"{top['code']['source']}:{top.get('line')} in {top['code']['qualname']}"
