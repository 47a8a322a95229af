"""Descriptions of the built-in containers and byte strings: the bulk of most states, so
written for speed (primitives are copied as they are, one try block per container)."""

from __future__ import annotations

import base64
import gc
from binascii import b2a_base64
from math import isfinite

from framemig.capture.refusal import Refused

PRIMITIVES = frozenset({int, str, bool, type(None)})
ADDRESS_FLOOR = 1 << 16  # below it, no int is an object's address


def values(enc, items) -> list:
    """The items' values; an int among them that may be an object's id is noted (lark
    keeps a deque of ``id(node)``: see Encoder.may_be_id)."""
    out = []
    append = out.append
    item = enc.item
    n = -1
    try:
        for n, value in enumerate(items):  # noqa: B007  (n names a refused item)
            kind = type(value)
            if kind in PRIMITIVES or (kind is float and isfinite(value)):
                if kind is int and value >= ADDRESS_FLOOR:
                    enc.may_be_id(out, n, value)
                append(value)
            else:
                append(item(value))
    except Refused as refusal:
        refusal.steps.append(f"[{n}]")
        raise
    return out


def list_entry(enc, obj, _index):
    return {"l": values(enc, obj)}


def tuple_entry(enc, obj, _index):
    return {"u": values(enc, obj)}


def set_entry(enc, obj, _index):
    return {"t": "set", "v": values(enc, obj)}


def frozenset_entry(enc, obj, _index):
    return {"t": "frozenset", "v": values(enc, obj)}


def str_keyed(enc, obj: dict) -> dict:
    """A dict whose keys are all strings, as a JSON object."""
    out = {}
    item = enc.item
    key = None
    try:
        for key, value in obj.items():
            kind = type(value)
            if kind in PRIMITIVES or (kind is float and isfinite(value)):
                out[key] = value
            else:
                out[key] = item(value)
    except Refused as refusal:
        refusal.steps.append(f"[{key!r}]")
        raise
    return out


def dict_description(enc, obj: dict) -> dict:
    """``{"d": {...}}`` when every key is a str (the usual case), else flat pairs."""
    for key in obj:
        if type(key) is not str:
            break
    else:
        return {"d": str_keyed(enc, obj)}
    flat = []
    for n, (key, value) in enumerate(obj.items()):
        if type(key) is int:
            enc.may_be_id(flat, len(flat), key)
        flat.append(enc.child(key, 0, f" key #{n}"))
        flat.append(enc.child(value, 0, f"[{key!r}]"))
    return {"t": "dict", "kv": flat}


def bytes_entry(enc, obj, _index):
    return {"t": "bytes", "b64": b2a_base64(obj, newline=False).decode("ascii")}


def bytearray_entry(enc, obj, _index):
    return {"t": "bytearray", "b64": base64.b64encode(obj).decode("ascii")}


def float_entry(enc, obj, _index):
    """Only floats JSON cannot hold (inf, nan) get here, and only when shared."""
    return {"t": "float", "v": repr(obj)}


def complex_entry(enc, obj, _index):
    return {"t": "complex", "re": repr(obj.real), "im": repr(obj.imag)}


_VIEWS = {type({}.keys()): "keys", type({}.values()): "values", type({}.items()): "items"}


def dict_view_entry(enc, obj, _index):
    """A live view stays a view of the same dict."""
    mapping = next(r for r in gc.get_referents(obj) if isinstance(r, dict))
    return {"t": "dict_view", "view": _VIEWS[type(obj)], "dict": enc.child(mapping, 0, "")}


def mappingproxy_entry(enc, obj, _index):
    mapping = next(r for r in gc.get_referents(obj) if isinstance(r, dict))
    return {"t": "mappingproxy", "dict": enc.child(mapping, 0, "")}
