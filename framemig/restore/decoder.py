"""Turn snapshot values back into objects, in the order pickle would have built them.

A value is a primitive, a reference to the table (``{"ref": n}``), or a description
written in place (``{"l": [...]}``, ``{"t": "function", ...}``). Descriptions in place
are used once and built on the spot; table entries may be shared and form cycles, and are
built by the loop below.

Each entry has *construction* dependencies (what must exist before it can be made: a
tuple's items, a constructor and its arguments) and *filling* dependencies (what goes in
afterwards: a list's items, an instance's state). Objects are built depth-first, children
before parents, so a dict key is complete before it is hashed; a cycle is closed by
filling an object that already exists. Each entry's builder is a generator that yields the
entries it needs, and one loop drives them all: no recursion, however deep the data.
"""

from __future__ import annotations

import base64
import enum
import functools
import sys
import types

from framemig import env
from framemig.errors import RestoreFailed
from framemig.restore import allowed, classes, numpy_forms, resources, stdlib_forms
from framemig.restore.refs import kind_of, refs_in


class Decoder:
    def __init__(self, table: list, context):
        self.table = table
        self.context = context  # knows the program: sources, modules, the stack
        self.memo: dict[int, object] = {}
        self.done: set[int] = set()
        self.active: set[int] = set()
        self.deferred: list = []  # (fill, value): fill(object) once the value's object exists
        self.shells: list[int] = []  # made empty by shell(), still to be filled
        self.to_hold: list = []  # (lock, count, name): libraries' locks the program held
        self.holding = False  # the locks are taken: take one met later at once
        self.held_names: set[str] = set()
        self._counter = 0  # keys below zero: descriptions built in place
        # what was built in place, held until the program runs: a rebuild refused half-way
        # must free none of it (a generator freed runs its finally: runtime/resume.py)
        self.made: list = []

    # --- values ------------------------------------------------------------------------

    def value(self, value):
        """The object for a JSON value whose references are already built."""
        if type(value) is not dict:
            return value
        ref = value.get("ref")
        if ref is not None:
            return self.memo[ref]
        if "l" in value:
            return [item if type(item) is not dict else self.value(item)
                    for item in value["l"]]
        if "d" in value:
            return {key: item if type(item) is not dict else self.value(item)
                    for key, item in value["d"].items()}
        if "u" in value:
            return tuple([item if type(item) is not dict else self.value(item)
                          for item in value["u"]])
        if "float" in value:
            return float(value["float"])
        return self._in_place(value)

    def deps(self, key: int, value) -> list[int]:
        """What a builder must wait for: nothing when it builds a description in place
        (``key`` < 0), since the description around it already waited for it all."""
        return refs_in(value) if key >= 0 else ()

    def _in_place(self, entry: dict):
        """Build a description written in place: its references are already built."""
        self._counter -= 1
        key = self._counter
        builder = _visit(self, key, entry)
        for need in builder:
            if need in self.done or need in self.memo:
                continue
            if need in self.active:  # an object being made needs this one: a cycle
                self._construct_early(need)
                continue
            self.complete(need)
        obj = self.memo.pop(key)
        self.made.append(obj)
        # Made outside any table entry (a frame's local): what it left to fill is filled
        # now (a lambda's closure cell, met first here, is still an empty shell).
        self._settle()
        return obj

    def load(self, value):
        """Build everything ``value`` refers to, then return its object."""
        for ref in refs_in(value):
            self.complete(ref)
        obj = self.value(value)
        self._settle()
        return obj

    def complete(self, root: int) -> None:
        if root in self.done:
            return
        self.active.add(root)
        stack = [(root, self._visit(root))]
        while stack:
            index, builder = stack[-1]
            try:
                need = next(builder)
            except StopIteration:
                stack.pop()
                self.active.discard(index)
                self.done.add(index)
                continue
            if need in self.done:
                continue
            if need in self.active:
                if need not in self.memo:
                    self._construct_early(need)
                continue
            self.active.add(need)
            stack.append((need, self._visit(need)))
        self._settle()

    def _settle(self) -> None:
        """Fill what was deferred and the shells, once no object is being made.

        A ``complete`` nested in the making of another object (a description in place
        needing an entry) must leave them: a deferred value may be that very object, still
        active, and loading it then would build it a second time (a method's ``__class__``
        cell got a copy of its class, and zero-argument ``super()`` failed)."""
        if self.active:
            return
        while self.deferred:
            fill, value = self.deferred.pop(0)
            fill(self.load(value))
        while self.shells:
            self.complete(self.shells.pop())

    def shell(self, value):
        """The object for ``value``, made empty now if it is a container to fill later.

        A function needs its globals dict and closure cells to exist, not to be full; the
        dict may well hold the function itself.
        """
        if type(value) is dict and value.get("t") == "cell":
            return self.value(value)  # a cell written in place fills itself when it can
        if not (type(value) is dict and "ref" in value):
            return None
        for ref in refs_in(value):
            if ref not in self.memo:
                maker = _SHELLS.get(kind_of(self.table[ref]))
                if maker is None:
                    return None
                self.memo[ref] = maker(self, self.table[ref])
                self.shells.append(ref)
        return self.value(value)

    def hold_locks(self) -> None:
        """Take the libraries' locks the program held, once everything is built (building
        may run library code that takes them too)."""
        self.holding = True
        while self.to_hold:
            _hold(*self.to_hold.pop(0))

    def hold(self, lock, count: int, name: str) -> None:
        if name in self.held_names:  # a description in place may be read twice
            return
        self.held_names.add(name)
        self.to_hold.append((lock, count, name))
        if self.holding:
            self.hold_locks()

    def _construct_early(self, index: int) -> None:
        """A cycle reached an object still being made; immutable containers can be made
        now if their items exist (pickle does the same)."""
        entry = self.table[index]
        kind = kind_of(entry)
        items = entry.get("u", entry.get("v"))
        if kind in ("tuple", "frozenset") and all(r in self.memo for r in refs_in(items)):
            values = [self.value(v) for v in items]
            self.memo[index] = tuple(values) if kind == "tuple" else frozenset(values)
            return
        parts = [entry.get("func"), entry.get("self")]
        if kind == "method" and all(r in self.memo for r in refs_in(parts)):
            # a bound method of an object being filled (pycodestyle's options hold
            # their StyleGuide's ignore_code): the object exists, the method can too
            self.memo[index] = types.MethodType(self.value(parts[0]), self.value(parts[1]))
            return
        raise RestoreFailed(f"object #{index} ({kind}) is part of a cycle that cannot "
                            f"be rebuilt")

    def _visit(self, index: int):
        return _visit(self, index, self.table[index])


