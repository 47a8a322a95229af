"""Values kept out of a snapshot at the asker's request: ``framemig dump --redact NAME``.

A redacted name is a variable of the program — a global of one of its modules, a local
or a cell of any frame (generators' too), a closure's variable, a library global the
program set — or an environment variable the snapshot would carry (one the program set
itself: ``process.environ.set``). Its value is never written: the capture, in the
program's own process, puts a marker in its place (``{"t": "redacted", "name": ...,
"kind": "str"}``; the environment variable's name goes to ``process.environ.redacted``),
and a restore refuses to go on until it is given the value back
(:mod:`framemig.snapshot.redaction`).

Nothing is silent: a name that matches nothing refuses the capture (a misspelt name would
otherwise write the very secret it was meant to keep out), and so does a value that is
not a ``str`` or ``bytes`` (a restore takes the value back as text), a name that holds
different values in different places (one value is given back), and a secret still found
anywhere else in the snapshot after the markers are in (a copy under another name, a
string built from it, the program's source or arguments): the capture is refused, saying
where, and the program goes on as if nobody had asked.
"""

from __future__ import annotations

import base64
import binascii

from framemig.errors import CannotTravel, ExitCode, FramemigError
from framemig.snapshot.redaction import MARKER

_KINDS = {str: "str", bytes: "bytes"}


class Redacted:
    """Stands, in the graph being described, for a value that is not written."""

    __slots__ = ("name", "kind")

    def __init__(self, name: str, kind: str):
        self.name, self.kind = name, kind

    def description(self) -> dict:
        return {"t": MARKER, "name": self.name, "kind": self.kind}


class Redaction:
    """The names asked for, and where each was met during one capture."""

    def __init__(self, names):
        self.names = frozenset(names)
        self.found: dict[str, list[tuple[str, object]]] = {}  # name -> [(where, value)]

    def stand_in(self, name: str, value, where: str) -> Redacted:
        kind = _KINDS.get(type(value))
        if kind is None:
            raise CannotTravel(
                f"--redact {name}: {where} is {_a(value)}: only a str or bytes value can be "
                f"redacted (a restore is given it back as text)")
        if not value:
            raise CannotTravel(f"--redact {name}: {where} is empty: there is nothing to "
                               f"keep out")
        self.found.setdefault(name, []).append((where, value))
        return Redacted(name, kind)

    def finish(self, body: dict) -> None:
        """Take the environment variables out of ``body``, check what was found, and make
        sure no secret is left anywhere in it."""
        environ = (body.get("process") or {}).get("environ")
        if environ:
            set_ = environ.get("set") or {}
            for name in sorted(self.names & set_.keys()):
                self.found.setdefault(name, []).append(
                    (f"environment variable {name!r}", set_.pop(name)))
                environ.setdefault("redacted", []).append(name)
        missing = sorted(self.names - self.found.keys())
        if missing:
            raise FramemigError(
                f"--redact {', '.join(missing)}: no variable of the program, and no "
                f"environment variable the snapshot would carry (only those the program "
                f"set itself travel), has {'that name' if len(missing) == 1 else 'these names'}"
                f"; nothing was written", code=ExitCode.USAGE)
        for name, places in sorted(self.found.items()):
            first_where, first = places[0]
            for where, value in places[1:]:
                if type(value) is not type(first) or value != first:
                    raise CannotTravel(
                        f"--redact {name}: {first_where} and {where} hold different values, "
                        f"and a restore is given one value back for a name")
        body["redacted"] = sorted(self.found)
        self._check_nothing_left(body)

    def places(self) -> dict[str, list[str]]:
        """``{name: [where it was found...]}``, for the asker (never the values)."""
        return {name: [where for where, _ in places] for name, places in self.found.items()}

    def _check_nothing_left(self, body: dict) -> None:
        texts, raws = [], []
        for name, places in sorted(self.found.items()):
            value = places[0][1]
            if type(value) is str:
                texts.append((name, value))
                raws.append((name, value.encode("utf-8", "surrogatepass")))
            else:
                raws.append((name, value))
                try:
                    texts.append((name, value.decode("utf-8")))
                except UnicodeDecodeError:
                    pass
        found = _search(body, texts, raws)
        if found is not None:
            name, path = found
            raise CannotTravel(
                f"--redact {name}: its value is also in {_place(body, path)} (a copy under "
                f"another name, or text made from it): redact that too, or the snapshot "
                f"would hold the secret; nothing was written")


def _a(value) -> str:
    if value is None:
        return "None"
    name = type(value).__name__
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _search(body: dict, texts: list, raws: list):
    """``(name, path)`` of the first place in ``body`` holding a secret, or None."""
    stack: list = [(body, ())]
    while stack:
        item, path = stack.pop()
        kind = type(item)
        if kind is dict:
            if item.get("t") == MARKER:
                continue
            for key, value in item.items():
                for name, text in texts:
                    if text in key:
                        return name, (*path, key)
                if type(value) is str and key in ("b64", "data"):
                    found = _in_base64(value, raws)
                    if found is not None:
                        return found, (*path, key)
                stack.append((value, (*path, key)))
        elif kind is list:
            stack.extend((value, (*path, n)) for n, value in enumerate(item))
        elif kind is str:
            for name, text in texts:
                if text in item:
                    return name, path
    return None


def _in_base64(value: str, raws: list) -> str | None:
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    for name, raw in raws:
        if raw in data:
            return name
    return None


_MAP_WORDS = {"s": "global", "locals": "local", "cells": "variable", "d": "key or attribute",
              "set": "environment variable", "argv": "argument"}


def _place(body: dict, path: tuple) -> str:
    """Where ``path`` is, in a person's words (and the path itself)."""
    raw = "".join(f"[{p}]" if type(p) is int else f".{p}" for p in path).lstrip(".")
    if path[:1] == ("sources",) and len(path) > 1:
        return f"the carried source {path[1]!r}"
    if path[:2] == ("program", "argv"):
        return f"the program's arguments (sys.argv[{path[2]}])" if len(path) > 2 else \
            "the program's arguments"
    for n in range(len(path) - 2, -1, -1):
        word = _MAP_WORDS.get(path[n]) if type(path[n]) is str else None
        if word is not None and type(path[n + 1]) is str:
            return f"{word} {path[n + 1]!r} ({raw})"
    if "stack" in path:
        return f"a value being computed ({raw})"
    return raw
