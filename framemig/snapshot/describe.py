"""Short, human descriptions of values in a snapshot body, without rebuilding them.

Used wherever a person reads a snapshot: ``framemig inspect`` and the resume module.
"""

from __future__ import annotations

import base64
import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40


def value(item, objects: list, depth: int = 1) -> str:
    """``[1, 2, 3]``, ``<Point>``, ``'hello'``... for an encoded value."""
    if isinstance(item, dict):
        if "ref" in item:
            return entry(objects[item["ref"]], objects, depth)
        if "float" in item:
            return item["float"]
    return _repr.repr(item)


def _items(values: list, objects, depth, opening, closing, limit=6) -> str:
    if depth <= 0:
        return f"{opening}...{closing}" if values else f"{opening}{closing}"
    shown = [value(v, objects, depth - 1) for v in values[:limit]]
    if len(values) > limit:
        shown.append(f"... {len(values)} items")
    return opening + ", ".join(shown) + closing


def entry(data: dict, objects: list, depth: int = 1) -> str:
    kind = data.get("t")
    if kind == "list":
        return _items(data["v"], objects, depth, "[", "]")
    if kind == "tuple":
        return _items(data["v"], objects, depth, "(", ",)" if len(data["v"]) == 1 else ")")
    if kind in ("set", "frozenset"):
        return _items(data["v"], objects, depth, "{", "}") if data["v"] else f"{kind}()"
    if kind == "dict":
        if "s" in data:
            pairs = list(data["s"].items())
            if depth <= 0:
                return "{...}" if pairs else "{}"
            shown = [f"{k!r}: {value(v, objects, depth - 1)}" for k, v in pairs[:5]]
            if len(pairs) > 5:
                shown.append(f"... {len(pairs)} items")
            return "{" + ", ".join(shown) + "}"
        return f"<dict of {len(data.get('kv', [])) // 2}>"
    if kind in ("bytes", "bytearray"):
        raw = base64.b64decode(data["b64"])
        return _repr.repr(raw if kind == "bytes" else bytearray(raw))
    if kind == "function":
        return f"<function {data['qualname']}>"
    if kind == "class":
        return f"<class {data['qualname']}>"
    if kind == "method":
        return f"<bound method {value(data['func'], objects, 0)}>"
    if kind == "global":
        return f"{data['module']}.{data['qualname']}"
    if kind == "module":
        return f"<module {data['name']}>"
    if kind == "generator":
        return f"<generator {data['qualname']} ({data['state']})>"
    if kind == "cell":
        return f"<cell {value(data['v'], objects, depth) if 'v' in data else 'empty'}>"
    if kind == "enum_member":
        return f"{value(data['cls'], objects, 0)[7:-1]}.{data['name']}"
    if kind == "exception":
        return f"{value(data['cls'], objects, 0)}{value(data['args'], objects, depth)}"
    if kind == "reduce":
        constructor = objects[data["args"]["ref"]]["v"][0] if _newobj(data, objects) else None
        if constructor is not None:
            name = value(constructor, objects, 0).strip("<>").removeprefix("class ")
            return f"<{name.rsplit('.', 1)[-1]} object>"
        return f"<{value(data['fn'], objects, 0)}(...)>"
    if kind in ("float", "complex"):
        return data.get("v") or f"({data['re']}+{data['im']}j)"
    if kind == "stdio":
        return f"sys.{data['name']}"
    if kind == "file":
        return f"<file {data['path']!r} {data['mode']}>"
    if kind == "dill":
        return f"<{data['type']} (dill)>"
    return f"<{kind}>"


def _newobj(data, objects) -> bool:
    fn = data.get("fn")
    if not (isinstance(fn, dict) and "ref" in fn):
        return False
    target = objects[fn["ref"]]
    return target.get("t") == "global" and target.get("qualname") == "__newobj__"


def source_span(body: dict, record: dict, limit: int = 40) -> str | None:
    """The source text of the expression a frame is waiting in (one line only)."""
    at = record.get("at") or {}
    entry = body["sources"].get(record["code"]["source"])
    if not entry or at.get("line") is None or at.get("line") != at.get("end_line"):
        return None
    lines = entry["text"].splitlines()
    if not 0 < at["line"] <= len(lines) or at.get("col") is None:
        return None
    text = lines[at["line"] - 1].encode("utf-8")[at["col"]:at["end_col"]].decode("utf-8", "replace")
    return text if len(text) <= limit else text[: limit - 3] + "..."
