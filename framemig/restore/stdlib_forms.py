"""Standard-library objects made again from what they were made from (see
framemig/capture/stdlib_forms.py)."""

from __future__ import annotations

import functools
import threading
import types

from framemig import env
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


def csv_reader(d, n, e):
    import csv

    yield from d.deps(n, [e["input"], e["dialect"]])
    dialect = d.value(e["dialect"])
    if not isinstance(dialect, dict):
        raise RestoreFailed("a csv.reader entry has no dialect")
    try:
        reader = csv.reader(d.value(e["input"]), **dialect)
    except (TypeError, csv.Error) as exc:
        raise RestoreFailed(f"a csv.reader cannot be made again here: {exc}") from None
    line = int(e.get("line_num", 0))
    if line and not env.set_csv_line_num(reader, line):
        raise RestoreFailed("a csv.reader's line number cannot be set on this interpreter")
    d.memo[n] = reader


def decimal_manager(d, n, e):
    import decimal

    yield from d.deps(n, [e["local"], e["saved"]])
    local, saved = d.value(e["local"]), d.value(e["saved"])
    if not isinstance(local, decimal.Context) or not isinstance(saved, decimal.Context):
        raise RestoreFailed("a decimal.localcontext() entry names no contexts")
    current = decimal.getcontext()
    decimal.setcontext(saved)  # what the manager gives back is the context current as it
    try:                       # is made
        d.memo[n] = decimal.localcontext(local)
    finally:
        decimal.setcontext(current)


def token_info(d, n, e):
    import token
    import tokenize

    yield from d.deps(n, e["rest"])
    number = getattr(token, str(e.get("name")), None)
    rest = d.value(e["rest"])
    if type(number) is not int or not isinstance(rest, tuple) or len(rest) != 4:
        raise RestoreFailed(f"token type {e.get('name')!r} does not exist on this "
                            f"interpreter")
    d.memo[n] = tokenize.TokenInfo(number, *rest)


class _Output:
    """What a csv.writer is made with: an object with the ``write`` it had."""

    def __init__(self, write):
        self.write = write


def csv_writer(d, n, e):
    import csv

    yield from d.deps(n, [e["write"], e["dialect"]])
    dialect, write = d.value(e["dialect"]), d.value(e["write"])
    if not isinstance(dialect, dict) or not callable(write):
        raise RestoreFailed("a csv.writer entry has no dialect or no output")
    try:
        d.memo[n] = csv.writer(_Output(write), **dialect)
    except (TypeError, csv.Error) as exc:
        raise RestoreFailed(f"a csv.writer cannot be made again here: {exc}") from None


def fill_lru_cache(wrapper, entries) -> None:
    """Put cached results back into a new lru_cache wrapper, oldest first, without running
    the function: while it fills, the function runs a stand-in that hands over the results
    (its code swapped for one with the same free variables, and back)."""
    function = wrapper.__wrapped__
    if not isinstance(function, types.FunctionType) or not isinstance(entries, list):
        raise RestoreFailed("an lru_cache entry whose cached results cannot be put back")
    results = iter([entry[2] for entry in entries])
    saved = function.__code__, function.__defaults__, function.__kwdefaults__
    function.__code__ = _stand_in(len(function.__code__.co_freevars))
    function.__defaults__, function.__kwdefaults__ = None, {"_framemig_results": results}
    try:
        for args, kwargs, _ in entries:
            wrapper(*args, **kwargs)
    finally:
        function.__code__, function.__defaults__, function.__kwdefaults__ = saved


@functools.lru_cache(maxsize=8)
def _stand_in(free: int) -> types.CodeType:
    names = [f"_v{i}" for i in range(free)]
    text = "def outer():\n" + "".join(f"    {name} = None\n" for name in names)
    text += "    def stand_in(*args, _framemig_results, **kwargs):\n"
    text += (f"        ({', '.join(names)},)\n" if names else "")
    text += "        return next(_framemig_results)\n    return stand_in\n"
    namespace: dict = {}
    exec(compile(text, "<framemig lru_cache filling>", "exec"), namespace)
    return namespace["outer"]().__code__


BUILDERS = {"re_match": re_match, "memoryview": memoryview_, "thread": thread, "json_scanner": json_scanner,
            "struct": struct_, "pairwise": pairwise, "simple_queue": simple_queue,
            "keyed_ref": keyed_ref, "sqlite": sqlite,
            "csv_reader": csv_reader, "csv_writer": csv_writer,
            "decimal_manager": decimal_manager, "token_info": token_info}
