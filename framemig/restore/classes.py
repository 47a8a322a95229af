"""Rebuild the program's classes from their captured namespaces.

A class is made again with its metaclass, from a namespace holding what creation needs
(functions, descriptors, ``__slots__``...); attributes that may refer back to the class
(an instance kept as a class attribute) are set once it exists. Hooks the program wrote
to react to class creation (``__init_subclass__``, a program metaclass) do not run again:
their effects are already part of the captured state. Classes for which a library
generated code are handed back to that library: ``dataclasses.dataclass`` writes the
methods of a dataclass again, ``enum`` makes the members, ``collections.namedtuple`` the
tuple class.
"""

from __future__ import annotations

import abc
import collections
import contextlib
import dataclasses
import functools
import inspect

from framemig.errors import RestoreFailed
from framemig.restore.refs import kind_of, refs_in

ESSENTIAL = ("__slots__", "__module__", "__qualname__", "__doc__", "__orig_bases__",
             "__annotations__", "__type_params__")
_EARLY_KINDS = ("function", "staticmethod", "classmethod", "property", "global", "cell",
                "code", "lru_cache")


def _is_early(d, value) -> bool:
    """Can this namespace value go into the class at creation?"""
    if type(value) is not dict:
        return True
    entry = d.table[value["ref"]] if "ref" in value else value
    return "float" in entry or kind_of(entry) in _EARLY_KINDS


def build(d, n, e):
    kind = e["kind"]
    ns_json = e["ns"]
    early_names = [name for name, value in ns_json.items()
                   if name in ESSENTIAL or _is_early(d, value)]
    extra_keys = [key for key in ("members", "aliases", "dataclass", "dataclass_fields",
                                  "fields", "defaults", "boundary") if key in e]
    yield from refs_in(e["bases"])
    yield from refs_in(e["meta"])
    for name in early_names:
        yield from refs_in(ns_json[name])
    for key in extra_keys:
        yield from refs_in(e[key])
    bases, meta = d.value(e["bases"]), d.value(e["meta"])
    early = {name: d.value(ns_json[name]) for name in early_names}
    early["__qualname__"] = e["qualname"]
    early["__module__"] = e["module"]
    extras = {key: d.value(e[key]) for key in extra_keys}
    try:
        if kind == "enum":
            cls = _make_enum(d, e, meta, bases, early, extras)
        elif kind == "namedtuple":
            cls = _make_namedtuple(e, extras)
            for name, value in early.items():
                if name not in ("__slots__", "__orig_bases__"):
                    setattr(cls, name, value)
        else:
            if kind == "dataclass":
                early.update(extras["dataclass_fields"])
            cls = _make_type(d, meta, e["name"], bases, early)
            if kind == "dataclass":
                cls = dataclasses.dataclass(cls, **_dataclass_options(extras["dataclass"]))
    except RestoreFailed:
        raise
    except Exception as exc:
        raise RestoreFailed(f"cannot rebuild class {e['qualname']}: {exc}") from None
    d.memo[n] = cls
    # The other attributes may lead back to classes still being made (a registry of
    # subclasses, classes naming each other): they are set once everything exists.
    later = [name for name in ns_json if name not in early_names]
    for name in later:
        d.deferred.append((functools.partial(type.__setattr__, cls, name), ns_json[name]))
    if isinstance(cls, abc.ABCMeta) and later:
        d.deferred.append((lambda _: abc.update_abstractmethods(cls), None))


def _make_type(d, meta, name, bases, namespace):
    program = d.context.is_program_module
    with _quiet_init_subclass(bases, program):
        if program(getattr(meta, "__module__", None)):
            library_meta = next(m for m in meta.__mro__ if not program(m.__module__))
            return library_meta.__new__(meta, name, bases, namespace)
        return meta(name, bases, namespace)


@contextlib.contextmanager
def _quiet_init_subclass(bases, is_program_module):
    """Keep the program's own __init_subclass__ hooks from running a second time."""
    silenced = []
    for base in bases:
        for klass in inspect.getmro(base):
            if "__init_subclass__" in vars(klass):
                if is_program_module(klass.__module__):
                    silenced.append((klass, vars(klass)["__init_subclass__"]))
                break
    for klass, _hook in silenced:
        klass.__init_subclass__ = classmethod(lambda cls, **kwargs: None)
    try:
        yield
    finally:
        for klass, hook in silenced:
            type.__setattr__(klass, "__init_subclass__", hook)


def _dataclass_options(options: dict) -> dict:
    accepted = inspect.signature(dataclasses.dataclass).parameters
    return {key: value for key, value in options.items() if key in accepted}


def _make_enum(d, e, meta, bases, early, extras):
    classdict = meta.__prepare__(e["name"], bases)
    for name in ("__qualname__", "__module__", "_generate_next_value_"):
        if name in early:
            classdict[name] = early.pop(name)
    values = {}
    for name, value in extras["members"]:
        classdict[name] = value
        values[name] = value
    for alias, target in extras.get("aliases", []):
        classdict[alias] = values[target]
    for name, value in early.items():
        if name not in ("__slots__",):
            classdict[name] = value
    keywords = {"boundary": extras["boundary"]} if "boundary" in extras else {}
    return meta(e["name"], bases, classdict, **keywords)


def _make_namedtuple(e, extras):
    fields = extras["fields"]
    defaults = extras.get("defaults") or {}
    default_values = [defaults[f] for f in fields if f in defaults]
    return collections.namedtuple(e["name"], fields, defaults=default_values or None,
                                  module=e["module"])
