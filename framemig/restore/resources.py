"""Things tied to a process, made again in this one (see framemig/capture/resources.py):
standard streams, files (read, appended to, written), locks, lru_cache wrappers with what
they cached, weak references."""

from __future__ import annotations

import functools
import os
import sys
import threading
import weakref

from framemig import env
from framemig.errors import RestoreFailed
from framemig.restore import stdlib_forms
from framemig.snapshot.format import file_digest


def stdio(d, n, e):
    d.memo[n] = getattr(sys, e["name"])
    return
    yield


def _mode_of(e: dict) -> str:
    """The entry's mode, if it is one its branch opens a file with as it was captured:
    reading never writes, creates or truncates (``r``, ``b``, ``t``); appending only
    appends to a file that exists; a file that was being written is opened from a
    descriptor, never truncated, and only where it is byte for byte as it was left."""
    mode, path = e.get("mode"), e.get("path")
    if not isinstance(mode, str) or not isinstance(path, str) or "\0" in path:
        raise RestoreFailed(f"a file entry is malformed (path {path!r}, mode {mode!r})")
    if e.get("closed"):
        allowed, needed = set("rwxabt+"), ""
    elif "written" in e:
        allowed, needed = set("rwxabt+"), ""
    elif e.get("append"):
        allowed, needed = set("abt+"), "a"
    else:
        allowed, needed = set("rbt"), "r"
    if not mode or not set(mode) <= allowed or (needed and needed not in mode) or \
            len(set(mode)) != len(mode):
        raise RestoreFailed(f"file {path!r}: mode {mode!r} is not one a captured file of "
                            f"this kind is opened with")
    return mode


def file(d, n, e):
    path, mode = e["path"], _mode_of(e)
    if e.get("closed"):
        handle = open(os.devnull, "rb" if "b" in mode else "r")  # noqa: SIM115
        handle.close()
    elif "written" in e:
        handle = _reopen_written(path, mode, e)
    elif e.get("append"):
        if not os.path.isfile(path):
            raise RestoreFailed(f"file {path!r} (open for appending) does not exist here")
        try:
            handle = open(path, mode, encoding=e.get("encoding"), errors=e.get("errors"),  # noqa: SIM115
                          buffering=1 if e.get("line_buffering") else -1)
        except OSError as exc:
            raise RestoreFailed(f"file {path!r} (open for appending) cannot be opened "
                                f"here: {exc.strerror}") from None
    else:
        extra = {"newline": e["newline"]} if e.get("text") and "newline" in e else {}
        try:
            handle = open(path, mode, encoding=e.get("encoding"), errors=e.get("errors"),  # noqa: SIM115
                          **extra)
            if "chars" in e:  # it was being read by ``for line in f``
                _read_characters(handle, int(e["chars"]))
            else:
                handle.seek(e["pos"])
        except OSError as exc:
            raise RestoreFailed(f"file {path!r} (open for reading) cannot be opened here: "
                                f"{exc.strerror}") from None
    d.memo[n] = handle
    return
    yield


def _reopen_written(path: str, mode: str, e: dict):
    """A file that was open for writing, opened again where it is the same file, in its
    mode but without truncating it, at the position the program had reached."""
    written = e["written"]
    try:
        digest, size = file_digest(path)
    except OSError as exc:
        raise RestoreFailed(f"file {path!r} (open for writing) is not here: "
                            f"{exc.strerror}") from None
    if size != written.get("size") or digest != written.get("sha256"):
        raise RestoreFailed(f"file {path!r} (open for writing) is not here as the program "
                            f"left it")
    extra = {"encoding": e.get("encoding"), "errors": e.get("errors")} if e.get("text") else {}
    if e.get("text") and "newline" in e:
        extra["newline"] = e["newline"]
    # opened from a descriptor, the file is not truncated (nor created), and keeps its mode
    flags = os.O_RDWR if "+" in mode or "r" in mode else os.O_WRONLY
    try:
        handle = open(os.open(path, flags), mode,  # noqa: SIM115
                      buffering=1 if e.get("line_buffering") else -1, **extra)
        raw = handle.buffer.raw if e.get("text") else getattr(handle, "raw", handle)
        raw.name = path
        handle.seek(int(written["pos"]))
    except (OSError, ValueError, AttributeError) as exc:
        raise RestoreFailed(f"file {path!r} (open for writing) cannot be opened here: "
                            f"{exc}") from None
    return handle


def _read_characters(handle, count: int) -> None:
    while count > 0:
        piece = handle.read(min(count, 1 << 20))
        if not piece:
            raise RestoreFailed(f"file {handle.name!r} is shorter here than where the "
                                f"program was reading it")
        count -= len(piece)


def lock(d, n, e):
    lock = threading.RLock() if e.get("rlock") else threading.Lock()
    if e.get("locked"):
        for _ in range(e.get("count", 1)):  # an RLock held as often as it was
            lock.acquire()
    d.memo[n] = lock
    return
    yield


def lru_cache(d, n, e):
    yield from d.deps(n, [e["f"], e.get("cached")])
    wrapper = functools.lru_cache(maxsize=e["maxsize"], typed=e["typed"])(d.value(e["f"]))
    if "cached" in e:
        stdlib_forms.fill_lru_cache(wrapper, d.value(e["cached"]))
    if "hits" in e:
        env.set_lru_counters(wrapper, int(e["hits"]), int(e["misses"]))
    d.memo[n] = wrapper


def weakref_(d, n, e):
    yield from d.deps(n, e["obj"])
    referent = d.value(e["obj"])
    if referent is None:
        referent = _Gone()
        d.memo[n] = weakref.ref(referent)
        del referent
    else:
        d.memo[n] = weakref.ref(referent)


class _Gone:
    pass


BUILDERS = {"stdio": stdio, "file": file, "lock": lock, "lru_cache": lru_cache,
            "weakref": weakref_}
