"""Run a program as ``python prog.py`` would, or continue one from a snapshot.

The program becomes ``__main__`` with its own ``sys.argv``, ``sys.path[0]``, streams and
exit status; an uncaught exception prints the traceback Python would print (framemig's own
frames left out) and exits 1. Around it, the host sets up what a capture needs, none of
which costs anything while nobody asks: a signal handler, an interruptible ``time.sleep``,
a registration file. When the main code is done, pending framemig timers run, as in Node.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import time
import types
from importlib.machinery import SourceFileLoader

from framemig import __version__, env
from framemig.capture.world import is_framemig_file
from framemig.errors import ProgramNotFound, RestoreFailed
from framemig.restore.program import Restoration
from framemig.runtime import channel, hooks, sleep, timers
from framemig.runtime.session import Program, Request, Session
from framemig.runtime.tracer import Breakpoint

# The host's own frames sit below the program's; let the program recurse as deep as it
# could under plain python.
_HOST_DEPTH = 40


class Host:
    def __init__(self, dump_at: tuple | None = None):
        self.dump_at = dump_at  # (path, line, hit, out, leave_running) for --dump-at
        self.session: Session | None = None
        self._registration: str | None = None

    # --- entry points ------------------------------------------------------------------

    def exec_script(self, path: str, args: list[str]) -> int:
        full = os.path.abspath(path)
        try:
            with open(full, encoding="utf-8") as handle:
                source = handle.read()
        except FileNotFoundError:
            raise ProgramNotFound(f"can't open file {full!r}: no such file") from None
        except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
            raise ProgramNotFound(f"can't open file {full!r}: {exc}") from None
        sys.argv[:] = [path, *args]
        sys.path[0] = os.path.dirname(full)
        module = types.ModuleType("__main__")
        module.__file__ = full
        module.__loader__ = SourceFileLoader("__main__", full)
        module.__spec__ = None
        module.__cached__ = None
        module.__builtins__ = builtins
        sys.modules["__main__"] = module
        try:
            code = compile(source, full, "exec", dont_inherit=True)
        except SyntaxError:
            return self._report(sys.exc_info()[1])
        self._install(Program(full, {full: source}))
        return self._run(lambda: exec(code, module.__dict__))

    def resume(self, body: dict, ready_fd: int | None = None, go_fd: int | None = None) -> int:
        """Continue the program captured in ``body`` (already checked by the format).

        A supervisor (a node taking over a migrating program) may pass two pipes: the
        restored program then says it is ready on ``ready_fd`` and runs only once ``g``
        arrives on ``go_fd``; anything else ends it before it has run a line.
        """
        started = time.perf_counter()
        restoration = Restoration(body)
        restoration.create_modules()
        restoration.set_program_context()
        self._install_sleep_only()
        restoration.load_state()
        runtime = restoration.runtime
        stack = body["stack"]
        start = restoration.frames.stack_function(0) if stack else None
        if stack and stack[0].get("module") != "__main__" and body.get("root") == "main":
            raise RestoreFailed("the snapshot's outermost frame is not the main module")
        main_path = restoration.sources.path(body["program"]["main"])
        sources = {restoration.sources.path(k): v["text"]
                   for k, v in body["sources"].items()}
        resumes_at = None
        if stack:
            top = stack[-1]
            resumes_at = (os.path.abspath(restoration.sources.path(top["code"]["source"])),
                          top["at"]["line"] if top.get("at") else None)
        self._install(Program(main_path, sources, hops=body.get("hops", 0)), resumes_at)
        if "timers" in runtime:
            timers.install({"timers": runtime["timers"], "next_handle": runtime["next_handle"]})
        hooks.install(runtime.get("on_restore", []))
        if runtime.get("random") is not None:
            import random

            random.setstate(runtime["random"])
        report = {"restore_ms": round((time.perf_counter() - started) * 1000, 3),
                  "frames": len(stack), "objects": len(body["objects"]), "pid": os.getpid()}
        _report(report)
        if ready_fd is not None and not _ready_to_go(ready_fd, go_fd, report):
            self._unregister()
            return 0
        return self._run(start or (lambda: None), before=hooks.run_all)

    # --- around the program ------------------------------------------------------------

    def _install_sleep_only(self) -> None:
        """Restored frames must call framemig's sleep, so it goes in before they are built."""
        self._waker = sleep.Waker()
        sleep.install(sleep.make_sleep(self._waker, self._at_sleep))

    def _at_sleep(self, caller, remaining) -> float:
        if self.session is not None:
            return self.session.at_sleep(caller, remaining)
        return 0.0

    def _install(self, program: Program, resumes_at: tuple | None = None) -> None:
        if not hasattr(self, "_waker"):
            self._install_sleep_only()
        self.session = Session(program, self._waker)
        self.session.install_signal()
        self._registration = channel.register({
            "program": program.main_path, "argv": list(sys.argv),
            "python": env.describe(), "framemig": __version__,
        })
        self.session.before_exit.append(self._unregister)
        timers.take_over_loop()
        sys.setrecursionlimit(sys.getrecursionlimit() + _HOST_DEPTH)
        if self.dump_at is not None:
            path, line, hit, out, leave_running = self.dump_at
            self.session.arm_breakpoint(
                Breakpoint(path, line, hit, resumes_at),
                lambda: Request(out, "leave" if leave_running else "exit", float("inf")))

    def _unregister(self) -> None:
        if self._registration:
            channel.unregister(self._registration)
            self._registration = None

    def _run(self, main, before=None) -> int:
        self.session.host_frame = sys._getframe()
        try:
            if before is not None:
                before()
            main()
            timers.run_loop()
        except SystemExit as exc:
            return self._exit_code(exc.code)
        except BaseException as exc:  # the program's uncaught exception, as python reports it
            return self._report(exc)
        finally:
            self.session.program_ended()
            sys.stdout.flush()
            self._unregister()
        return 0

    def _exit_code(self, code) -> int:
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1

    def _report(self, exc: BaseException) -> int:
        exc.__traceback__ = _without_framemig(exc.__traceback__)
        sys.stdout.flush()
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1


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


def _without_framemig(tb):
    """The traceback with framemig's frames (host, trampolines) taken out."""
    kept = []
    while tb is not None:
        if not is_framemig_file(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    for first, second in zip(kept, kept[1:]):
        first.tb_next = second
    if kept:
        kept[-1].tb_next = None
        return kept[0]
    return None