# --- builders: each yields the indexes it needs, sets memo[index], fills the object ---------


def _visit(d: Decoder, key: int, entry: dict):
    try:
        builder = _BUILDERS[kind_of(entry)]
    except KeyError:
        raise RestoreFailed(f"object #{key} has an unknown form") from None
    return builder(d, key, entry)


def _items(d: Decoder, values):
    yield from refs_in(values)


def _list(d, n, e):
    obj = d.memo.setdefault(n, [])
    yield from d.deps(n, e["l"])
    obj.extend([v if type(v) is not dict else d.value(v) for v in e["l"]])


def _tuple(d, n, e):
    yield from d.deps(n, e["u"])
    if n not in d.memo:
        d.memo[n] = tuple([v if type(v) is not dict else d.value(v) for v in e["u"]])


def _obj(d, n, e):
    yield from d.deps(n, [e["o"], e.get("new"), e.get("kw")])
    cls = d.value(e["o"])
    if not isinstance(cls, type):
        raise RestoreFailed(f"object #{n}: its class is a {type(cls).__name__}")
    try:
        if "new" in e or "kw" in e:
            obj = cls.__new__(cls, *(d.value(e.get("new")) or ()),
                              **(d.value(e.get("kw")) or {}))
        else:
            obj = cls.__new__(cls)
    except Exception as exc:
        raise RestoreFailed(f"cannot make a {getattr(cls, '__qualname__', cls)} object: "
                            f"{exc}") from None
    d.memo[n] = obj
    parts = [*e.get("s", {}).values(), *e.get("sl", {}).values(), e.get("state"),
             e.get("dk"), e.get("li"), e.get("se")]
    yield from d.deps(n, parts)
    # the items of a dict, list or set subclass, as they were (not through the class's
    # own __setitem__, which may need attributes set below)
    if "dk" in e:
        flat = e["dk"]
        for i in range(0, len(flat), 2):
            dict.__setitem__(obj, d.value(flat[i]), d.value(flat[i + 1]))
    elif "li" in e:
        list.extend(obj, [d.value(v) for v in e["li"]])
    elif "se" in e:
        set.update(obj, [d.value(v) for v in e["se"]])
    raw = "raw" in e  # captured half built: made again as it was, not by __setstate__
    if "state" in e:
        _set_state(obj, d.value(e["state"]), raw)
        return
    if "s" not in e and "sl" not in e:
        return  # no state at all: pickle calls no __setstate__ either
    state = {k: v if type(v) is not dict else d.value(v) for k, v in e["s"].items()} \
        if "s" in e else None
    slots = {k: v if type(v) is not dict else d.value(v) for k, v in e["sl"].items()} \
        if "sl" in e else None
    defaults = env.STATE_DEFAULTS.get((cls.__module__, cls.__qualname__))
    if defaults and state is not None:  # made on an older version
        state = {**defaults, **state}
    newer = env.NEWER_SLOTS.get((cls.__module__, cls.__qualname__))
    if newer and slots:  # made on a newer version
        slots = {k: v for k, v in slots.items()
                 if not (k in newer and v == newer[k] and not hasattr(cls, k))}
    _set_state(obj, (state, slots) if slots else state, raw)


