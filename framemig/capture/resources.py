"""Entries for things tied to this process: standard streams, files, locks, weak references,
and the refusals for what cannot be carried at all (sockets, threads, frames).
"""

from __future__ import annotations

import codecs
import functools
import io
import os
import re
import socket
import subprocess
import sys
import threading
import types
import weakref

from framemig import env
from framemig.capture import stdlib_forms
from framemig.capture.refusal import Refused
from framemig.snapshot.format import file_digest

_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())
_LRU = functools._lru_cache_wrapper
_STDIO = ("stdin", "stdout", "stderr")


def entry(enc, obj, index) -> dict | None:
    """An entry for a process-bound object, None if ``obj`` is not one."""
    for name in _STDIO:
        if obj is getattr(sys, name) or obj is getattr(sys, f"__{name}__"):
            return {"t": "stdio", "name": name}
    kind = type(obj)
    if kind is _LOCK or kind is _RLOCK:
        named = enc.library_lock_name(obj)
        if named is not None:  # a library's own lock: the same one, by name
            result = {"t": "global", "module": named[0], "qualname": named[1]}
            held = enc.held_once(obj)
            if held:
                result["held"] = held
            return result
        held = lock_count(obj)
        result = {"t": "lock", "rlock": kind is _RLOCK, "locked": held > 0}
        if held > 1:
            result["count"] = held
        return result
    if kind is _LRU:
        return stdlib_forms.lru_entry(enc, obj, index)
    if kind is weakref.ref:
        referent = obj()
        return {"t": "weakref", "obj": enc.child(referent, index, " (referent)")}
    if isinstance(obj, io.IOBase) and not isinstance(obj, (io.StringIO, io.BytesIO)):
        return _file(obj)
    if isinstance(obj, threading.Thread):
        return stdlib_forms.thread_entry(enc, obj, index)
    refusal = _refusal(obj)
    if refusal:
        raise Refused(refusal)
    return None


def is_lock(obj) -> bool:
    kind = type(obj)
    return kind is _LOCK or kind is _RLOCK


def lock_count(lock) -> int:
    """How many times the program holds ``lock``: 0 or 1 for a Lock (whoever took it),
    the recursion count for an RLock, which only the program's thread may hold."""
    if type(lock) is not _RLOCK:
        return 1 if lock.locked() else 0
    count = owned_count(lock)
    if count == 0 and repr(lock).startswith("<locked"):
        raise Refused("is a lock held by another thread")
    return count


def owned_count(lock) -> int:
    """How many times this thread (the program's, at a capture) holds an RLock; 0 for a
    Lock, whose holder is not known."""
    if type(lock) is not _RLOCK or not lock._is_owned():
        return 0
    counter = getattr(lock, "_recursion_count", None)
    if counter is not None:
        return counter()
    match = re.search(r"count=(\d+)", repr(lock))  # <locked ... owner=N count=2 at ...>
    return int(match.group(1)) if match else 1


def _file(handle) -> dict:
    name = getattr(handle, "name", None)
    mode = getattr(handle, "mode", "") or ""
    if not isinstance(name, str):
        raise Refused("is an open file without a path (a pipe or a descriptor)")
    if handle.closed:
        return {"t": "file", "path": os.path.abspath(name), "mode": mode, "closed": True}
    text = isinstance(handle, io.TextIOBase)
    if handle.writable():
        if "a" not in mode or "+" in mode:
            return _written_file(handle, name, mode, text)
        # appending (a log file): what it holds is written now; the target appends to
        # the same file, which must be there
        handle.flush()
        return {"t": "file", "path": os.path.abspath(name), "mode": mode, "text": text,
                "encoding": getattr(handle, "encoding", None) if text else None,
                "errors": getattr(handle, "errors", None) if text else None,
                "line_buffering": getattr(handle, "line_buffering", False),
                "append": True, "closed": False}
    result = {
        "t": "file",
        "path": os.path.abspath(name),
        "mode": mode,
        "text": text,
        "encoding": getattr(handle, "encoding", None) if text else None,
        "errors": getattr(handle, "errors", None) if text else None,
        "closed": False,
    }
    if text:
        newline = env.text_newline(handle)
        if newline is not None and type(newline) is not str:
            raise Refused(f"is a text file ({name!r}) whose newline mode cannot be read")
        result["newline"] = newline
    try:
        result["pos"] = handle.tell()
    except OSError:  # ``for line in f``: a text file's tell() is off while it iterates
        result["chars"] = _characters_read(handle, name, newline)
    return result


