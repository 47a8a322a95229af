"""Short, human descriptions of values in a snapshot body, without rebuilding them.

Used wherever a person reads a snapshot: ``framemig inspect`` and the resume module. The
value forms are those of :mod:`framemig.capture.encoder`: primitives, ``{"ref": n}`` into
the table, and descriptions written in place (``{"l": [...]}``, ``{"t": "function"}``...).
"""

from __future__ import annotations

import base64
import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40

_SHORT_KINDS = (("l", "list"), ("d", "dict"), ("o", "obj"), ("u", "tuple"))
MAP_FIELDS = ("d", "s", "sl", "ns")
_WALK_MAPS = (*MAP_FIELDS, "locals", "cells")  # frame records map names to values too


def kind(data: dict) -> str:
    found = data.get("t")
    if isinstance(found, str):
        return found
    for key, name in _SHORT_KINDS:
        if key in data:
            return name
    return "?"


def resolve(item, objects: list):
    """The description behind a value (following a reference), or the value itself."""
    if isinstance(item, dict) and "ref" in item:
        return objects[item["ref"]]
    return item


def value(item, objects: list, depth: int = 1) -> str:
    """``[1, 2, 3]``, ``<Point object>``, ``'hello'``... for an encoded value."""
    if isinstance(item, dict):
        if "float" in item:
            return item["float"]
        try:
            return entry(resolve(item, objects), objects, depth)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            return "<?>"  # a description for people: never the reason a restore fails
    return _repr.repr(item)


def _items(values: list, objects, depth, opening, closing, limit=6) -> str:
    if depth <= 0:
        return f"{opening}...{closing}" if values else f"{opening}{closing}"
    shown = [value(v, objects, depth - 1) for v in values[:limit]]
    if len(values) > limit:
        shown.append(f"... {len(values)} items")
    return opening + ", ".join(shown) + closing


def entry(data: dict, objects: list, depth: int = 1) -> str:
    what = kind(data)
    if what == "list":
        return _items(data["l"], objects, depth, "[", "]")
    if what == "tuple":
        return _items(data["u"], objects, depth, "(", ",)" if len(data["u"]) == 1 else ")")
    if what in ("set", "frozenset"):
        return _items(data["v"], objects, depth, "{", "}") if data["v"] else f"{what}()"
    if what == "dict":
        if "d" in data:
            pairs = list(data["d"].items())
            if depth <= 0:
                return "{...}" if pairs else "{}"
            shown = [f"{k!r}: {value(v, objects, depth - 1)}" for k, v in pairs[:5]]
            if len(pairs) > 5:
                shown.append(f"... {len(pairs)} items")
            return "{" + ", ".join(shown) + "}"
        return f"<dict of {len(data.get('kv', [])) // 2}>"
    if what == "obj":
        return f"<{class_name(data['o'], objects)} object>"
    if what in ("bytes", "bytearray"):
        raw = base64.b64decode(data["b64"])
        return _repr.repr(raw if what == "bytes" else bytearray(raw))
    if what == "function":
        return f"<function {data['qualname']}>"
    if what == "class":
        return f"<class {data['qualname']}>"
    if what == "method":
        return f"<bound method {value(data['func'], objects, 0)}>"
    if what == "global":
        return f"{data['module']}.{data['qualname']}"
    if what == "module":
        return f"<module {data['name']}>"
    if what == "generator":
        return f"<generator {data['qualname']} ({data['state']})>"
    if what == "cell":
        return f"<cell {value(data['v'], objects, depth) if 'v' in data else 'empty'}>"
    if what == "enum_member":
        if "name" in data:
            return f"{class_name(data['cls'], objects)}.{data['name']}"
        return f"{class_name(data['cls'], objects)}({value(data.get('value'), objects, 0)})"
    if what == "exception":
        return f"{class_name(data['cls'], objects)}{value(data['args'], objects, depth)}"
    if what == "reduce":
        return f"<{value(data['fn'], objects, 0)}(...)>"
    if what in ("float", "complex"):
        return data.get("v") or f"({data['re']}+{data['im']}j)"
    if what == "stdio":
        return f"sys.{data['name']}"
    if what == "file":
        return f"<file {data['path']!r} {data['mode']}>"
    if what == "dill":
        return f"<{data['type']} (dill)>"
    return f"<{what}>"


def class_name(item, objects: list) -> str:
    data = resolve(item, objects)
    if isinstance(data, dict):
        if kind(data) == "class":
            return data["name"]
        if kind(data) == "global":
            return data["qualname"].rsplit(".", 1)[-1]
    return "?"


def plain(item, objects: list, depth: int = 8):
    """Simple data (lists, tuples, str-keyed dicts, primitives) as Python values; anything
    else stays a description."""
    if depth <= 0 or not isinstance(item, dict):
        return item
    data = resolve(item, objects)
    if not isinstance(data, dict):
        return data
    what = kind(data)
    if what == "list":
        return [plain(v, objects, depth - 1) for v in data["l"]]
    if what == "tuple":
        return tuple(plain(v, objects, depth - 1) for v in data["u"])
    if what == "dict" and "d" in data:
        return {k: plain(v, objects, depth - 1) for k, v in data["d"].items()}
    if "float" in data:
        return float(data["float"])
    return data


def descriptions(body: dict):
    """Every description in a body (table entries and those written in place)."""
    stack = [body.get("objects", []), body.get("stack", []), body.get("modules", []),
             body.get("runtime", {})]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(x for x in item if isinstance(x, (dict, list)))
        elif isinstance(item, dict):
            if "t" in item or any(key in item for key, _ in _SHORT_KINDS):
                yield item
            for field, inner in item.items():
                if field in _WALK_MAPS and isinstance(inner, dict):
                    stack.extend(v for v in inner.values() if isinstance(v, (dict, list)))
                elif isinstance(inner, (dict, list)):
                    stack.append(inner)


def source_span(body: dict, record: dict, limit: int = 40) -> str | None:
    """The source text of the expression a frame is waiting in (one line only)."""
    at = record.get("at") or {}
    entry_ = body["sources"].get(record["code"]["source"])
    if not entry_ or at.get("line") is None or at.get("line") != at.get("end_line"):
        return None
    lines = entry_["text"].splitlines()
    if not 0 < at["line"] <= len(lines) or at.get("col") is None:
        return None
    text = lines[at["line"] - 1].encode("utf-8")[at["col"]:at["end_col"]].decode("utf-8", "replace")
    return text if len(text) <= limit else text[: limit - 3] + "..."