def _set(d, n, e):
    obj = d.memo.setdefault(n, set())
    yield from d.deps(n, e["v"])
    obj.update(d.value(v) for v in e["v"])


def _frozenset(d, n, e):
    yield from d.deps(n, e["v"])
    if n not in d.memo:
        d.memo[n] = frozenset(d.value(v) for v in e["v"])


def _fill_dict(d, n, obj: dict, e):
    strings = e.get("d", e.get("s"))
    if strings is not None:
        yield from d.deps(n, list(strings.values()))
        for key, value in strings.items():
            obj[key] = value if type(value) is not dict else d.value(value)
    else:
        flat = e.get("kv", [])
        yield from d.deps(n, flat)
        for i in range(0, len(flat), 2):
            obj[d.value(flat[i])] = d.value(flat[i + 1])


def _dict(d, n, e):
    obj = d.memo.setdefault(n, {})
    yield from _fill_dict(d, n, obj, e)


def _bytes(d, n, e):
    d.memo[n] = base64.b64decode(e["b64"])
    return
    yield


def _bytearray(d, n, e):
    d.memo[n] = bytearray(base64.b64decode(e["b64"]))
    return
    yield


def _float(d, n, e):
    d.memo[n] = float(e["v"])
    return
    yield


def _complex(d, n, e):
    d.memo[n] = complex(float(e["re"]), float(e["im"]))
    return
    yield


def _dict_view(d, n, e):
    yield from d.deps(n, e["dict"])
    d.memo[n] = getattr(d.value(e["dict"]), e["view"])()


def _cell(d, n, e):
    cell = d.memo.setdefault(n, types.CellType())
    if "v" not in e:
        return
    refs = list(refs_in(e["v"]))
    if any(r in d.active and r not in d.memo for r in refs):
        # A class's __class__ cell: the class needs its methods, whose closure is this cell.
        d.deferred.append((functools.partial(setattr, cell, "cell_contents"), e["v"]))
        return
    yield from refs
    cell.cell_contents = d.value(e["v"])


