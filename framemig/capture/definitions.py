"""Entries for what a program defines: functions, closures, classes, modules, generators.

Program definitions travel by value, with their code named by source location. Library
definitions travel by name (``module`` + qualified name) and are imported on the target.
Classes that a library generated code for (dataclasses, enums, named tuples) are carried as
the ingredients the library needs to make them again, so the target's own version of the
library writes the generated methods.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import sys
import time
import types

from framemig import env
from framemig.capture.refusal import Refused
from framemig.capture.world import World, is_framemig_file

# --- names of library objects ------------------------------------------------------------

_reverse_indexes: dict[str, dict[int, str]] = {}


def resolve_global(module_name: str, qualname: str):
    """``module.a.b`` by name (the module imported if need be), or None."""
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except Exception:
            return None
    obj = module
    for part in qualname.split("."):
        if part == "<locals>":
            return None
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def attribute_path(obj, parts: list[str]):
    """``obj.a.b.c`` for parts ``[a, b, c]``, without running any ``__getattr__``; None
    if one is missing."""
    for part in parts:
        try:
            namespace = vars(obj)
        except TypeError:
            return None
        if part not in namespace:
            return None
        obj = namespace[part]
    return obj


def _is_program_module(world: World, module_name: str | None) -> bool:
    return module_name in world.program_modules


def library_global_name(world: World, obj) -> tuple[str, str] | None:
    """``(module, name)`` if ``obj`` is a global of the library module its type comes from."""
    module_name = getattr(type(obj), "__module__", None)
    if not module_name or _is_program_module(world, module_name) or module_name == "builtins":
        return None
    module = sys.modules.get(module_name)
    if module is None:
        return None
    index = _reverse_indexes.get(module_name)
    if index is None:
        index = {id(value): name for name, value in vars(module).items()
                 if not isinstance(value, (int, str, float, bool, type(None)))}
        _reverse_indexes[module_name] = index
    name = index.get(id(obj))
    if name is not None and getattr(module, name, None) is obj and \
            (module_name, name) not in world.rebound:
        return module_name, name
    if not hasattr(obj, "__dict__"):
        return None
    path = _attribute_paths(world, module_name, module).get(id(obj))
    if path is not None and attribute_path(module, path.split(".")) is obj and \
            (module_name, path.partition(".")[0]) not in world.rebound:
        return module_name, path
    return None


def sentinel_name(world: World, obj) -> tuple[str, str] | None:
    """``(module, name)`` of a bare ``object()`` a library keeps as a global: a sentinel,
    compared with ``is`` (sqlparse's ``PROCESS_AS_KEYWORD``, every ``_MISSING =
    object()``); a copy would never be it. Looked for once per capture, only when met."""
    return world.library_globals("sentinels", _is_bare_object).get(id(obj))


def _is_bare_object(value) -> bool:
    return type(value) is object


_PATH_DEPTH = 6


def _attribute_paths(world: World, module_name: str, module) -> dict[int, str]:
    """``{id: "Token.Keyword.DML"}``: objects of a library module's own class that hang
    from its globals by attributes, as instances of that same class (pygments' and
    sqlparse's token types: singletons compared with ``is``, made on first use, so no
    global names them). They travel by that path. Read once per capture."""
    cache = world.library_paths
    paths = cache.get(module_name)
    if paths is not None:
        return paths
    paths = cache[module_name] = {}
    todo = [(name, value, 1) for name, value in vars(module).items()
            if type(value).__module__ == module_name and not isinstance(value, type)
            and hasattr(value, "__dict__")]
    while todo:
        path, value, depth = todo.pop()
        if id(value) in paths:
            continue
        paths[id(value)] = path
        if depth >= _PATH_DEPTH:
            continue
        kind = type(value)
        for name, child in vars(value).items():
            if type(child) is kind and not name.startswith("_"):
                todo.append((f"{path}.{name}", child, depth + 1))
    return paths


def global_entry(module: str, qualname: str) -> dict:
    return {"t": "global", "module": module, "qualname": qualname}


def _by_name(obj) -> tuple[str, str] | None:
    """How to import ``obj`` by name, if importing that name gives ``obj`` back."""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    module_name = getattr(obj, "__module__", None)
    candidates = [module_name] if module_name else []
    if module_name and "._" in module_name:
        # a private module's class that its package exports (3.13's pathlib._local.Path
        # is pathlib.Path): the package's name is the one other versions know
        package = module_name[:module_name.index("._")]
        candidates.insert(0, package)
    candidates += ["builtins", "types"]
    for candidate in candidates:
        if qualname and resolve_global(candidate, qualname) is obj:
            return candidate, qualname
        short = getattr(obj, "__name__", None)
        if short and resolve_global(candidate, short) is obj:
            return candidate, short
    return None


# --- functions -------------------------------------------------------------------------


def _is_generated(function) -> bool:
    code = getattr(function, "__code__", None)
    return code is not None and code.co_filename.startswith("<")


def function_entry(enc, function, index):
    code = function.__code__
    world = enc.world
    if function is time.sleep:  # framemig's interruptible sleep stands in for time.sleep
        return global_entry("time", "sleep")
    if not world.is_program_file(code.co_filename) or is_framemig_file(code.co_filename):
        named = _by_name(function)
        if named is not None and not _is_program_module(world, named[0]):
            return global_entry(*named)
        if is_framemig_file(code.co_filename):
            raise Refused(f"is framemig's own {function.__qualname__}, which does not travel")
    if _is_generated(function):
        raise Refused(f"is the function {function.__qualname__} made by exec/eval "
                      f"({code.co_filename}); its code has no source file to travel with")
    try:
        key = world.code_key(code)
    except Exception as exc:
        raise Refused(f"is a function whose code cannot be found: {exc}") from None
    entry = {
        "t": "function",
        "code": key.as_json(),
        "globals": enc.child(function.__globals__, index, ".__globals__"),
        "name": function.__name__,
        "qualname": function.__qualname__,
        "module": function.__module__,
        "doc": enc.child(function.__doc__, index, ".__doc__"),
        "defaults": enc.child(function.__defaults__, index, ".__defaults__"),
        "kwdefaults": enc.child(function.__kwdefaults__, index, ".__kwdefaults__"),
        "closure": [
            enc.child(_named_cell(enc, cell, name, function), index,
                      f" (closure variable {name!r})")
            for name, cell in zip(code.co_freevars, function.__closure__ or ())
        ],
    }
    if function.__dict__:
        entry["dict"] = enc.child(function.__dict__, index, ".__dict__")
    annotations = function.__annotations__
    if annotations:
        entry["annotations"] = enc.child(annotations, index, ".__annotations__")
    type_params = getattr(function, "__type_params__", ())
    if type_params:
        entry["type_params"] = enc.child(type_params, index, ".__type_params__")
    return entry


def method_entry(enc, method, index):
    return {"t": "method", "func": enc.child(method.__func__, index, ".__func__"),
            "self": enc.child(method.__self__, index, ".__self__")}


def code_entry(enc, code, index):
    return {"t": "code", "code": enc.world.code_key(code).as_json()}


def _named_cell(enc, cell, name: str, function):
    enc.name_cell(cell, name, "closure variable", function.__qualname__)
    return cell


def cell_entry(enc, cell, index):
    try:
        contents = cell.cell_contents
    except ValueError:
        return {"t": "cell"}
    named = enc.cell_names.get(id(cell)) if enc.cell_names else None
    if named is not None:  # a variable dump --redact keeps out
        contents = enc.redaction.stand_in(named[0], contents, named[1])
    return {"t": "cell", "v": enc.child(contents, index, "")}


def wrapper_entry(enc, wrapper, index):
    kind = "staticmethod" if isinstance(wrapper, staticmethod) else "classmethod"
    return {"t": kind, "f": enc.child(wrapper.__func__, index, ".__func__")}


def property_entry(enc, prop, index):
    return {
        "t": "property",
        "fget": enc.child(prop.fget, index, ".fget"),
        "fset": enc.child(prop.fset, index, ".fset"),
        "fdel": enc.child(prop.fdel, index, ".fdel"),
        "doc": enc.child(prop.__doc__, index, ".__doc__"),
    }


# --- modules and their namespaces --------------------------------------------------------

# Module attributes the target sets itself: they describe where the module was loaded.
MODULE_LOCAL_NAMES = frozenset({
    "__builtins__", "__loader__", "__spec__", "__file__", "__cached__", "__path__",
})


def module_entry(enc, module, index):
    name = module.__name__
    if name in enc.world.program_modules:
        return {"t": "module", "name": name, "program": True}
    if sys.modules.get(name) is not module:
        raise Refused(f"is the module {name!r}, which is not importable by that name")
    entry = {"t": "module", "name": name}
    submodules = _submodules(name, module) if name.split(".")[0] != "framemig" else ()
    if submodules:
        entry["sub"] = submodules
    _add_held_locks(enc, entry, vars(module))
    return entry


def _submodules(name: str, module) -> list[str]:
    """The submodules imported below ``module`` that are reachable from it as attributes
    (``import email.mime.text`` makes ``email.mime.text`` work), as the deepest dotted
    names: the target imports them too (``import email`` alone does not)."""
    prefix = name + "."
    found = []
    for full, sub in list(sys.modules.items()):
        if not full.startswith(prefix) or sub is None:
            continue
        parent, obj = module, None
        for part in full[len(prefix):].split("."):
            obj = vars(parent).get(part) if isinstance(parent, types.ModuleType) else None
            if obj is None:
                break
            parent = obj
        if obj is sub:
            found.append(full[len(prefix):])
    found.sort()
    return [item for n, item in enumerate(found)
            if not (n + 1 < len(found) and found[n + 1].startswith(item + "."))]


def _add_held_locks(enc, entry: dict, namespace: dict) -> None:
    """Locks among a library module's globals held by the program (logging's module lock
    inside ``getLogger``): the target takes its own copies as often."""
    name = namespace.get("__name__")
    if not isinstance(name, str) or name.split(".")[0] == "framemig":
        return  # framemig's own locks are its business (it may hold them right now)
    held = enc.held_module_locks(namespace)
    if held:
        entry["locks"] = held


def namespace_entry(enc, namespace: dict, index):
    """A module's globals dict: carried with the module (program) or by name (library)."""
    world = enc.world
    name = world.module_name_of_dict(namespace)
    if name is not None:
        values = {key: enc.child(enc.redact(key, value, "global", name), index,
                                 f" global {key!r}")
                  for key, value in namespace.items()
                  if key not in MODULE_LOCAL_NAMES and type(key) is str
                  and not (env.ANNOTATIONS_ARE_LAZY and key == "__annotate__")}
        if env.ANNOTATIONS_ARE_LAZY and "__annotate__" in namespace and \
                "__annotations__" not in values:
            # PYVERSIONS: 3.14's lazy module annotations travel evaluated
            annotations = env.module_annotations(namespace)
            if annotations is not None:
                values["__annotations__"] = enc.child(annotations, index,
                                                      " global '__annotations__'")
        return {"t": "module_dict", "name": name, "program": True, "s": values}
    if namespace is vars(sys.modules["builtins"]):
        return {"t": "module_dict", "name": "builtins"}
    module_name = namespace.get("__name__") if isinstance(namespace.get("__name__"), str) else None
    module = sys.modules.get(module_name) if module_name else None
    if module is not None and vars(module) is namespace:
        entry = {"t": "module_dict", "name": module_name}
        _add_held_locks(enc, entry, namespace)
        return entry
    return None


