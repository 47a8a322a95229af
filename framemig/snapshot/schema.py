"""A snapshot's shape, checked before anything is built from it.

The checksum and the signature say who made a snapshot, not that it is well formed: an
unsigned file given with ``--trust-unsigned`` is anyone's, and a bug or a damaged disk can
write nonsense under a good checksum. The restorer reads positions, frame records and
references straight into code objects and value stacks, where a value of the wrong type
is at best a traceback and at worst a crashed interpreter. So every field the restorer
reads is checked here first — its type, its range, where a reference points — and a
snapshot that does not fit is refused in one line naming the field (exit 69).

What is checked here is the frame of the document: the program, its modules, the stack
records (also those of generators in the object table), the positions, and that every
reference points into the object table. What each object description holds is checked
by the decoder that builds it (:mod:`framemig.restore.allowed` for what it may call).
"""

from __future__ import annotations

from framemig.errors import SnapshotCorrupt

MAX_LINE = 10_000_000  # a source line or column a position may name
MAX_COUNT = 1_000_000  # occurrences, ranks, hops
ITEM_KINDS = frozenset({"v", "self", "exc", "lasti", "maybe"})  # see interp/stackmap.py
LINK_KINDS = frozenset({"direct", "gen", "redo", "sleep", "class"})
GENERATOR_VIA = frozenset({"for", "yield from", "next", "send", "throw", "__next__"})
GENERATOR_STATES = frozenset({"running", "created", "suspended", "closed"})
# maps of the program's own keys (a dict's, an instance's), and a frame record's maps of
# variable names: a key there is no field of framemig's (a local named ``t``)
MAP_FIELDS = frozenset({"d", "s", "sl", "ns", "locals", "cells"})


class Malformed(Exception):
    """Where (a path into the body) and what is wrong."""


def check(body: dict, name: str = "snapshot") -> None:
    """Raise SnapshotCorrupt unless ``body`` has the shape a restore reads."""
    try:
        _Checker(body).run()
    except RecursionError:  # generators in generators, in place, deeper than Python goes
        raise SnapshotCorrupt(f"{name} is malformed: nested too deeply") from None
    except Malformed as exc:
        where, what = exc.args
        raise SnapshotCorrupt(f"{name} is malformed: {where}: {what}") from None


def _is_int(value, low: int = 0, high: int = MAX_COUNT) -> bool:
    return type(value) is int and low <= value <= high