def _function(d, n, e):
    for value in (e["globals"], *e["closure"]):
        if d.shell(value) is None:
            yield from refs_in(value)
    code = d.context.find_code(e["code"])
    closure = tuple(d.value(c) for c in e["closure"]) or None
    if len(closure or ()) != len(code.co_freevars):
        raise RestoreFailed(f"{e['qualname']}: closure does not fit its code")
    function = types.FunctionType(code, d.value(e["globals"]), e["name"], None, closure)
    function.__qualname__ = e["qualname"]
    d.memo[n] = function
    parts = [e.get(k) for k in ("doc", "defaults", "kwdefaults", "dict", "annotations",
                                "type_params")]
    yield from _items(d, parts)
    function.__module__ = e["module"]
    function.__doc__ = d.value(e.get("doc"))
    function.__defaults__ = d.value(e.get("defaults"))
    function.__kwdefaults__ = d.value(e.get("kwdefaults"))
    if e.get("dict") is not None:
        function.__dict__.update(d.value(e["dict"]))
    if e.get("annotations") is not None:
        function.__annotations__ = d.value(e["annotations"])
    if e.get("type_params") is not None:
        function.__type_params__ = d.value(e["type_params"])


def _method(d, n, e):
    yield from d.deps(n, e["func"])
    yield from d.deps(n, e["self"])
    if n not in d.memo:  # made early, in a cycle
        d.memo[n] = types.MethodType(d.value(e["func"]), d.value(e["self"]))


def _code(d, n, e):
    d.memo[n] = d.context.find_code(e["code"])
    return
    yield


def _global(d, n, e):
    try:
        obj = d.memo[n] = d.context.import_global(e["module"], e["qualname"])
    except RestoreFailed:
        if not e.get("sentinel"):
            raise
        # a sentinel another version of the library does not have (3.13's
        # re._zero_sentinel, held by a frame of re.sub): no code here compares with it
        obj = d.memo[n] = object()
    if "rs" in e:  # a library's random generator: where its numbers had reached
        yield from d.deps(n, e["rs"])
        obj.setstate(d.value(e["rs"]))
    if e.get("held"):
        d.hold(obj, e["held"], f"{e['module']}.{e['qualname']}")
    return
    yield


def _module(d, n, e):
    module = d.memo[n] = d.context.module(e["name"], e.get("program", False))
    for sub in e.get("sub", ()):
        d.context.submodule(e["name"], sub)
    _hold_locks(d, module, e)
    return
    yield


def _module_dict(d, n, e):
    namespace = d.memo.setdefault(n, _module_namespace(d, e))
    if e.get("program"):
        yield from _fill_dict(d, n, namespace, e)
        if env.ANNOTATIONS_ARE_LAZY and "__annotations__" in namespace and \
                "__annotate__" not in namespace:
            # PYVERSIONS: a module that comes with its annotations evaluated (from
            # 3.11-3.13, or from 3.14 through a snapshot): none is what a 3.14 module
            # without annotations has; 3.14's module code records each annotation under
            # an ``if`` it runs in __conditional_annotations__, which starts empty
            if namespace["__annotations__"] == {}:
                del namespace["__annotations__"]
            if d.context.module_uses_name(e["name"], "__conditional_annotations__"):
                namespace.setdefault("__conditional_annotations__", set())
    elif e.get("locks"):
        _hold_locks(d, sys.modules.get(e["name"]), e)


def _hold_locks(d, module, e) -> None:
    for name, count in (e.get("locks") or {}).items():
        d.hold(getattr(module, name, None), count, f"{e['name']}.{name}")