# --- classes -------------------------------------------------------------------------------

_CLASS_SKIP = frozenset({"__dict__", "__weakref__", "_abc_impl", "__abstractmethods__"})

_ENUM_KEEP_SUNDER = frozenset({"_missing_", "_generate_next_value_", "_numeric_repr_",
                               "_ignore_"})


def class_entry(enc, cls, index):
    if not _is_program_module(enc.world, cls.__module__):
        named = _by_name(cls)
        if named is None:
            raise Refused(f"is the class {cls.__module__}.{cls.__qualname__}, which cannot "
                          f"be imported by name")
        return global_entry(*named)
    if isinstance(cls, enum.EnumMeta):
        kind, namespace, extra = _enum_parts(enc.world, cls)
    elif "__dataclass_fields__" in cls.__dict__:
        kind, namespace, extra = _dataclass_parts(cls)
    elif _is_generated_namedtuple(cls):
        kind, namespace, extra = _namedtuple_parts(cls)
    else:
        kind, namespace, extra = "plain", _plain_namespace(cls), {}
    for name, value in namespace.items():
        if isinstance(value, types.FunctionType) and _is_generated(value):
            raise Refused(f"is the class {cls.__qualname__}, whose {name} was made by "
                          f"exec/eval and has no source to travel with")
    entry = {
        "t": "class",
        "kind": kind,
        "name": cls.__name__,
        "qualname": cls.__qualname__,
        "module": cls.__module__,
        "bases": enc.child(cls.__bases__, index, ".__bases__"),
        "meta": enc.child(type(cls), index, " (metaclass)"),
        "ns": {name: enc.child(value, index, f".{name}") for name, value in namespace.items()},
    }
    for key, value in extra.items():
        entry[key] = enc.child(value, index, f" ({key})")
    return entry