def _written_file(handle, name: str, mode: str, text: bool) -> dict:
    """A file open for writing: written out now, and on the target opened again without
    truncating it, at the same position — only where the file is the same, byte for byte
    (the same machine, a shared disk): its size and hash travel to be checked."""
    if text and getattr(handle, "_CHUNK_SIZE", None) is None:
        raise Refused(f"is a file open for writing ({name!r}) of a kind that cannot travel")
    try:
        handle.flush()
        position = handle.tell()
    except (OSError, ValueError) as exc:
        raise Refused(f"is a file open for writing ({name!r}) whose position cannot be "
                      f"read: {exc}") from None
    try:
        digest, size = file_digest(name)
    except OSError as exc:
        raise Refused(f"is a file open for writing ({name!r}) that cannot be read back: "
                      f"{exc.strerror}") from None
    return {"t": "file", "path": os.path.abspath(name), "mode": mode, "text": text,
            "encoding": getattr(handle, "encoding", None) if text else None,
            "errors": getattr(handle, "errors", None) if text else None,
            "newline": env.text_newline(handle) if text else None,
            "line_buffering": getattr(handle, "line_buffering", False),
            "written": {"pos": position, "size": size,
                        "sha256": digest}, "closed": False}


def _characters_read(handle, name: str, newline) -> int:
    """How many characters ``for line in f`` has taken from a text file: the file's text
    up to what its buffer has read, less what is decoded and not returned yet. The
    restore reads as many and goes on from there."""
    state = env.text_reading_state(handle)
    if state is None:
        raise Refused(f"is a file being read with next() ({name!r}); its position cannot "
                      f"be found on this interpreter")
    chunk, used = state
    end = handle.buffer.tell()
    with open(name, "rb") as raw:
        data = raw.read(end)
    decoder = codecs.getincrementaldecoder(handle.encoding)(handle.errors)
    if newline is None or newline == "":
        decoder = io.IncrementalNewlineDecoder(decoder, translate=newline is None)
    text = decoder.decode(data)
    if len(data) != end or not text.endswith(chunk) or used > len(chunk):
        raise Refused(f"is a file being read with next() ({name!r}) that changed on disk "
                      f"since it was opened")
    return len(text) - len(chunk) + used


def _refusal(obj) -> str | None:
    if isinstance(obj, socket.socket):
        return "is a socket"
    if isinstance(obj, subprocess.Popen):
        return f"is a child process (pid {obj.pid})"
    if isinstance(obj, types.FrameType):
        return "is a frame object"
    if isinstance(obj, types.TracebackType):
        return "is a traceback object"
    if isinstance(obj, types.AsyncGeneratorType):
        return "is an asynchronous generator (asyncio programs cannot be captured yet)"
    return None


def refusal_text(obj) -> str:
    kind = type(obj)
    return (f"is a {kind.__module__}.{kind.__qualname__} object, which has no form that "
            f"can travel")


_FRAMEMIG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _innermost(exc: BaseException):
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback


def raised_by_program(exc: BaseException) -> bool:
    """Was ``exc`` raised by code that is not framemig's: the program's or a library's,
    run while one of its objects was described?"""
    traceback = _innermost(exc)
    if traceback is None:
        return False
    filename = os.path.abspath(traceback.tb_frame.f_code.co_filename)
    return not filename.startswith(_FRAMEMIG_DIR + os.sep)


def failure_text(obj, exc: BaseException) -> str:
    """The end of a refusal for an object whose own code failed while it was described."""
    kind = type(obj)
    traceback = _innermost(exc)
    code = traceback.tb_frame.f_code
    place = f"{os.path.basename(code.co_filename)}:{traceback.tb_lineno}"
    text = str(exc)
    message = text.splitlines()[0] if text else ""
    if len(message) > 120:
        message = message[:117] + "..."
    return (f"is a {kind.__module__}.{kind.__qualname__} object that cannot be described: "
            f"its {code.co_qualname} ({place}) raised {type(exc).__name__}"
            f"{': ' + message if message else ''}")