def _hold(lock, count: int, name: str) -> None:
    """Take a library's lock as often as the program held it when it was captured."""
    if not hasattr(lock, "acquire"):
        raise RestoreFailed(f"{name} was a lock the program held, and is not one here")
    for _ in range(count):
        if not lock.acquire(timeout=5):
            raise RestoreFailed(f"{name}: the lock the program held is taken here")


def _module_namespace(d, e) -> dict:
    return vars(d.context.module(e["name"], bool(e.get("program"))))


def _id_of(d, n, e):
    """An int that was the id() of an object that travelled: that object's id here."""
    yield from d.deps(n, e["of"])
    d.memo[n] = id(d.value(e["of"]))


def _enum_member(d, n, e):
    yield from d.deps(n, [e["cls"], e.get("value")])
    cls = d.value(e["cls"])
    if not isinstance(cls, enum.EnumMeta):
        raise RestoreFailed(f"object #{n}: an enum member whose class is not an Enum")
    if "name" in e:
        d.memo[n] = cls._member_map_[e["name"]]
    else:  # a combination of Flag members
        d.memo[n] = cls(d.value(e["value"]))


def _reduce(d, n, e):
    yield from d.deps(n, e["fn"])
    yield from d.deps(n, e["args"])
    function, arguments = d.value(e["fn"]), d.value(e["args"])
    allowed.check_call(function, d.context, f"rebuilding object #{n}")
    if not isinstance(arguments, tuple):
        raise RestoreFailed(f"object #{n}: its constructor's arguments are not a tuple")
    tree_node = _is_syntax_node_class(function)
    try:
        # a syntax-tree node's arguments are this version's fields (3.13 gives None for
        # each): made empty, its fields set below, as every version can
        obj = function.__new__(function) if tree_node else function(*arguments)
    except Exception as exc:
        raise RestoreFailed(f"cannot rebuild a {getattr(function, '__qualname__', function)} "
                            f"object: {exc}") from None
    d.memo[n] = obj
    parts = [e.get(k) for k in ("state", "items", "dictitems", "setter")]
    yield from d.deps(n, parts)
    if e.get("items") is not None:
        items = d.value(e["items"])
        if hasattr(obj, "extend"):
            obj.extend(items)
        else:
            for item in items:
                obj.append(item)
    if e.get("dictitems") is not None:
        for key, value in d.value(e["dictitems"]):
            obj[key] = value
    if "state" in e:
        state = d.value(e["state"])
        setter = d.value(e.get("setter"))
        if setter is not None:
            allowed.check_call(setter, d.context, f"rebuilding object #{n}")
            try:
                setter(obj, state)
            except Exception as exc:
                raise RestoreFailed(f"cannot rebuild a {type(obj).__qualname__} object: "
                                    f"its state setter raised {type(exc).__name__}: "
                                    f"{exc}") from None
        else:
            _set_state(obj, state)
    if tree_node:
        _fill_fields(obj)


def _is_syntax_node_class(function) -> bool:
    if not isinstance(function, type) or function.__module__ not in ("ast", "_ast"):
        return False
    import ast  # only here: most restores have no syntax trees
    return issubclass(function, ast.AST)


def _fill_fields(node) -> None:
    """Fields this version has and the node's version had not (pyflakes read
    ``type_params`` of a 3.11 ``ClassDef`` on 3.12)."""
    namespace = node.__dict__
    for field in type(node)._fields:
        if field not in namespace:
            namespace[field] = env.ast_field_default(type(node), field)


def _special(obj, name: str):
    """A special method of ``obj``, looked up on its type as the interpreter does (an
    instance's ``__getattr__`` may forward to attributes that do not exist yet)."""
    cls = type(obj)
    for klass in cls.__mro__:
        namespace = vars(klass)
        if name in namespace:
            attribute = namespace[name]
            get = getattr(type(attribute), "__get__", None)
            return get(attribute, obj, cls) if get is not None else attribute
    return None