def _plain_namespace(cls) -> dict:
    slots = cls.__dict__.get("__slots__", ())
    slots = (slots,) if isinstance(slots, str) else tuple(slots)
    namespace = {}
    for name, value in cls.__dict__.items():
        if name in _CLASS_SKIP:
            continue
        if name in slots and type(value).__name__ == "member_descriptor":
            continue
        if env.ANNOTATIONS_ARE_LAZY and name in env.LAZY_CLASS_ANNOTATIONS:
            continue  # PYVERSIONS: 3.14's lazy annotations travel evaluated
        namespace[name] = value
    _annotations_into(cls, namespace)
    return namespace


def _annotations_into(cls, namespace: dict) -> None:
    if env.ANNOTATIONS_ARE_LAZY:
        annotations = env.class_annotations(cls)
        if annotations is not None:
            namespace["__annotations__"] = annotations


def _dataclass_parts(cls):
    namespace = _plain_namespace(cls)
    fields = cls.__dict__["__dataclass_fields__"]
    params = cls.__dict__["__dataclass_params__"]
    for name in ("__dataclass_fields__", "__dataclass_params__", "__match_args__"):
        namespace.pop(name, None)
    for name, value in list(namespace.items()):
        made_by_library = getattr(value, "__module__", None) == "dataclasses"
        if made_by_library or _is_generated(value) or \
                _is_generated(getattr(value, "__wrapped__", None)):
            del namespace[name]  # dataclass() on the target writes its own
    if namespace.get("__hash__", 0) is None:
        del namespace["__hash__"]
    real_fields = [f for f in fields.values() if f._field_type is dataclasses._FIELD]
    for field in real_fields:
        namespace.pop(field.name, None)
    options = {name: getattr(params, name) for name in
               ("init", "repr", "eq", "order", "unsafe_hash", "frozen", "match_args",
                "kw_only", "slots", "weakref_slot") if hasattr(params, name)}
    options.setdefault("match_args", "__match_args__" in cls.__dict__)
    slots = cls.__dict__.get("__slots__")
    if slots is not None and tuple(slots) == tuple(f.name for f in real_fields):
        options["slots"] = True
    if options.get("slots"):
        namespace.pop("__slots__", None)
        for name in ("__getstate__", "__setstate__"):
            if _is_generated(namespace.get(name)):
                namespace.pop(name)
    options.pop("kw_only", None)
    return "dataclass", namespace, {"dataclass": options,
                                    "dataclass_fields": {f.name: f for f in real_fields}}


