"""Answer requests to capture or pause the program: stop at the next safe point, then act.

Nothing here runs until a request arrives, as a signal. The handler starts the line tracer
and wakes the program if it sleeps; at each line, or when the sleep wakes, the session
offers the capture a safe point; the capture either takes the snapshot or says why not
yet, and the session waits for the next one until the request's deadline.

What happens at the safe point is the request's *mode*:

* ``exit``: write the snapshot and end the process (the program continues elsewhere);
* ``leave``: write the snapshot and go on;
* ``hold``: write the snapshot and wait, frozen, for a decision: ``commit`` (end: the copy
  elsewhere runs), or ``abort`` (go on: the migration failed, nothing was lost);
* ``pause``: wait, frozen, for ``resume`` — or for ``capture``, which snapshots the paused
  program where it stands and then holds as above.

Time does not pass for a held program: a sleep and the framemig timers get the time back.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback

from framemig.capture.refusal import NotSafe
from framemig.env import in_import_locking
from framemig.errors import ExitCode, FramemigError, NoSafePoint
from framemig.interp.codes import is_framemig_file
from framemig.interp.trampolines import TRAMPOLINE_CODES
from framemig.runtime import channel, timers
from framemig.runtime.sleep import Waker
from framemig.runtime.tracer import Breakpoint, LineTracer, in_prologue, is_ours

MODES = ("exit", "leave", "hold", "pause")
HOLD_LIMIT = 5.0  # how often a held program looks whether anybody is left to decide
CAPTURE_DEPTH = 1000  # frames the capture itself may need above the program's


class Request:
    """One request to capture or pause, from another process or from --dump-at."""

    def __init__(self, out: str | None, mode: str, deadline: float,
                 message: dict | None = None, hold_limit: float = HOLD_LIMIT):
        self.out = out
        self.mode = mode
        self.deadline = deadline  # time.monotonic() by which a safe point must come
        self.asked = time.monotonic()
        self.message = message  # the channel request, when another process asked
        self.hold_limit = hold_limit
        self.answered = False  # a safe point came: captured, paused or held
        # names whose values the snapshot must not hold (dump --redact)
        redact = (message or {}).get("redact") or ()
        self.redact = [str(name) for name in redact] if isinstance(redact, list) else []

    def reply(self, state: str, **data) -> None:
        if self.message is not None:
            channel.reply(self.message, state, **data)


class Program:
    """What the session needs to know about the program it captures."""

    def __init__(self, main_path: str, sources: dict, hops: int = 0):
        self.main_path = main_path
        self.sources = sources  # absolute path -> text, for files framemig loaded itself
        self.hops = hops  # captures this program has been through before


class SafePoint:
    def __init__(self, innermost, pending: dict | None, root):
        self.innermost = innermost  # the innermost program frame, None between timers
        self.pending = pending  # what the innermost frame waits for (a sleep), if anything
        self.root = root  # framemig's frame below the program's
        self.reached = time.monotonic()  # when the program stopped here


class Session:
    def __init__(self, program: Program, waker: Waker):
        self.program = program
        self.waker = waker
        self.tracer = LineTracer(os.path.dirname(program.main_path), self._at_line)
        self.request: Request | None = None
        self.breakpoint: Breakpoint | None = None
        self.breakpoint_request = None  # makes the Request when the breakpoint is reached
        self.before_exit: list = []  # called before a captured process ends
        self.last_reason = "no safe point was reached"
        self._decisions: list[dict] = []
        self._waiting_sent = False
        self._interrupted_at = None
        self._retry_delay = 0.0  # between signals sent again while an import locks
        self.host_frame = None  # the host's frame below the program's; None once it ended
        self.signing_key = None  # signs what --dump-at writes (framemig.keys)

    # --- requests and decisions arrive with a signal ------------------------------------

    def install_signal(self) -> None:
        signal.signal(channel.SIGNAL, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        if in_import_locking(frame):
            self._signal_again()  # the requests stay in their files until then
            return
        self._retry_delay = 0.0
        busy, self.tracer.busy = self.tracer.busy, True
        try:
            for message in channel.take_requests():
                self._new_request(message, frame)
            if self.request is not None and self.request.message is not None:
                self._decisions += channel.take_decisions(self.request.message)
                if self._decisions:
                    self.waker.wake()
        finally:
            self.tracer.busy = busy

    def _signal_again(self) -> None:
        """Come back to the requests in a moment: the signal interrupted the import system
        while it takes or gives back a module lock, and answering imports (the capture,
        the tracer), which would corrupt the lock's bookkeeping."""
        self._retry_delay = min(0.05, self._retry_delay * 2 or 0.001)
        timer = threading.Timer(self._retry_delay, os.kill, (os.getpid(), channel.SIGNAL))
        timer.name, timer.daemon = "framemig-signal-again", True
        timer.start()

    def _new_request(self, message: dict, frame) -> None:
        mode = message.get("mode") or ("leave" if message.get("leave_running") else "exit")
        request = Request(message.get("out"), mode if mode in MODES else "exit",
                          time.monotonic() + float(message.get("timeout", 5.0)),
                          message, float(message.get("hold_limit", HOLD_LIMIT)))
        if self.request is not None and self._overdue(self.request):
            # its asker has given up; the program had no chance to say so (no line ran:
            # an import, a long C call), so it says it now and takes the new request
            self._fail(NoSafePoint(f"no safe point within the timeout: {self.last_reason}"))
        if self.request is not None:
            request.reply("failed", code=int(ExitCode.BUSY),
                          message="another capture or pause of this program is under way")
            return
        self.begin(request, frame)

    @staticmethod
    def _overdue(request: Request) -> bool:
        """A capture still waiting for a safe point after its deadline (a held or paused
        program is never overdue: it has its decision to wait for)."""
        return time.monotonic() > request.deadline and request.mode != "pause" and \
            not request.answered

    def begin(self, request: Request, frame) -> None:
        self.request = request
        self.last_reason = "no safe point was reached"
        self._waiting_sent = False
        self._interrupted_at = frame
        self._decisions.clear()
        import framemig.capture.world  # noqa: F401 (the tracer needs it: not mid-import)
        self.tracer.start(frame)
        self.waker.wake()

    # --- breakpoints (--dump-at) ----------------------------------------------------------

    def arm_breakpoint(self, breakpoint: Breakpoint, make_request) -> None:
        self.breakpoint = breakpoint
        self.breakpoint_request = make_request
        # a breakpoint in the standard library is reached there; the capture waits for
        # the program's next line (capture/frames.py)
        self.tracer.standard_library_lines = breakpoint.in_standard_library
        self.tracer.start()

    # --- safe points ----------------------------------------------------------------------

    def _at_line(self, frame) -> None:
        if self.request is None and self.breakpoint is not None and \
                self.breakpoint.reached(frame):
            self.breakpoint = None
            self.tracer.standard_library_lines = False
            self.begin(self.breakpoint_request(), frame)
        if self.request is not None:
            self.attempt(frame, None)

    def at_sleep(self, caller, remaining: float) -> float:
        """Called by the interruptible sleep when it wakes; returns seconds held."""
        if self.request is None or self.tracer.busy:
            return 0.0
        frame = caller
        while frame is not None and frame.f_code in TRAMPOLINE_CODES:
            frame = frame.f_back
        if frame is None or is_framemig_file(frame.f_code.co_filename):
            return self.attempt(None, None, idle_root=frame)
        return self.attempt(frame, {"kind": "sleep", "remaining": remaining})

    def at_wait(self, caller, target, method: str, arguments: list) -> float:
        """Called by framemig's blocking calls between waits: a safe point at the program's
        call (or loop) that made it; a restored copy makes the call again."""
        if self.request is None or self.tracer.busy:
            return 0.0
        frame = caller
        while frame is not None and is_framemig_file(frame.f_code.co_filename):
            frame = frame.f_back  # framemig's iterator protocol, a redo trampoline
        if frame is None:
            return 0.0
        return self.attempt(frame, {"kind": "redo", "target": target, "method": method,
                                    "args": list(arguments)})

    def attempt(self, innermost, pending: dict | None, idle_root=None) -> float:
        """Offer a safe point; returns how long the program was held there."""
        request = self.request
        if request is None:
            return 0.0
        if time.monotonic() > request.deadline:
            self._fail(NoSafePoint(f"no safe point within the timeout: {self.last_reason}"))
            return 0.0
        busy, self.tracer.busy = self.tracer.busy, True
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + CAPTURE_DEPTH)  # a program may stand at its limit
        try:
            if innermost is not None and in_prologue(innermost):
                raise NotSafe("the program is still being restored")
            if in_import_locking(innermost or idle_root):
                raise NotSafe("the import system is taking or giving back a module lock")
            if not _above(innermost or idle_root, self.host_frame):
                raise NotSafe("framemig itself is running, not the program")
            root = idle_root if innermost is None else _root_of(innermost)
            point = SafePoint(innermost, pending, root)
            if request.mode == "pause":
                _capturing().check(self.program, point)
                request.reply("paused", where=self._where(innermost))
                return self._hold(request, point)
            return self._capture(request, point)
        except NotSafe as reason:
            self.last_reason = str(reason)
            if reason.until_returns is not None:
                self.tracer.skip(reason.until_returns, innermost)
            if not self._waiting_sent:  # tell the asker only when it has to wait
                self._waiting_sent = True
                request.reply("waiting", where=self._where(innermost or self._interrupted_at),
                              reason=self.last_reason)
            return 0.0
        except FramemigError as error:
            self._fail(error)
            return 0.0
        except Exception as error:  # a bug in framemig must not become the program's
            if os.environ.get("FRAMEMIG_DEBUG"):  # for framemig's developers
                traceback.print_exc()
            self._fail(FramemigError(f"capture failed: {type(error).__name__}: {error}"))
            return 0.0
        finally:
            sys.setrecursionlimit(limit)
            self.tracer.busy = busy

    def program_ended(self) -> None:
        """The program is over: a capture still waiting for a safe point will not get one."""
        self.host_frame = None
        if self.request is not None:
            self._fail(NoSafePoint("the program ended before it reached a safe point"))
        self.tracer.stop()

    def _capture(self, request: Request, point: SafePoint) -> float:
        reached, reached_wall = time.monotonic(), time.time()
        capturing = _capturing()
        checked = capturing.check(self.program, point)
        request.answered = True
        request.reply("capturing")  # from here on the asker waits as long as it takes
        redaction = capturing.Redaction(request.redact) if request.redact else None
        body = capturing.snapshot(self.program, point, checked, redaction)
        captured = time.monotonic()
        # only a program that ends now leaves its snapshot as its one copy: on the disk
        size = capturing.write(request.out, body, durable=request.mode == "exit",
                               key=self.signing_key if request.message is None else None)
        written = time.monotonic()
        sys.stdout.flush()
        sys.stderr.flush()
        state = "held" if request.mode == "hold" else "done"
        request.reply(state, path=request.out, size=size, safe_point_at=reached_wall,
                      safe_point_ms=round((reached - request.asked) * 1000, 3),
                      capture_ms=round((captured - reached) * 1000, 3),
                      write_ms=round((written - captured) * 1000, 3),
                      where=capturing.top_where(body), leave_running=request.mode == "leave",
                      **({"redacted": redaction.places()} if redaction is not None else {}))
        if request.mode == "exit":
            self._end_process()
        if request.mode == "hold":
            return self._hold(request, point)
        self._release()
        return 0.0

    # --- holding ----------------------------------------------------------------------------

    def _hold(self, request: Request, point: SafePoint) -> float:
        """Wait, frozen at the safe point, for a decision; returns the seconds it took."""
        request.answered = True
        self.tracer.stop()
        started = time.monotonic()
        limit = started + request.hold_limit
        parent = os.getppid()
        while True:
            while not self._decisions:
                left = limit - time.monotonic()
                if left <= 0:
                    # Never goes on by itself: its node may have told another copy to run
                    # (exactly one copy). With nobody left to decide, it ends.
                    if os.getppid() != parent:
                        self._end_process()
                    limit = time.monotonic() + request.hold_limit
                    continue
                self.waker.wait(left)
            decision = self._decisions.pop(0)
            kind = decision.get("decision")
            if kind == "commit":
                request.reply("committed")
                self._end_process()
            elif kind == "capture" and decision.get("out"):
                request.mode, request.out = "hold", decision["out"]
                capturing = _capturing()
                started_capture = time.monotonic()
                redaction = capturing.Redaction(request.redact) if request.redact else None
                body = capturing.snapshot(self.program, point, redaction=redaction)
                captured = time.monotonic()
                size = capturing.write(request.out, body, durable=False)
                sys.stdout.flush()
                request.reply("held", path=request.out, size=size,
                              where=capturing.top_where(body), safe_point_ms=0.0,
                              capture_ms=round((captured - started_capture) * 1000, 3),
                              write_ms=round((time.monotonic() - captured) * 1000, 3))
            elif kind in ("resume", "abort"):
                held = time.monotonic() - started
                timers.shift(held)
                self._release()
                request.reply("released", held_s=round(held, 3), stood_ms=round(
                    (time.monotonic() - point.reached) * 1000, 3))
                return held

    def _release(self) -> None:
        self.request = None
        self.tracer.stop()

    def _end_process(self) -> None:
        """The program continues elsewhere: end this copy now, running none of its code
        (no ``finally`` blocks, no exit handlers), as if it had been stopped by a signal."""
        for callback in self.before_exit:
            callback()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.DUMPED)

    def _fail(self, error: FramemigError) -> None:
        request = self.request
        self._release()
        if request.message is None:
            print(f"framemig: {error.message}", file=sys.stderr)
        request.reply("failed", code=int(error.code), message=error.message)

    def _where(self, frame) -> str:
        while frame is not None and is_framemig_file(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None:
            return "between timers"
        return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} in " \
               f"{frame.f_code.co_qualname}"


def _above(frame, host_frame) -> bool:
    """Is ``frame`` running inside the program, that is above the host's frame?"""
    while frame is not None:
        if frame is host_frame:
            return True
        frame = frame.f_back
    return False


def _root_of(frame):
    while frame is not None:
        if is_ours(frame):
            return frame
        frame = frame.f_back
    raise NotSafe("the program's stack does not reach framemig's host")


def _capturing():
    """The capture machinery, imported on the first request (principle 1: nothing is paid
    until a capture is asked for)."""
    from framemig.runtime import capturing

    return capturing


def preload_if_asked() -> None:
    """Load the capture machinery now if ``FRAMEMIG_PRELOAD`` says so. A node sets it for
    the programs it runs: they exist to be moved, and a migration should not wait ~50 ms
    for imports; a program under a bare ``framemig exec`` pays nothing for it."""
    if os.environ.get("FRAMEMIG_PRELOAD"):
        _capturing()
