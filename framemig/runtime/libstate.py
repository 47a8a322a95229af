"""What the program changed in its libraries' modules, which a fresh import would not give.

Libraries keep state in module globals and rebind it at run time: ply's ``lex.lexer``,
``lex.input`` and ``lex.token`` are the last lexer built, yapf's global style is the one
the last ``FormatCode`` set. The target imports every library afresh, so without this a
restored program would go on with the import-time values, and print something else.

A module's globals are noted (by reference, not copied) right after its code ran at
import; a capture carries the globals that were rebound or added since, and the restore
sets them back into the freshly imported module. Plain dicts, lists and sets in globals
and class attributes are noted with a shallow copy too: a library that fills one in
place (a registry, a table of patterns compiled on first use) has its contents carried
and put back into the target's own container, which keeps its identity. Only installed libraries count: the
program's modules travel whole, and the standard library's state is carried by name
(random, timers) or not at all. The note costs a dict of references (and shallow copies of
containers) per import and nothing afterwards (design principle 1: no cost in steady state).

A value that cannot travel is left behind — the library gets its import-time value, as
it does for a lazily made cache — and the snapshot says which (``inspect`` shows them).
"""

from __future__ import annotations

import importlib
import sys
import types
from importlib.machinery import SourceFileLoader

_baselines: dict[str, dict[str, object]] = {}  # module name -> globals after its import
# (module name, class) -> the class's attributes after the import: libraries set class
# attributes lazily too (pygments' RegexLexer compiles its ``_tokens`` on the first
# instance; an instance restored by state, on a class imported afresh, has none)
_class_baselines: dict[tuple[str, type], dict[str, object]] = {}
# id -> (module name, key, the container, a shallow copy): the plain dicts, lists and sets
# a library keeps in a global or a class attribute, as they were after the import. Libraries
# fill them at run time (docutils' StateWS adds its whitespace patterns to Body.patterns
# on the first parser): the target's fresh import has them as they were at import.
_containers: dict[int, tuple[str, str, object, object]] = {}
_CONTAINERS = (dict, list, set)
_FRAMEMIG = __name__.split(".")[0]


class _Noting(SourceFileLoader):
    """The file loader Python would use, noting the module's globals once its code ran."""

    def exec_module(self, module) -> None:
        super().exec_module(module)
        name = module.__name__
        _baselines[name] = dict(vars(module))
        for key, value in _baselines[name].items():
            if isinstance(value, type) and value.__module__ == name:
                _class_baselines[(name, value)] = dict(vars(value))
                for attribute, inner in _class_baselines[(name, value)].items():
                    _note_container(name, f"{value.__qualname__}:{attribute}", inner)
            else:
                _note_container(name, key, value)


def _note_container(module: str, key: str, value) -> None:
    if type(value) in _CONTAINERS and not key.startswith("__") and id(value) not in _containers:
        _containers[id(value)] = (module, key, value, value.copy())


def _place(module, key: str):
    """``(owner, name)`` of a library global, or of a class attribute (``Class:name``);
    owner None if that class is not there (in this version of the library)."""
    if ":" not in key:
        return module, key
    qualname, key = key.split(":", 1)
    owner = module
    for part in qualname.split("."):
        owner = getattr(owner, part, None)
    return (owner if isinstance(owner, type) else None), key


def _current(module_name: str, key: str):
    """What a library module's global or class attribute is now."""
    owner, name = _place(sys.modules.get(module_name), key)
    if isinstance(owner, type):
        return vars(owner).get(name)
    return getattr(owner, name, None)


def _filled(now, then) -> bool:
    """Did a noted container's contents change (items compared by identity)?"""
    if len(now) != len(then):
        return True
    if type(now) is dict:
        missing = object()
        return any(then.get(k, missing) is not v for k, v in list(now.items()))
    if type(now) is list:
        return any(a is not b for a, b in zip(list(now), then))
    return any(item not in then for item in list(now))


class _Watcher:
    """First on ``sys.meta_path``: finds as the rest of it would, and notes the result."""

    def find_spec(self, name, path=None, target=None):
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(name, path, target)
            if spec is None:
                continue
            if type(spec.loader) is SourceFileLoader and _worth_noting(name):
                spec.loader = _Noting(spec.loader.name, spec.loader.path)
            return spec
        return None

    def invalidate_caches(self) -> None:
        pass


def _worth_noting(name: str) -> bool:
    top = name.partition(".")[0]
    return top != _FRAMEMIG and top not in sys.stdlib_module_names


def watch() -> None:
    """Note the globals of every library module imported from now on."""
    if not any(isinstance(finder, _Watcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Watcher())


def changed(program_modules) -> dict[str, dict[str, object]]:
    """``{module: {name: value}}``: the library globals rebound or added since import;
    a class attribute's name is ``Class:attribute``."""
    found: dict[str, dict[str, object]] = {}
    for (name, cls), base in list(_class_baselines.items()):
        if name in program_modules or sys.modules.get(name) is None:
            continue
        for key, value in list(vars(cls).items()):
            if key.startswith("__") or isinstance(value, types.ModuleType):
                continue
            if key not in base or base[key] is not value:
                found.setdefault(name, {})[f"{cls.__qualname__}:{key}"] = value
    for module_name, key, container, then in list(_containers.values()):
        if module_name in program_modules or sys.modules.get(module_name) is None:
            continue
        if _current(module_name, key) is not container:
            continue  # rebound since: the new value travels as such (below), not this one
        if _filled(container, then):  # "+key": the contents of the library's own container
            found.setdefault(module_name, {})["+" + key] = container.copy()
    for name, base in list(_baselines.items()):
        module = sys.modules.get(name)
        if module is None or name in program_modules:
            continue
        values = {}
        for key, value in list(vars(module).items()):
            if key.startswith("__") or isinstance(value, types.ModuleType):
                continue  # import machinery's own, and submodules (imported again)
            if key not in base or base[key] is not value:
                values[key] = value
        if values:
            found.setdefault(name, {}).update(values)
    return found


def apply(state: dict[str, dict[str, object]]) -> None:
    """Set the carried globals into the libraries' modules, imported here if not yet."""
    for name, values in state.items():
        try:
            module = importlib.import_module(name)
        except Exception:
            continue  # a library this interpreter lacks: the program will say so itself
        for key, value in values.items():
            contents = key.startswith("+")
            owner, key = _place(module, key.lstrip("+"))
            if owner is None:
                continue  # the class is not there in this version of the library
            if contents:
                _fill(getattr(owner, key, None), value)
            else:
                setattr(owner, key, value)


def _fill(container, contents) -> None:
    """Give the library's own container (the one its code and the frames refer to) the
    contents it had at capture."""
    if type(container) is not type(contents):
        return  # not there, or something else in this version of the library
    if type(container) is list:
        container[:] = contents
    else:
        container.clear()
        container.update(contents)
