"""Standard-library objects made again from what they were made from (see
framemig/capture/stdlib_forms.py)."""

from __future__ import annotations

import threading

from framemig.errors import RestoreFailed

_HOW = frozenset({"match", "search", "fullmatch"})


def re_match(d, n, e):
    yield from d.deps(n, [e["re"], e["string"]])
    pattern, string = d.value(e["re"]), d.value(e["string"])
    how = e.get("how")
    if how not in _HOW or not hasattr(pattern, how):
        raise RestoreFailed(f"a re.Match made by {how!r}, which is not a pattern's method")
    match = getattr(pattern, how)(string, e["pos"], e["endpos"])
    if match is None:
        raise RestoreFailed(f"the pattern {pattern.pattern!r} does not match its string here")
    d.memo[n] = match


def thread(d, n, e):
    """A thread that had not started, or had finished: made here, and if it had finished,
    given the internals of a thread that finished here (they differ between versions)."""
    attrs = e.get("attrs") or {}
    yield from d.deps(n, [e["cls"], e.get("target"), e.get("args"), e.get("kwargs"),
                          *attrs.values()])
    cls = d.value(e["cls"])
    if not (isinstance(cls, type) and issubclass(cls, threading.Thread)):
        raise RestoreFailed("a thread entry names a class that is not a thread")
    obj = cls.__new__(cls)
    threading.Thread.__init__(obj, target=d.value(e.get("target")), name=str(e["name"]),
                              args=d.value(e.get("args")) or (),
                              kwargs=d.value(e.get("kwargs")) or {},
                              daemon=bool(e.get("daemon")))
    if e.get("state") == "finished":
        finished = threading.Thread(name=str(e["name"]), daemon=bool(e.get("daemon")))
        finished.start()
        finished.join()
        done = vars(finished)
        for key in ("_target", "_args", "_kwargs"):  # run() let go of them
            if key not in done:
                vars(obj).pop(key, None)
        vars(obj).update({k: v for k, v in done.items() if k not in ("_name", "_daemonic")})
    vars(obj).update({k: v if type(v) is not dict else d.value(v) for k, v in attrs.items()})
    d.memo[n] = obj


_SCANNER_FIELDS = frozenset({"strict", "object_hook", "object_pairs_hook", "parse_float",
                             "parse_int", "parse_constant"})


def json_scanner(d, n, e):
    fields = e.get("fields") or {}
    yield from d.deps(n, list(fields.values()))
    from json import scanner  # only for a program that had one
    from types import SimpleNamespace
    settings = {k: v if type(v) is not dict else d.value(v) for k, v in fields.items()
                if k in _SCANNER_FIELDS}
    d.memo[n] = scanner.make_scanner(SimpleNamespace(memo={}, **settings))


def struct_(d, n, e):
    import struct
    d.memo[n] = struct.Struct(str(e["format"]))
    return
    yield


def pairwise(d, n, e):
    yield from d.deps(n, [e["it"], e["old"]])
    import itertools
    held = d.value(e["old"])
    iterator = d.value(e["it"])
    d.memo[n] = itertools.pairwise(itertools.chain(held, iterator) if held else iterator)


def simple_queue(d, n, e):
    yield from d.deps(n, e["items"])
    import queue
    fifo = queue.SimpleQueue()
    for item in d.value(e["items"]):
        fifo.put(item)
    d.memo[n] = fifo


def keyed_ref(d, n, e):
    yield from d.deps(n, [e["obj"], e["callback"], e["key"]])
    import weakref
    d.memo[n] = weakref.KeyedRef(d.value(e["obj"]), d.value(e["callback"]), d.value(e["key"]))


def sqlite(d, n, e):
    import base64
    import sqlite3
    if e.get("closed"):
        connection = sqlite3.connect(":memory:")
        connection.close()
    elif "path" in e:
        try:
            connection = sqlite3.connect(str(e["path"]))
        except sqlite3.Error as exc:
            raise RestoreFailed(f"database {e['path']!r} cannot be opened here: {exc}") from None
    else:
        connection = sqlite3.connect(":memory:")
        connection.deserialize(base64.b64decode(e["data"]))
    d.memo[n] = connection
    return
    yield


def memoryview_(d, n, e):
    yield from d.deps(n, e["obj"])
    base = d.value(e["obj"])
    if type(base) not in (bytes, bytearray):
        raise RestoreFailed("a memoryview entry names no bytes-like object")
    view = memoryview(base)[int(e["start"]):int(e["stop"])]
    if e.get("format", "B") != "B":
        view = view.cast(str(e["format"]))
    d.memo[n] = view.toreadonly() if e.get("readonly") else view


BUILDERS = {"re_match": re_match, "memoryview": memoryview_, "thread": thread, "json_scanner": json_scanner,
            "struct": struct_, "pairwise": pairwise, "simple_queue": simple_queue,
            "keyed_ref": keyed_ref, "sqlite": sqlite}