class _Checker:
    def __init__(self, body: dict):
        self.body = body
        objects = body.get("objects")
        self.size = len(objects) if type(objects) is list else 0

    def fail(self, where: str, what: str):
        raise Malformed(where, what)

    def need(self, ok: bool, where: str, what: str) -> None:
        if not ok:
            self.fail(where, what)

    def field(self, data: dict, key: str, where: str, *types, optional: bool = False):
        if key not in data:
            self.need(optional, where, f"{key!r} is missing")
            return None
        value = data[key]
        self.need(type(value) in types, f"{where}.{key}",
                  f"a {type(value).__name__}, where a "
                  f"{' or '.join('null' if t is type(None) else t.__name__ for t in types)} "
                  f"belongs")
        return value

    # --- the document ------------------------------------------------------------------

    def run(self) -> None:
        body = self.body
        self.field(body, "program", "body", dict)
        self.field(body, "interpreter", "body", dict, optional=True)
        for key in ("modules", "stack", "objects"):
            self.field(body, key, "body", list)
        self.field(body, "runtime", "body", dict, optional=True)
        self.field(body, "process", "body", dict, type(None), optional=True)
        self.field(body, "root", "body", str, optional=True)
        hops = self.field(body, "hops", "body", int, optional=True)
        self.need(hops is None or _is_int(hops), "body.hops", "out of range")
        self.program(body["program"])
        for n, module in enumerate(body["modules"]):
            self.module(module, f"modules[{n}]")
        for n, record in enumerate(body["stack"]):
            self.record(record, f"stack[{n}]", on_stack=True)
        for key, value in (body.get("runtime") or {}).items():
            self.value(value, f"runtime.{key}")
        if "handled_exception" in body:
            self.value(body["handled_exception"], "handled_exception")
        for n, entry in enumerate(body["objects"]):
            self.need(type(entry) is dict, f"objects[{n}]", "not an object description")
            self.value(entry, f"objects[{n}]")

    def program(self, program: dict) -> None:
        where = "program"
        main = self.field(program, "main", where, str)
        self.need(main in self.body.get("sources", {}), f"{where}.main",
                  "names no carried source")
        self.field(program, "root", where, str, type(None), optional=True)
        self.field(program, "cwd", where, str, optional=True)
        argv = self.field(program, "argv", where, list)
        self.need(all(type(a) is str for a in argv), f"{where}.argv", "not all strings")

    def module(self, module, where: str) -> None:
        self.need(type(module) is dict, where, "not a module record")
        name = self.field(module, "name", where, str)
        self.need(all(part.isidentifier() for part in name.split(".")) or
                  name == "__main__", f"{where}.name", f"{name[:40]!r} is no module name")
        source = self.field(module, "source", where, str)
        self.need(source in self.body.get("sources", {}), f"{where}.source",
                  "names no carried source")
        self.field(module, "package", where, bool, optional=True)
        self.need("dict" in module, where, "'dict' is missing")
        self.value(module["dict"], f"{where}.dict")

    # --- frames ------------------------------------------------------------------------

    def record(self, record, where: str, on_stack: bool = False) -> None:
        self.need(type(record) is dict, where, "not a frame record")
        self.code_key(self.field(record, "code", where, dict), f"{where}.code")
        at = self.field(record, "at", where, dict, type(None), optional=True)
        if at is not None:
            self.place(at, f"{where}.at")
        line = self.field(record, "line", where, int, type(None), optional=True)
        self.need(line is None or _is_int(line, 0, MAX_LINE), f"{where}.line", "out of range")
        self.need("globals" in record, where, "'globals' is missing")
        self.value(record["globals"], f"{where}.globals")
        for n, item in enumerate(self.field(record, "stack", where, list, optional=True) or ()):
            self.item(item, f"{where}.stack[{n}]")
        for part in ("locals", "cells"):
            names = self.field(record, part, where, dict, optional=True) or {}
            for key, value in names.items():
                self.need(key.isidentifier() or key == ".0" or key.startswith("."),
                          f"{where}.{part}", f"{key[:40]!r} is no variable name")
                self.value(value, f"{where}.{part}.{key}")
        self.field(record, "module", where, str, optional=True)
        if "generator" in record:
            self.value(record["generator"], f"{where}.generator")
        link = self.field(record, "link", where, dict, type(None), optional=True)
        if link is not None:
            self.link(link, f"{where}.link")

    def code_key(self, code: dict, where: str) -> None:
        source = self.field(code, "source", where, str)
        self.need(source in self.body.get("sources", {}), f"{where}.source",
                  "names no carried source")
        qualname = self.field(code, "qualname", where, str)
        self.need(0 < len(qualname) <= 1000, f"{where}.qualname", "empty or too long")
        for key, high in (("line", MAX_LINE), ("rank", MAX_COUNT)):
            value = self.field(code, key, where, int, optional=key == "rank")
            self.need(value is None or _is_int(value, 0, high), f"{where}.{key}",
                      "out of range")

    def place(self, at: dict, where: str) -> None:
        for key in ("line", "end_line", "col", "end_col"):
            value = self.field(at, key, where, int, type(None))
            self.need(value is None or _is_int(value, 0, MAX_LINE), f"{where}.{key}",
                      "out of range")
        op = self.field(at, "op", where, str)
        self.need(op in ("call", "precall", "for_iter", "send", "yield", "op", "exit"),
                  f"{where}.op", f"{op[:20]!r} is no kind of instruction")
        occurrence = self.field(at, "occurrence", where, int, optional=True)
        self.need(occurrence is None or _is_int(occurrence), f"{where}.occurrence",
                  "out of range")
        self.field(at, "start", where, bool, optional=True)
        on_line = self.field(at, "on_line", where, int, type(None), optional=True)
        self.need(on_line is None or _is_int(on_line), f"{where}.on_line", "out of range")

    def item(self, item, where: str) -> None:
        self.need(type(item) is dict, where, "not a stack item")
        kind = self.field(item, "k", where, str)
        self.need(kind in ITEM_KINDS, f"{where}.k", f"{kind[:20]!r} is no kind of item")
        if kind == "lasti":
            self.place(self.field(item, "at", where, dict), f"{where}.at")
            return
        pos = self.field(item, "pos", where, list, type(None), optional=True)
        self.need(pos is None or all(v is None or _is_int(v, 0, MAX_LINE) for v in pos)
                  and len(pos) <= 4, f"{where}.pos", "not a source range")
        if item.get("unbound"):
            self.need(kind == "maybe", f"{where}.unbound", "only a saved local is unbound")
            return
        self.need("v" in item, where, "'v' is missing")
        self.value(item["v"], f"{where}.v")

    def link(self, link: dict, where: str) -> None:
        kind = self.field(link, "kind", where, str)
        self.need(kind in LINK_KINDS, f"{where}.kind", f"{kind[:20]!r} is no kind of call")
        if kind == "sleep":
            remaining = self.field(link, "remaining", where, int, float)
            self.need(0 <= remaining < 1e9, f"{where}.remaining", "out of range")
        if kind == "redo":
            method = self.field(link, "method", where, str)
            self.need(method.isidentifier(), f"{where}.method", "no method name")
        if kind in ("redo", "class"):
            self.need("self" in link, where, "'self' is missing")
            self.value(link["self"], f"{where}.self")
        if kind == "gen":
            via = self.field(link, "via", where, str, optional=True)
            self.need(via is None or via in GENERATOR_VIA, f"{where}.via",
                      "no way of driving a generator")
        for n, value in enumerate(self.field(link, "args", where, list, optional=True) or ()):
            self.value(value, f"{where}.args[{n}]")

    def generator(self, entry: dict, where: str) -> None:
        state = self.field(entry, "state", where, str)
        self.need(state in GENERATOR_STATES, f"{where}.state", "no state of a generator")
        self.field(entry, "name", where, str)
        self.field(entry, "qualname", where, str)
        if state == "running":
            frame = self.field(entry, "frame", where, int)
            self.need(0 <= frame < len(self.body["stack"]), f"{where}.frame",
                      "names no frame of the stack")
        elif state in ("created", "suspended"):
            self.record(self.field(entry, "frame", where, dict), f"{where}.frame")

    # --- values ------------------------------------------------------------------------

    def value(self, value, where: str) -> None:
        """Every reference in ``value`` points into the object table, and every value has
        a form (fields of a description that are not values — a function's code key, a
        generator's frame — are only searched for references). No recursion: the JSON
        may be as deep as the parser allowed."""
        stack = [(value, True)]
        while stack:
            item, is_value = stack.pop()
            kind = type(item)
            if kind is list:
                stack.extend((inner, is_value) for inner in item if type(inner) in (dict, list))
                continue
            if kind is not dict:
                continue
            if "ref" in item:
                ref = item["ref"]
                self.need(_is_int(ref, 0, self.size - 1), where,
                          f"a reference to {str(ref)[:20]}, outside the object table of "
                          f"{self.size}")
                continue
            forms = _FORMS & item.keys()
            if not forms:  # a field that holds no value: a code key, a frame record
                self.need(not is_value, where, f"a value of unknown form {sorted(item)[:4]}")
                for field, inner in item.items():
                    if field in MAP_FIELDS and type(inner) is dict:
                        stack.extend((v, True) for v in inner.values()
                                     if type(v) in (dict, list))
                    elif type(inner) in (dict, list):
                        stack.append((inner, False))
                continue
            tag = item.get("t")
            self.need(tag is None or type(tag) is str, where, "a description's tag is not "
                      "a string")
            if tag == "generator":  # (one written in place, in a value: its frame too)
                self.generator(item, where)
            for field, inner in item.items():
                if field in MAP_FIELDS:
                    self.need(type(inner) is dict or tag is not None, where,
                              f"{field!r} is not a map")
                    if type(inner) is dict:
                        stack.extend((v, True) for v in inner.values()
                                     if type(v) in (dict, list))
                        continue
                if field in ("l", "u") and tag is None:
                    self.need(type(inner) is list, where, f"{field!r} is not a list")
                    stack.append((inner, True))
                elif type(inner) in (dict, list):
                    stack.append((inner, False))  # a field: a value, or a code key...


_FORMS = frozenset({"t", "l", "d", "u", "o", "float"})