def _set_state(obj, state, raw: bool = False) -> None:
    """pickle's BUILD (``raw``: without the object's __setstate__)."""
    setstate = None if raw else _special(obj, "__setstate__")
    if setstate is not None:
        try:
            setstate(state)
        except Exception as exc:
            raise RestoreFailed(f"cannot rebuild a {type(obj).__qualname__} object: its "
                                f"__setstate__ raised {type(exc).__name__}: {exc}") from None
        return
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        namespace = object.__getattribute__(obj, "__dict__")
        for key, value in state.items():
            namespace[sys.intern(key) if type(key) is str else key] = value
    if slots:
        for key, value in slots.items():
            object.__setattr__(obj, key, value)


def _exception(d, n, e):
    yield from d.deps(n, e["cls"])
    yield from d.deps(n, e["args"])
    cls, arguments = d.value(e["cls"]), d.value(e["args"])
    if not (isinstance(cls, type) and issubclass(cls, BaseException)) or \
            not isinstance(arguments, tuple):
        raise RestoreFailed(f"object #{n}: an exception whose class is not one")
    try:
        exc = cls(*arguments)
    except Exception:
        exc = cls.__new__(cls, *arguments)
        exc.args = arguments
    d.memo[n] = exc
    yield from d.deps(n, [e.get("dict"), e.get("cause"), e.get("context"),
                          *e.get("sl", {}).values()])
    if e.get("dict") is not None:
        exc.__dict__.update(d.value(e["dict"]))
    for name, value in e.get("sl", {}).items():
        object.__setattr__(exc, name, d.value(value))
    exc.__cause__ = d.value(e.get("cause"))
    exc.__context__ = d.value(e.get("context"))
    exc.__suppress_context__ = e.get("suppress", False)


def _generator(d, n, e):
    yield from d.context.generator_needs(e)
    if n not in d.memo:
        d.memo[n] = d.context.make_generator(e)


def _staticmethod(d, n, e):
    yield from d.deps(n, e["f"])
    d.memo[n] = staticmethod(d.value(e["f"]))


def _classmethod(d, n, e):
    yield from d.deps(n, e["f"])
    d.memo[n] = classmethod(d.value(e["f"]))


def _property(d, n, e):
    parts = [e.get(k) for k in ("fget", "fset", "fdel", "doc")]
    yield from d.deps(n, parts)
    d.memo[n] = property(*(d.value(p) for p in parts))


def _mappingproxy(d, n, e):
    yield from d.deps(n, e["dict"])
    d.memo[n] = types.MappingProxyType(d.value(e["dict"]))


def _dill(d, n, e):
    import dill

    allowed.check_dill(d.context, e.get("type"))
    try:
        d.memo[n] = dill.loads(base64.b64decode(e["b64"]))
    except Exception as exc:
        raise RestoreFailed(f"cannot rebuild a {e.get('type')} value: {exc}") from None
    return
    yield


_SHELLS = {
    "list": lambda d, e: [],
    "dict": lambda d, e: {},
    "set": lambda d, e: set(),
    "cell": lambda d, e: types.CellType(),
    "module_dict": _module_namespace,
}

_BUILDERS = {
    "list": _list, "tuple": _tuple, "set": _set, "frozenset": _frozenset, "dict": _dict,
    "bytes": _bytes, "bytearray": _bytearray, "float": _float, "complex": _complex,
    "dict_view": _dict_view, "cell": _cell, "function": _function, "method": _method,
    "code": _code, "global": _global, "module": _module, "module_dict": _module_dict,
    "class": classes.build, "enum_member": _enum_member, "id_of": _id_of, "reduce": _reduce,
    "exception": _exception, "generator": _generator, **resources.BUILDERS,
    "staticmethod": _staticmethod, "classmethod": _classmethod, "property": _property,
    "mappingproxy": _mappingproxy, "dill": _dill, "obj": _obj, **stdlib_forms.BUILDERS,
    **numpy_forms.BUILDERS,
}
