"""Forms for standard-library objects that pickle cannot take, but that a program's state
holds all the time. Each is made again on the target from what it was made from.

``re.Match``: a lexer keeps its last match (ply's ``lexer.lexmatch``). A match is the
pattern's answer for a string between two positions: asked again there, the pattern gives
the same answer. The capture asks it again and compares every group's span, so the form
written is one known to make the same match; when none does, the match is refused.

``json``'s C scanner (a ``JSONDecoder``'s ``scan_once``, made from the decoder's settings
in its ``__init__``): made again from the same settings. The pure-Python one is a closure
and travels as one.

``struct.Struct`` (made again from its format), ``itertools.pairwise`` (the iterator it
reads and the item it holds back), ``queue.SimpleQueue`` (its items), ``weakref.KeyedRef``
(a ``WeakValueDictionary``'s references: referent, callback, key), an ``sqlite3``
connection (an in-memory database by its content, ``serialize()``; a file database by its
path, reopened; its open cursors are not kept).

``decimal.localcontext()``'s manager: the context it set and the one it gives back.

``csv.reader`` and ``csv.writer``: what they read from or write to, their dialect's
settings, and the line a reader has reached.

``functools.lru_cache``: the function, its parameters, its counts, and what it has
cached, oldest first — read from what the C wrapper shows the garbage collector (each
link's key and result, in order), and each key turned back into the arguments that make
it. A cached factory (``@cache def settings(): return Settings()``) gives the program the
same object after a restore. A library's cached function is the library's, by name.

``threading.Thread``: a thread that has not started, or has finished, is data — its name,
daemon flag, target and arguments, and what a subclass added (a ``Timer``'s interval,
function and ``finished`` event). Its internals differ between versions and are made
again there. A running one cannot travel (the capture refuses it before this).
"""

from __future__ import annotations

import base64
import functools
import gc
import io
import itertools
import queue
import re
import struct
import sys
import threading
import types
import weakref

from framemig import env
from framemig.capture import containers
from framemig.capture.definitions import resolve_global
from framemig.capture.refusal import Refused

MATCH_TYPE = type(re.match("", ""))
_HOW = ("match", "search", "fullmatch")


def match_entry(enc, match, index) -> dict:
    how = _how_made(match)
    if how is None:
        raise Refused("is a re.Match object that its pattern does not give again")
    return {
        "t": "re_match",
        "how": how,
        "re": enc.child(match.re, index, ".re"),
        "string": enc.child(match.string, index, ".string"),
        "pos": match.pos,
        "endpos": match.endpos,
    }


def _how_made(match) -> str | None:
    spans = match.regs
    for how in _HOW:
        again = getattr(match.re, how)(match.string, match.pos, match.endpos)
        if again is not None and again.regs == spans and \
                again.lastindex == match.lastindex:
            return how
    return None


_THREAD_INTERNALS: frozenset | None = None


def thread_entry(enc, thread, index) -> dict:
    global _THREAD_INTERNALS
    if thread.is_alive():
        raise Refused(f"is a running thread ({thread.name})")
    if _THREAD_INTERNALS is None:
        _THREAD_INTERNALS = frozenset(vars(threading.Thread()))
    namespace = vars(thread)
    started = thread._started.is_set()
    result = {
        "t": "thread",
        "cls": enc.child(type(thread), index, ".__class__"),
        "name": thread.name,
        "daemon": thread.daemon,
        "state": "finished" if started else "new",
        "attrs": containers.str_keyed(enc, {k: v for k, v in namespace.items()
                                            if k not in _THREAD_INTERNALS}),
    }
    if not started:  # what it will run
        result["target"] = enc.child(namespace.get("_target"), index, "._target")
        result["args"] = enc.child(tuple(namespace.get("_args", ())), index, "._args")
        result["kwargs"] = enc.child(dict(namespace.get("_kwargs", {})), index, "._kwargs")
    return result


