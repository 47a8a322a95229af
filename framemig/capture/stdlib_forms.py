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

``threading.Thread``: a thread that has not started, or has finished, is data — its name,
daemon flag, target and arguments, and what a subclass added (a ``Timer``'s interval,
function and ``finished`` event). Its internals differ between versions and are made
again there. A running one cannot travel (the capture refuses it before this).
"""

from __future__ import annotations

import base64
import gc
import itertools
import queue
import re
import sqlite3
import struct
import threading
import weakref

from framemig import env
from framemig.capture import containers
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
    except sqlite3.ProgrammingError:
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


BY_TYPE = {MATCH_TYPE: match_entry, struct.Struct: struct_entry, memoryview: memoryview_entry,
           itertools.pairwise: pairwise_entry, queue.SimpleQueue: simple_queue_entry,
           weakref.KeyedRef: keyed_ref_entry, sqlite3.Connection: sqlite_entry}
if _scanner_type() is not None:
    BY_TYPE[_scanner_type()] = json_scanner_entry