def _enum_parts(world: World, cls):
    members = [[name, cls._member_map_[name]._value_] for name in cls._member_names_]
    aliases = [[name, member._name_] for name, member in cls._member_map_.items()
               if name not in cls._member_names_]
    namespace = {}
    for name, value in cls.__dict__.items():
        if name in cls._member_map_ or name in _CLASS_SKIP:
            continue
        if env.ANNOTATIONS_ARE_LAZY and name in env.LAZY_CLASS_ANNOTATIONS:
            continue  # PYVERSIONS: 3.14's lazy annotations travel evaluated
        sunder = len(name) > 2 and name[0] == name[-1] == "_" and name[1] != "_"
        if sunder and name not in _ENUM_KEEP_SUNDER:
            continue
        if name.startswith("__") and not _is_program_function(world, value):
            if name not in ("__doc__", "__module__", "__qualname__", "__annotations__"):
                continue
        namespace[name] = value
    _annotations_into(cls, namespace)
    extra = {"members": members, "aliases": aliases}
    boundary = getattr(cls, "_boundary_", None)
    if boundary is not None:
        extra["boundary"] = boundary
    return "enum", namespace, extra


def _is_program_function(world: World, value) -> bool:
    function = getattr(value, "__func__", value)
    code = getattr(function, "__code__", None)
    return code is not None and world.is_program_file(code.co_filename)


def _is_generated_namedtuple(cls) -> bool:
    return (issubclass(cls, tuple) and "_fields" in cls.__dict__
            and _is_generated(cls.__dict__.get("__new__", None) and cls.__new__))


def _namedtuple_parts(cls):
    generated = {"_fields", "_field_defaults", "__new__", "_make", "_replace", "__repr__",
                 "_asdict", "__getnewargs__", "__match_args__", "__slots__", "__doc__"}
    generated |= set(cls._fields)
    namespace = {name: value for name, value in cls.__dict__.items()
                 if name not in generated and name not in _CLASS_SKIP
                 and not _is_generated(value) and not (
                     env.ANNOTATIONS_ARE_LAZY and name in env.LAZY_CLASS_ANNOTATIONS)}
    _annotations_into(cls, namespace)
    return "namedtuple", namespace, {"fields": list(cls._fields),
                                     "defaults": dict(cls._field_defaults)}

