"""Values a snapshot was written without (``framemig dump --redact``), given back.

The capture put a marker where each redacted value was (``{"t": "redacted", "name":
"API_KEY", "kind": "str"}``), moved redacted environment variables' names to
``process.environ.redacted``, and listed every redacted name in ``body["redacted"]``
(framemig/capture/redaction.py). A restore needs every one of them back before anything
of the program is built: the program would not behave as it would have with a value
missing, so it is refused, in one line naming what is missing, rather than continued
with a hole that fails later (or worse, does not). ``framemig restore --provide NAME``
takes the value from the environment variable NAME, ``--provide NAME=VALUE`` from the
command line; a module written by ``restore --emit`` takes it from the environment.
"""

from __future__ import annotations

import base64
import re

from framemig.errors import ExitCode, FramemigError

MARKER = "redacted"  # the tag of a marker's description
KINDS = ("str", "bytes")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # what --redact and --provide take


def is_marker(item) -> bool:
    return type(item) is dict and item.get("t") == MARKER and type(item.get("name")) is str


def markers(body: dict):
    """``(container, key, marker)`` for every marker in ``body`` (objects, frames,
    modules, runtime state), so that it can be replaced in place."""
    stack: list = [body.get(part) for part in ("objects", "stack", "modules", "runtime")]
    stack.append(body.get("handled_exception"))
    while stack:
        item = stack.pop()
        if type(item) is dict:
            pairs = item.items()
        elif type(item) is list:
            pairs = enumerate(item)
        else:
            continue
        for key, value in pairs:
            if is_marker(value):
                yield item, key, value
            elif type(value) in (dict, list):
                stack.append(value)


def _environ(body: dict) -> dict | None:
    process = body.get("process")
    environ = process.get("environ") if type(process) is dict else None
    return environ if type(environ) is dict else None


def environment_names(body: dict) -> list[str]:
    """The environment variables the program set whose values were kept out."""
    names = (_environ(body) or {}).get("redacted")
    return [name for name in names if type(name) is str] if type(names) is list else []


def redacted(body: dict) -> dict[str, str]:
    """``{name: kind}`` of every value ``body`` was written without."""
    if not body.get("redacted"):
        return {}
    found = {name: "str" for name in environment_names(body)}
    for _container, _key, marker in markers(body):
        found[marker["name"]] = marker.get("kind", "str")
    return found


HOW = "with --provide NAME (from the environment variable NAME) or --provide NAME=VALUE"


def give_back(body: dict, provided: dict[str, str], name: str = "the snapshot",
              how: str = HOW) -> None:
    """Put the ``provided`` values where the markers are, or refuse (exit 2) if one is
    missing or one is given that the snapshot does not lack; ``how``: how to give one."""
    wanted = redacted(body)
    unknown = sorted(set(provided) - set(wanted))
    if unknown:
        raise FramemigError(
            f"--provide {', '.join(unknown)}: {name} has no redacted value of "
            f"{'that name' if len(unknown) == 1 else 'these names'}"
            + (f" (it lacks {', '.join(sorted(wanted))})" if wanted else ""),
            code=ExitCode.USAGE)
    missing = sorted(set(wanted) - set(provided))
    if missing:
        raise FramemigError(
            f"{name} was dumped with {', '.join(missing)} redacted: give "
            f"{'its value' if len(missing) == 1 else 'their values'} back {how}; nothing "
            f"of the program was run", code=ExitCode.USAGE)
    for container, key, marker in list(markers(body)):
        value = provided[marker["name"]]
        kind = marker.get("kind", "str")
        if kind not in KINDS or container is body.get("objects"):  # (never so written)
            raise FramemigError(f"{name}: the marker of redacted {marker['name']!r} is "
                                f"malformed", code=ExitCode.SNAPSHOT_CORRUPT)
        if kind == "bytes":
            raw = value.encode("utf-8", "surrogateescape")
            container[key] = {"t": "bytes", "b64": base64.b64encode(raw).decode("ascii")}
        else:
            container[key] = value
    environ = _environ(body)
    if environ:
        names = environment_names(body)
        if names:
            set_ = environ.setdefault("set", {})
            if type(set_) is not dict:
                raise FramemigError(f"{name}: process.environ.set is malformed",
                                    code=ExitCode.SNAPSHOT_CORRUPT)
            for variable in names:
                set_[variable] = provided[variable]
        environ.pop("redacted", None)
    body.pop("redacted", None)


def from_environment(body: dict, environ) -> dict[str, str]:
    """The values of the redacted names that ``environ`` has (a module written by
    ``restore --emit`` is given them so)."""
    return {name: environ[name] for name in redacted(body) if name in environ}
