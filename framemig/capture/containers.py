"""Entries for the built-in containers and byte strings."""

from __future__ import annotations

import base64
import gc


def items(enc, values, index: int) -> list:
    return [enc.child(value, index, f"[{i}]") for i, value in enumerate(values)]


def list_entry(enc, obj, index):
    return {"t": "list", "v": items(enc, obj, index)}


def tuple_entry(enc, obj, index):
    return {"t": "tuple", "v": items(enc, obj, index)}


def set_entry(enc, obj, index):
    return {"t": "set", "v": items(enc, obj, index)}


def frozenset_entry(enc, obj, index):
    return {"t": "frozenset", "v": items(enc, obj, index)}


def dict_items(enc, obj: dict, index: int) -> dict:
    """A dict's items: ``{"s": {...}}`` when every key is a str, else flat pairs."""
    if all(type(key) is str for key in obj):
        return {"s": {key: enc.child(value, index, f"[{key!r}]") for key, value in obj.items()}}
    flat = []
    for i, (key, value) in enumerate(obj.items()):
        flat.append(enc.child(key, index, f" key #{i}"))
        flat.append(enc.child(value, index, f"[{key!r}]"))
    return {"kv": flat}


def plain_dict_entry(enc, obj, index):
    return {"t": "dict", **dict_items(enc, obj, index)}


def bytes_entry(enc, obj, index):
    return {"t": "bytes", "b64": base64.b64encode(obj).decode("ascii")}


def bytearray_entry(enc, obj, index):
    return {"t": "bytearray", "b64": base64.b64encode(obj).decode("ascii")}


def float_entry(enc, obj, index):
    """Only floats JSON cannot hold (inf, nan) reach the table."""
    return {"t": "float", "v": repr(obj)}


def complex_entry(enc, obj, index):
    return {"t": "complex", "re": repr(obj.real), "im": repr(obj.imag)}


_VIEWS = {type({}.keys()): "keys", type({}.values()): "values", type({}.items()): "items"}


def dict_view_entry(enc, obj, index):
    """A live view stays a view of the same dict."""
    mapping = next(r for r in gc.get_referents(obj) if isinstance(r, dict))
    return {"t": "dict_view", "view": _VIEWS[type(obj)], "dict": enc.child(mapping, index, "")}


def mappingproxy_entry(enc, obj, index):
    mapping = next(r for r in gc.get_referents(obj) if isinstance(r, dict))
    return {"t": "mappingproxy", "dict": enc.child(mapping, index, "")}