_SCANNER_FIELDS = ("strict", "object_hook", "object_pairs_hook", "parse_float", "parse_int",
                   "parse_constant")


def json_scanner_entry(enc, scanner, index) -> dict:
    return {"t": "json_scanner",
            "fields": containers.str_keyed(enc, {name: getattr(scanner, name)
                                                 for name in _SCANNER_FIELDS})}


def _scanner_type():
    try:
        from json import scanner
    except ImportError:
        return None
    return scanner.c_make_scanner


def struct_entry(enc, packer, index) -> dict:
    return {"t": "struct", "format": packer.format}


def _referents(obj) -> list:
    return [r for r in gc.get_referents(obj) if not isinstance(r, type)]


def pairwise_entry(enc, pairs, index) -> dict:
    # the iterator, then the item held back once it started (3.13: then its last pair)
    held = _referents(pairs)
    return {"t": "pairwise", "it": enc.child(held[0], index, " (its iterator)"),
            "old": enc.child(held[1:2], index, " (the item held back)")}


def simple_queue_entry(enc, fifo, index) -> dict:
    size = fifo.qsize()
    held = _referents(fifo)
    if env.SIMPLE_QUEUE_LISTS_ITEMS:
        waiting = held[:size]
    else:  # the list it takes from, past what it has taken
        items = held[0]
        waiting = list(items[len(items) - size:]) if size else []
    return {"t": "simple_queue", "items": enc.child(waiting, index, " (its items)")}


def keyed_ref_entry(enc, ref, index) -> dict:
    return {"t": "keyed_ref", "obj": enc.child(ref(), index, " (referent)"),
            "callback": enc.child(ref.__callback__, index, ".__callback__"),
            "key": enc.child(ref.key, index, ".key")}


def sqlite_entry(enc, connection, index) -> dict:
    try:
        path = next((row[2] for row in connection.execute("PRAGMA database_list")
                     if row[1] == "main"), "")
    except sys.modules["sqlite3"].ProgrammingError:
        return {"t": "sqlite", "closed": True}
    if connection.in_transaction:
        raise Refused("is an sqlite3 connection inside a transaction (commit first)")
    if path:
        return {"t": "sqlite", "path": path}
    return {"t": "sqlite", "data": base64.b64encode(connection.serialize()).decode()}


def memoryview_entry(enc, view, index) -> dict:
    """A memoryview of part of a bytes-like object (ecdsa slices its input): the object
    and where in it, so that the two still share their bytes after a restore."""
    try:
        base = view.obj
    except ValueError:
        raise Refused("is a released memoryview") from None
    if view.ndim != 1 or not view.c_contiguous or \
            type(base) not in (bytes, bytearray) or view.format not in ("B", "b", "c"):
        raise Refused("is a memoryview of other than a slice of bytes or a bytearray")
    if view.nbytes:
        start = env.buffer_address(view) - env.buffer_address(base)
    else:
        start = 0
    return {"t": "memoryview", "obj": enc.child(base, index, ".obj"), "start": start,
            "stop": start + view.nbytes, "format": view.format,
            "readonly": view.readonly and type(base) is bytearray}


_DIALECT = ("delimiter", "quotechar", "escapechar", "doublequote", "skipinitialspace",
            "lineterminator", "quoting", "strict")


def csv_reader_entry(enc, reader, index) -> dict:
    """A ``csv.reader``: what it reads from (a file being iterated, a list iterator...),
    its dialect's settings, and the line it has reached (DictReader reports it)."""
    seen = gc.get_referents(reader)
    if any(type(item) is list for item in seen):
        raise Refused("is a csv.reader in the middle of a record")
    source = next((item for item in seen if not isinstance(item, type) and
                   type(item).__name__ != "Dialect"), None)
    if source is None:
        raise Refused("is a csv.reader whose input cannot be found")
    dialect = {name: getattr(reader.dialect, name) for name in _DIALECT}
    return {"t": "csv_reader", "input": enc.child(source, index, " (its input)"),
            "dialect": enc.child(dialect, index, ".dialect"), "line_num": reader.line_num}


