"""Run a program as ``python prog.py`` would, or continue one from a snapshot.

The program becomes ``__main__`` with its own ``sys.argv``, ``sys.path[0]``, streams and
exit status; an uncaught exception prints the traceback Python would print (framemig's own
frames left out) and exits 1. Around it, the host sets up what a capture needs, none of
which costs anything while nobody asks: a signal handler, an interruptible ``time.sleep``,
a registration file. When the main code is done, pending framemig timers run, as in Node.
"""

from __future__ import annotations

import os
import sys

from framemig import __version__, env, keys
from framemig.errors import ProgramNotFound
from framemig.interp.codes import is_framemig_file
from framemig.runtime import channel, exits, libstate, process_state, sleep, timers
from framemig.runtime.session import Program, Request, Session
from framemig.runtime.tracer import Breakpoint

# The host's own frames sit below the program's; let the program recurse as deep as it
# could under plain python.
HOST_DEPTH = 40


class Host:
    def __init__(self, dump_at: tuple | None = None):
        self.dump_at = dump_at  # (path, line, hit, out, leave_running) for --dump-at
        self.session: Session | None = None
        self._registration: str | None = None
        libstate.watch()  # before the program imports its libraries, or a restore does
        process_state.note()  # the process as given: the program's changes are what travel
        exits.watch()  # atexit cannot say what it holds: the program's registrations noted

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
        module = env.new_main_module(full)
        sys.modules["__main__"] = module
        try:
            code = compile(source, full, "exec", dont_inherit=True)
        except SyntaxError:
            return self._report(sys.exc_info()[1])
        self.install(Program(full, {full: source}))
        return self.run(lambda: exec(code, module.__dict__))

    # --- around the program ------------------------------------------------------------

    def install_sleep(self) -> None:
        """Restored frames must call framemig's sleep, so it goes in before they are built."""
        self._waker = sleep.Waker()
        sleep.install(sleep.make_sleep(self._waker, self._at_sleep))
        sleep.install_wait(self._waker, self._at_wait)

    def _at_sleep(self, caller, remaining) -> float:
        if self.session is not None:
            return self.session.at_sleep(caller, remaining)
        return 0.0

    def _at_wait(self, caller, target, method, arguments) -> float:
        if self.session is not None:
            return self.session.at_wait(caller, target, method, arguments)
        return 0.0

    def install(self, program: Program, resumes_at: tuple | None = None) -> None:
        """Make the program capturable: signal, sleep, registration, --dump-at."""
        if not hasattr(self, "_waker"):
            self.install_sleep()
        self.session = Session(program, self._waker)
        self.session.install_signal()
        self._registration = channel.register({
            "program": program.main_path, "argv": list(sys.argv),
            "python": env.describe(), "framemig": __version__,
        })
        self.session.before_exit.append(self.unregister)
        timers.take_over_loop()
        sys.setrecursionlimit(sys.getrecursionlimit() + HOST_DEPTH)
        if self.dump_at is not None:
            path, line, hit, out, leave_running = self.dump_at
            # the person who ran exec/restore --dump-at holds the key: the snapshot this
            # process writes for them is signed (one asked for from outside is signed by
            # whoever asked: framemig dump, the node)
            self.session.signing_key = keys.load()
            self.session.arm_breakpoint(
                Breakpoint(path, line, hit, resumes_at),
                lambda: Request(out, "leave" if leave_running else "exit", float("inf")))

    def unregister(self) -> None:
        if self._registration:
            channel.unregister(self._registration)
            self._registration = None

    def run(self, main, before=None) -> int:
        """Run the program's code (``main``), then its timers; return its exit status."""
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
            self.unregister()
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
