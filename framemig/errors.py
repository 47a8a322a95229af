"""Failures that people see, each with its own exit code.

Expected failures (a dead PID, a corrupted snapshot, a socket in the state) are raised as
:class:`FramemigError` subclasses and printed as one line by the CLI; anything else is a bug
and keeps its traceback. Exit codes sit above 63 so they rarely collide with a program's
own exit status, which ``exec`` and ``restore`` pass through.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    USAGE = 2  # bad command line (click's convention)
    NO_SUCH_PROCESS = 64  # unknown or dead PID
    NOT_FRAMEMIG = 65  # the process was not started by framemig
    NO_SAFE_POINT = 66  # no safe point came before the timeout
    CANNOT_TRAVEL = 67  # the state holds something that cannot travel
    SNAPSHOT_MISSING = 68  # no such snapshot file
    SNAPSHOT_CORRUPT = 69  # truncated, corrupted or not a framemig snapshot
    SNAPSHOT_VERSION = 70  # a snapshot format this framemig does not know
    SOURCE_MISMATCH = 71  # a carried source file does not match its hash
    RESTORE_FAILED = 72  # the snapshot cannot continue on this interpreter
    PERMISSION = 73  # not allowed to signal or write
    BUSY = 74  # another capture is already under way
    DUMPED = 75  # exec/restore: the program was captured and ended here
    PROGRAM_NOT_FOUND = 76  # exec: no such program file
    INTERNAL = 77  # a bug in framemig
    BUS_UNAVAILABLE = 78  # Redis cannot be reached
    BAD_URL = 79  # not a Redis URL framemig understands
    NO_SUCH_NODE = 80  # no live node by that name
    NO_SUCH_PROGRAM = 81  # no program by that id in the fleet
    NAME_TAKEN = 82  # a live node already has that name
    COMMAND_FAILED = 83  # a node could not do what it was asked
    NO_REPLY = 84  # a node did not answer in time
    ROLLED_BACK = 85  # a migration failed; the program goes on where it was
    NO_KEY = 86  # no fleet key where one is needed, or an unusable key file
    UNTRUSTED = 87  # unsigned, mis-signed, stale or replayed: refused


# C0 and C1 controls, DEL and the Unicode line separators: shown as escapes in messages
_ESCAPED = {code: f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"
            for code in (*range(32), *range(127, 160), 0x2028, 0x2029)}


class FramemigError(Exception):
    """An expected failure: one line for a person, an exit code for a machine."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, code: ExitCode | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """One line of text, always: a message built from another error's text (a
        library's exception over several lines) is joined up, and a control character
        (from a snapshot's or a command's text: an escape sequence for the terminal) is
        shown escaped."""
        text = str(self.args[0])
        if "\n" in text:
            text = " ".join(part.strip() for part in text.split("\n"))
        return text.translate(_ESCAPED)


class NoSuchProcess(FramemigError):
    code = ExitCode.NO_SUCH_PROCESS


class NotFramemig(FramemigError):
    code = ExitCode.NOT_FRAMEMIG


class NoSafePoint(FramemigError):
    code = ExitCode.NO_SAFE_POINT


class CannotTravel(FramemigError):
    """Something in the state cannot be carried to another process."""

    code = ExitCode.CANNOT_TRAVEL


class SnapshotMissing(FramemigError):
    code = ExitCode.SNAPSHOT_MISSING


class SnapshotCorrupt(FramemigError):
    code = ExitCode.SNAPSHOT_CORRUPT


class SnapshotVersion(FramemigError):
    code = ExitCode.SNAPSHOT_VERSION


class SourceMismatch(FramemigError):
    code = ExitCode.SOURCE_MISMATCH


class RestoreFailed(FramemigError):
    code = ExitCode.RESTORE_FAILED


class PermissionDenied(FramemigError):
    code = ExitCode.PERMISSION


class Busy(FramemigError):
    code = ExitCode.BUSY


class ProgramNotFound(FramemigError):
    code = ExitCode.PROGRAM_NOT_FOUND


class BusUnavailable(FramemigError):
    code = ExitCode.BUS_UNAVAILABLE


class BadURL(FramemigError):
    code = ExitCode.BAD_URL


class NoSuchNode(FramemigError):
    code = ExitCode.NO_SUCH_NODE


class NoSuchProgram(FramemigError):
    code = ExitCode.NO_SUCH_PROGRAM


class NameTaken(FramemigError):
    code = ExitCode.NAME_TAKEN


class CommandFailed(FramemigError):
    code = ExitCode.COMMAND_FAILED


class NoReply(FramemigError):
    code = ExitCode.NO_REPLY


class RolledBack(FramemigError):
    code = ExitCode.ROLLED_BACK


class NoKey(FramemigError):
    code = ExitCode.NO_KEY


class Untrusted(FramemigError):
    code = ExitCode.UNTRUSTED
