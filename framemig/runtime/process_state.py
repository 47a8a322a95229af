"""The process around the program: what it changed of it travels and is set again.

A program's working directory, the environment variables it set, the folders it put on
``sys.path``, its recursion limit, umask, warnings filters, switch interval and the
``sys.modules`` entries it blocked (``sys.modules['_pickle'] = None``) decide what it
computes and where it writes. A restore that dropped them would let the program carry on
doing something else (issue "The world around the program travels").

Only the program's changes travel: the process is noted when framemig starts it (``note``)
and a capture writes what differs (``changes``). The environment the node gave the
program stays on the node — the target's own environment is kept, with the program's
changes made on top. All of it is plain JSON in the snapshot's ``process`` entry, applied
(``apply``) before anything of the program is rebuilt: its imports may need its paths.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
import warnings

from framemig.errors import RestoreFailed

_start: dict | None = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read() -> dict:
    return {
        "environ": dict(os.environ),
        "path": list(sys.path),
        "umask": _umask(),
        "warnings": [_filter(f) for f in warnings.filters],
        "switch_interval": sys.getswitchinterval(),
        "int_max_str_digits": _int_digits(),
        "blocked": sorted(name for name, module in sys.modules.items() if module is None),
    }


def _int_digits():
    get = getattr(sys, "get_int_max_str_digits", None)
    return get() if get is not None else None


def note() -> None:
    """What the process is before the program changes it (or before a restore does)."""
    global _start
    if _start is None:
        _start = _read()
        _start["recursion_limit"] = sys.getrecursionlimit()


def changes(recursion_limit: int | None = None) -> dict:
    """The program's changes to its process, as JSON. ``recursion_limit``: the program's
    own, when framemig raised the interpreter's for its frames below the program's."""
    now = _read()
    start = _start or now
    result: dict = {"cwd": os.getcwd()}
    env_set = {k: v for k, v in now["environ"].items() if start["environ"].get(k) != v}
    env_unset = sorted(k for k in start["environ"] if k not in now["environ"])
    if env_set or env_unset:
        result["environ"] = {"set": env_set, "unset": env_unset}
    added = [p for p in now["path"] if p not in start["path"]]
    if added:
        first = now["path"].index(added[0])
        result["path"] = {"added": added, "front": first <= 1}
    if recursion_limit is not None and recursion_limit != start.get("recursion_limit"):
        result["recursion_limit"] = recursion_limit
    for key in ("umask", "switch_interval", "int_max_str_digits"):
        if now[key] != start[key]:
            result[key] = now[key]
    if now["warnings"] != start["warnings"]:
        result["warnings"] = [f for f in now["warnings"] if f is not None]
    blocked = [name for name in now["blocked"] if name not in start["blocked"]]
    if blocked:
        result["blocked"] = blocked
        result["blocked_users"] = {name: sorted(_users(name)) for name in blocked}
    return result


def _users(blocked: str) -> set[str]:
    """The loaded modules that took something from module ``blocked`` (pickle from
    _pickle): on the target they are imported again without it if the program's were."""
    found = set()
    for name, module in list(sys.modules.items()):
        if module is None or name == blocked:
            continue
        try:
            values = list(vars(module).values())
        except TypeError:
            continue
        for value in values:
            if isinstance(value, types.ModuleType):
                if value.__name__ == blocked:
                    found.add(name)
                    break
            elif getattr(value, "__module__", None) == blocked and \
                    isinstance(value, (type, types.BuiltinFunctionType)):
                found.add(name)
                break
    return found


def _import_again_without(blocked: str, users_then: list) -> None:
    """Modules framemig loaded here with ``blocked`` (itself uses pickle) that the program
    had without it: imported again now that it is blocked, as the program had them."""
    for name in sorted(_users(blocked) - set(users_then)):
        module = sys.modules.get(name)
        if module is None:
            continue
        try:
            importlib.reload(module)
        except Exception:  # as the program would have found it: let it import it anew
            sys.modules.pop(name, None)


def apply(process: dict, old_root: str | None, new_root: str) -> None:
    """Set the program's changes again, here. The working directory inside the program's
    folder follows the folder (a node unpacks it elsewhere)."""
    note()  # this process as framemig started it: the program's changes come on top
    if not process:
        return
    environ = process.get("environ") or {}
    for key, value in (environ.get("set") or {}).items():
        os.environ[str(key)] = str(value)
    for key in environ.get("unset") or ():
        os.environ.pop(str(key), None)
    paths = process.get("path") or {}
    added = [_follow(str(p), old_root, new_root) for p in paths.get("added") or ()]
    added = [p for p in added if p not in sys.path]
    if paths.get("front"):
        sys.path[1:1] = added
    else:
        sys.path.extend(added)
    users = process.get("blocked_users") or {}
    for name in process.get("blocked") or ():
        sys.modules[str(name)] = None
        if isinstance(users.get(name), list):
            _import_again_without(str(name), users[name])
    if "recursion_limit" in process:
        sys.setrecursionlimit(int(process["recursion_limit"]))
    if "umask" in process:
        os.umask(int(process["umask"]))
    if "switch_interval" in process:
        sys.setswitchinterval(float(process["switch_interval"]))
    if process.get("int_max_str_digits") is not None and \
            hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(int(process["int_max_str_digits"]))
    if "warnings" in process:
        _set_filters(process["warnings"])
    cwd = process.get("cwd")
    if cwd:
        target = _follow(str(cwd), old_root, new_root)
        try:
            os.chdir(target)
        except OSError as exc:
            raise RestoreFailed(f"the program's working directory {target} cannot be "
                                f"entered here: {exc.strerror}") from None


def _follow(path: str, old_root: str | None, new_root: str) -> str:
    """``path`` under the program's folder on the source, under it here."""
    if old_root and (path == old_root or path.startswith(old_root.rstrip(os.sep) + os.sep)):
        return os.path.normpath(os.path.join(new_root, os.path.relpath(path, old_root)))
    return path


# --- warnings filters: (action, message, category, module, lineno) ----------------------

def _filter(entry) -> list | None:
    action, message, category, module, lineno = entry
    name = f"{category.__module__}.{category.__qualname__}"
    return [action, getattr(message, "pattern", message), name,
            getattr(module, "pattern", module), lineno]


def _set_filters(filters: list) -> None:
    import importlib
    import re
    rebuilt = []
    for action, message, category, module, lineno in filters:
        owner, _, qualname = str(category).rpartition(".")
        try:
            cls = importlib.import_module(owner)
            for part in qualname.split("."):
                cls = getattr(cls, part)
        except Exception:
            continue  # a category of the program's: its own code sets it again, if it does
        if not (isinstance(cls, type) and issubclass(cls, Warning)):
            continue
        rebuilt.append((str(action), re.compile(message, re.I) if message else None, cls,
                        re.compile(module) if module else None, int(lineno)))
    warnings.filters[:] = rebuilt
    mutated = getattr(warnings, "_filters_mutated", None)  # the C module's cache of them
    if mutated is not None:
        mutated()