def decimal_manager_entry(enc, manager, index) -> dict:
    """``decimal.localcontext()``: its context, and the one its exit gives back (the
    program's context before the ``with`` block, the same object after a restore)."""
    contexts = env.decimal_manager_contexts(manager)
    if contexts is None:
        raise Refused("is a decimal.localcontext() whose contexts cannot be read here")
    return {"t": "decimal_manager", "local": enc.child(contexts[0], index, " (its context)"),
            "saved": enc.child(contexts[1], index, " (the context it gives back)")}


def csv_writer_entry(enc, writer, index) -> dict:
    """A ``csv.writer``: the ``write`` method it was given (of a file, a StringIO...), and
    its dialect's settings."""
    write = next((item for item in gc.get_referents(writer) if callable(item) and
                  not isinstance(item, type)), None)
    if write is None:
        raise Refused("is a csv.writer whose output cannot be found")
    dialect = {name: getattr(writer.dialect, name) for name in _DIALECT}
    return {"t": "csv_writer", "write": enc.child(write, index, " (its output's write)"),
            "dialect": enc.child(dialect, index, ".dialect")}


def lru_entry(enc, wrapper, index) -> dict:
    module, qualname = getattr(wrapper, "__module__", None), getattr(wrapper, "__qualname__", "")
    if isinstance(module, str) and module not in enc.world.program_modules and \
            module in sys.modules and resolve_global(module, qualname) is wrapper:
        return {"t": "global", "module": module, "qualname": qualname}
    parameters = wrapper.cache_parameters()
    info = wrapper.cache_info()
    entries = [[args, kwargs, result] for args, kwargs, result in
               _lru_contents(wrapper, parameters["typed"])]
    result = {"t": "lru_cache", "f": enc.child(wrapper.__wrapped__, index, ".__wrapped__"),
              "maxsize": parameters["maxsize"], "typed": parameters["typed"],
              "hits": info.hits, "misses": info.misses}
    if entries:
        if not isinstance(wrapper.__wrapped__, types.FunctionType):
            raise Refused("is an lru_cache of something other than a function, whose cached "
                          "results cannot be put back")
        result["cached"] = enc.child(entries, index, " (cached results)")
    return result


@functools.lru_cache(maxsize=1)
def _kwd_mark():
    """The object the C lru_cache puts between positional and keyword arguments in a key."""
    probe = functools.lru_cache(maxsize=4)(lambda *a, **k: None)
    probe(1, k=2)
    return next(item[1] for item in gc.get_referents(probe)
                if type(item) is tuple and len(item) == 4)


def _lru_contents(wrapper, typed: bool):
    """``(args, kwargs, result)`` of each cached call, least recently used first."""
    seen = gc.get_referents(wrapper)
    cache = next((item for item in seen if type(item) is dict and item is not
                  getattr(wrapper, "__dict__", None)), None)
    if cache is None:
        return []
    if wrapper.cache_parameters()["maxsize"] is None:  # unbounded: the dict is the cache
        pairs = list(cache.items())
    else:  # each link shows its key, its result, then its type, in the list's order
        end = next(n for n, item in enumerate(seen) if item is cache)
        pairs = [(seen[n - 2], seen[n - 1]) for n in range(3, end, 3)
                 if isinstance(seen[n], type) and seen[n].__name__ == "_lru_list_elem"]
        if len(pairs) != len(cache):
            raise Refused("is an lru_cache whose cache could not be read")
    return [(*_arguments(key, typed), result) for key, result in pairs]


