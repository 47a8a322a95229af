"""The line tracer that stops a program for a capture, and only when one is asked for.

Like ``bdb.Bdb.trace_dispatch``, this only routes events: it decides which frames are
traced (the program's, not framemig's nor what framemig calls) and hands each line to
``visit``. What a line means — a safe point or not, capture or wait — is the session's
business. Installing it costs one call; a thousand-deep stack is traced lazily, a caller
getting its ``f_trace`` when control returns to it.
"""

from __future__ import annotations

import functools
import os
import sys

from framemig.interp import codes
from framemig.interp.codes import is_framemig_file
from framemig.interp.trampolines import TRAMPOLINE_CODES


@functools.lru_cache(maxsize=1024)
def _in_program(filename: str, directory: str) -> bool:
    """Is ``filename`` the program's (in its directory, and not an installed library such
    as a virtual environment kept beside it)? Asked only while tracing."""
    from framemig.capture.world import is_installed_library

    path = os.path.abspath(filename)
    return path.startswith(directory + os.sep) and not is_installed_library(path, directory)


@functools.lru_cache(maxsize=4096)
def _runs_standard_library(code) -> bool:
    from framemig.capture.world import is_standard_library

    return codes.resume_info(code) is None and is_standard_library(code.co_filename)


def is_ours(frame) -> bool:
    code = frame.f_code
    return is_framemig_file(code.co_filename) and code not in TRAMPOLINE_CODES


def in_prologue(frame) -> bool:
    """Is ``frame`` still running the prologue of its resume code object?"""
    resumed = codes.resume_info(frame.f_code)
    if resumed is None:
        return False
    index = codes.analysis(frame.f_code).index_at(frame.f_lasti)
    return resumed.prologue[0] <= index < resumed.prologue[1]


class LineTracer:
    def __init__(self, program_dir: str, visit):
        self.program_dir = program_dir
        self.visit = visit  # visit(frame) at each line of the program while tracing
        self.busy = False  # framemig's own code is running: trace nothing
        self.active = False
        self.skipped: set = set()  # frames whose lines are not safe points (see skip)
        self.standard_library_lines = False  # visit them too (a breakpoint there)

    def start(self, frame=None) -> None:
        """Trace new frames and, if given, the innermost program frame at or above
        ``frame``."""
        self.active = True
        sys.settrace(self._call)
        while frame is not None and is_framemig_file(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is not None and not self._under_framemig(frame):
            self._trace(frame)

    def stop(self) -> None:
        self.skipped.clear()
        if not self.active:
            return
        self.active = False
        sys.settrace(None)
        frame = sys._getframe()
        while frame is not None:
            frame.f_trace = None
            frame = frame.f_back

    def skip(self, frame, innermost=None) -> None:
        """Stop visiting ``frame``'s lines and those of every frame above it, up to
        ``innermost`` (also when they resume, if they are generators'); visit the
        program's frames below it instead."""
        above = innermost
        while above is not None and above is not frame:
            above.f_trace = None
            self.skipped.add(above)
            above = above.f_back
        frame.f_trace = None
        self.skipped.add(frame)
        caller = frame.f_back
        while caller is not None and not is_ours(caller):
            if self._is_program(caller.f_code):
                self._trace(caller)
            caller = caller.f_back

    def _trace(self, frame) -> None:
        frame.f_trace = self._line
        # the standard library's lines are never safe points (capture/frames.py): its
        # frames are traced only to learn when they return
        frame.f_trace_lines = self.standard_library_lines or \
            not _runs_standard_library(frame.f_code)

    def _call(self, frame, event, arg):
        if self.busy or is_ours(frame):
            return None
        if self.skipped and self._skips(frame):
            return None
        if not self._is_program(frame.f_code) and self._under_framemig(frame.f_back):
            return None  # a library called by framemig itself, not by the program
        if not self.standard_library_lines and _runs_standard_library(frame.f_code):
            frame.f_trace_lines = False
        return self._line

    def _under_framemig(self, frame) -> bool:
        """Is framemig's code between this frame and the program's code below it (a
        stream read waiting in Redis' client, say)?"""
        while frame is not None:
            if is_ours(frame):
                return True
            if self._is_program(frame.f_code):
                return False
            frame = frame.f_back
        return False

    def _is_program(self, code) -> bool:
        return codes.resume_info(code) is not None or \
            _in_program(code.co_filename, self.program_dir)

    def _skips(self, frame) -> bool:
        """Is ``frame`` skipped, or called by a skipped frame (then it is skipped too)?

        A generator's frame keeps the ``f_trace`` it had when C code drives it again
        (a local trace function's None return does not clear it), so skipping clears it.
        """
        if frame in self.skipped or frame.f_back in self.skipped:
            self.skipped.add(frame)
            frame.f_trace = None
            return True
        return False

    def _line(self, frame, event, arg):
        if self.skipped and self._skips(frame):
            return None
        if event == "line" and not self.busy:
            self.visit(frame)
        elif event == "return":
            caller = frame.f_back
            if caller is not None and caller.f_trace is None and not is_ours(caller) and \
                    (self._is_program(caller.f_code) or not self._under_framemig(caller)):
                self._trace(caller)
        if self.skipped and frame in self.skipped:
            return None  # what a local trace function returns becomes f_trace
        return self._line


class Breakpoint:
    """``FILE:LINE``, reached for the ``hits``-th time (``--dump-at``).

    A restored program does not count reaching the line it resumes at (``resumes_at``)
    once more, nor the lines of its resume prologues.
    """

    def __init__(self, path: str, line: int, hits: int, resumes_at: tuple | None = None):
        self.where = (os.path.abspath(path), line)
        from framemig.capture.world import is_standard_library

        self.in_standard_library = is_standard_library(self.where[0])
        self.hits_left = hits
        self.resumes_at = resumes_at

    def reached(self, frame) -> bool:
        if in_prologue(frame):
            return False
        here = (os.path.abspath(frame.f_code.co_filename), frame.f_lineno)
        if self.resumes_at is not None:
            first, self.resumes_at = self.resumes_at, None
            if here == first:
                return False
        if here != self.where:
            return False
        self.hits_left -= 1
        return self.hits_left <= 0