def _arguments(key, typed: bool) -> tuple[tuple, dict]:
    """The arguments a C lru_cache key was made from (functools._make_key, in C)."""
    if type(key) is not tuple:
        return (key,), {}  # one int or str argument is its own key
    mark = _kwd_mark()
    cut = next((n for n, item in enumerate(key) if item is mark), None)
    if cut is None:
        return (key[: len(key) // 2] if typed else key), {}
    rest = len(key) - cut - 1 - (cut if typed else 0)
    count = rest // (3 if typed else 2)
    flat = key[cut + 1: cut + 1 + 2 * count]
    return key[:cut], {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def _count_reduce(counter):
    import ast

    text = repr(counter)  # count(5) or count(1.5, 0.5): the state it has reached
    args = ast.literal_eval(text[text.index("("):]) if text.startswith("count(") else None
    args = args if isinstance(args, tuple) else (args,)
    if not all(type(a) in (int, float, complex) for a in args):
        raise TypeError(f"cannot describe {text}")
    return itertools.count, args


def _repeat_reduce(repeater):
    import operator

    element = _referents(repeater)[0]
    left = operator.length_hint(repeater, -1)  # -1: endless, it has no length
    return itertools.repeat, (element, left) if left >= 0 else (element,)


# PYVERSIONS: 3.14 took __reduce__ away from itertools' iterators (deprecated in 3.12);
# the ones a program's state holds most (an id counter, a repeat) travel as the call that
# makes them again where they were, the form 3.11-3.13's own __reduce__ gave.
LOST_REDUCERS = {}
if not hasattr(itertools.count, "__reduce__") or \
        itertools.count.__reduce__ is object.__reduce__:
    LOST_REDUCERS = {itertools.count: _count_reduce, itertools.repeat: _repeat_reduce}


BY_TYPE = {MATCH_TYPE: match_entry, struct.Struct: struct_entry, memoryview: memoryview_entry,
           itertools.pairwise: pairwise_entry, queue.SimpleQueue: simple_queue_entry,
           weakref.KeyedRef: keyed_ref_entry}


def token_info_entry(enc, token, index) -> dict:
    """A ``tokenize.TokenInfo``: its type by name. Token type numbers differ between
    versions (3.12 put three f-string types before COMMENT): a 3.11 COMMENT is 3.12's
    FSTRING_MIDDLE (pycodestyle lost an E261 after a 3.11 -> 3.12 restore)."""
    name = sys.modules["token"].tok_name.get(token.type)
    if name is None or type(token) is not sys.modules["tokenize"].TokenInfo:
        return containers.tuple_entry(enc, token, index)
    return {"t": "token_info", "name": name,
            "rest": enc.child(tuple(token)[1:], index, " (fields)")}


def _csv_types(csv) -> dict:
    return {type(csv.reader([])): csv_reader_entry,
            type(csv.writer(io.StringIO())): csv_writer_entry}


def _decimal_types(decimal) -> dict:
    manager = type(decimal.localcontext())  # the C one (_pydecimal's is data)
    return {manager: decimal_manager_entry} if manager.__module__ in ("decimal", "_decimal") \
        else {}


# module -> (what it must have, the forms for its types): the modules a program may block
# (``sys.modules['csv'] = None``), which framemig never imports itself
_LOADED_FORMS = {
    "_csv": ("reader", _csv_types),
    "tokenize": ("TokenInfo", lambda tokenize: {tokenize.TokenInfo: token_info_entry}),
    "sqlite3": ("Connection", lambda sqlite3: {sqlite3.Connection: sqlite_entry}),
    "decimal": ("localcontext", _decimal_types),
}
_registered: set[str] = set()


def register_loaded(table: dict) -> None:
    """Add the forms of the modules above to ``table`` once the program has loaded them
    (once each: every encoder asks, trial encoders too)."""
    for name, (needs, forms) in _LOADED_FORMS.items():
        module = sys.modules.get(name)
        if name not in _registered and module is not None and hasattr(module, needs):
            _registered.add(name)
            for kind, entry in forms(module).items():
                table.setdefault(kind, entry)


if _scanner_type() is not None:
    BY_TYPE[_scanner_type()] = json_scanner_entry
