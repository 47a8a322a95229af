"""What a snapshot holds that could be sensitive, for ``framemig inspect``.

A snapshot is the program's state: whoever reads the file reads its variables. This
finds what a person should look at before handing one on — the environment variables it
sets (names, and their values' lengths only), the paths it names (the program's folder,
working directory, ``sys.path`` additions, open files, databases, carried sources), the
variables, attributes and keys whose names look like secrets (names only, never values),
the program's options that do, and the values it was written without (``dump --redact``).
Nothing here prints a value.
"""

from __future__ import annotations

import re

from framemig.snapshot import describe, redaction

# words that name a secret by themselves, and words that make a "key" one
_SECRET_WORDS = frozenset({
    "password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "tokens",
    "credential", "credentials", "creds", "apikey", "auth", "authorization", "bearer",
    "cookie", "cookies", "dsn", "privkey", "passcode", "otp", "signature",
})
_KEY_QUALIFIERS = frozenset({
    "api", "private", "secret", "access", "signing", "encryption", "client", "ssh",
    "session", "master", "license", "licence", "aws", "hmac", "fernet", "jwt",
})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def looks_secret(name: str) -> bool:
    """Does ``name`` (a variable, attribute, key or option) look like it holds a secret?
    ``API_KEY``, ``db_password``, ``accessToken``, ``--auth-token``: yes; ``key``,
    ``keys``, ``author``, ``tokenize``: no."""
    if not isinstance(name, str) or name.startswith("__"):
        return False
    words = [w.lower() for w in _WORD.findall(name)]
    for n, word in enumerate(words):
        if word in _SECRET_WORDS:
            return True
        if word in ("key", "keys") and n > 0 and words[n - 1] in _KEY_QUALIFIERS:
            return True
    joined = "".join(words)
    return any(part in joined for part in ("apikey", "secretkey", "privatekey", "accesskey"))


def _present(value) -> bool:
    """Does the (encoded) value hold something (not None, a bool, an empty string)?"""
    return value is not None and type(value) is not bool and value != "" and \
        not redaction.is_marker(value)


def report(body: dict) -> dict:
    """The "could be sensitive" part of ``inspect``, as JSON."""
    named = list(_named_values(body))
    return {
        "environment": _environment(body),
        "paths": _paths(body),
        "secret_names": _secret_names(named),
        "arguments": _arguments(body),
        "redacted": _redacted(body, named),
    }


def _environment(body: dict) -> dict:
    process = body.get("process") if isinstance(body.get("process"), dict) else {}
    environ = process.get("environ") if isinstance(process.get("environ"), dict) else {}
    values = environ.get("set") if isinstance(environ.get("set"), dict) else {}
    return {
        "set": [{"name": name, "length": len(value) if isinstance(value, str) else None}
                for name, value in sorted(values.items())],
        "unset": sorted(name for name in environ.get("unset") or () if isinstance(name, str)),
        "redacted": sorted(redaction.environment_names(body)),
    }


def _paths(body: dict) -> dict:
    program = body.get("program") or {}
    process = body.get("process") if isinstance(body.get("process"), dict) else {}
    files, databases = [], []
    for entry in describe.descriptions(body):
        kind = entry.get("t")
        path = entry.get("path")
        if kind == "file" and isinstance(path, str):
            files.append(f"{path} ({entry.get('mode')})")
        elif kind == "sqlite" and isinstance(path, str):
            databases.append(path)
    sources = sorted({entry.get("origin") for entry in (body.get("sources") or {}).values()
                      if isinstance(entry, dict) and isinstance(entry.get("origin"), str)})
    return {
        "root": program.get("root"),
        "cwd": process.get("cwd") or program.get("cwd"),
        "sys_path_added": list((process.get("path") or {}).get("added") or []),
        "open_files": sorted(set(files)),
        "databases": sorted(set(databases)),
        "sources": sources,
    }


def _arguments(body: dict) -> list[str]:
    """Options of the program's command line that look like secrets (their names)."""
    found = []
    for n, word in enumerate((body.get("program") or {}).get("argv") or []):
        if isinstance(word, str) and word.startswith("-"):
            option = word.partition("=")[0]
            if looks_secret(option.lstrip("-").replace("-", "_")):
                found.append(f"argv[{n}] {option}")
    return found


def _named_values(body: dict):
    """``(name, value, where)`` for every named value of the state: globals, locals and
    cells of frames (generators' too), library globals, attributes, class attributes,
    string keys of dicts. A frame's cell is given as what it holds."""
    objects = body.get("objects") or []
    for record in body.get("stack") or []:
        yield from _frame_names(record, objects, "")
    libraries = describe.resolve((body.get("runtime") or {}).get("libraries") or {}, objects)
    skip = {id(libraries)}
    for module, values in _map(libraries.get("d") if isinstance(libraries, dict) else None):
        values = describe.resolve(values, objects)
        skip.add(id(values))
        for name, value in _map(values.get("d") if isinstance(values, dict) else None):
            yield name.rpartition(":")[2], value, f"library global of {module}"
    for entry in describe.descriptions(body):
        if id(entry) in skip:
            continue
        kind = describe.kind(entry)
        if kind == "module_dict":
            for name, value in _map(entry.get("s")):
                yield name, value, f"global of {entry.get('name')}"
        elif kind == "generator" and isinstance(entry.get("frame"), dict):
            yield from _frame_names(entry["frame"], objects, " (generator)")
        elif kind == "obj":
            owner = describe.class_name(entry.get("o"), objects)
            for field in ("s", "sl"):
                for name, value in _map(entry.get(field)):
                    yield name, value, f"attribute of a {owner} object"
        elif kind == "class":
            for name, value in _map(entry.get("ns")):
                yield name, value, f"attribute of class {entry.get('qualname')}"
        elif kind == "dict":
            for name, value in _map(entry.get("d")):
                yield name, value, "key of a dict"


def _map(data) -> list:
    return list(data.items()) if isinstance(data, dict) else []


def _frame_names(record: dict, objects: list, suffix: str):
    code = record.get("code") or {}
    where = f"{code.get('qualname')} ({code.get('source')}){suffix}"
    for name, value in _map(record.get("locals")):
        yield name, value, f"local of {where}"
    for name, value in _map(record.get("cells")):
        try:
            cell = describe.resolve(value, objects)
        except (IndexError, TypeError):
            continue
        if isinstance(cell, dict) and cell.get("t") == "cell":
            yield name, cell.get("v"), f"variable of {where}"


def _secret_names(named: list) -> list[dict]:
    found, seen = [], set()
    for name, value, where in named:
        if looks_secret(name) and _present(value) and (name, where) not in seen:
            seen.add((name, where))
            found.append({"name": name, "where": where})
    return found


def _redacted(body: dict, named: list) -> list[dict]:
    """Each name the snapshot was written without, with its kind and where it was."""
    places: dict[str, dict] = {}

    def add(name, kind, where):
        entry = places.setdefault(name, {"name": name, "kind": kind, "where": []})
        if where not in entry["where"]:
            entry["where"].append(where)

    for name in redaction.environment_names(body):
        add(name, "str", "environment variable")
    for name, value, where in named:
        if redaction.is_marker(value):
            add(value["name"], value.get("kind"), where if name == value["name"]
                else f"{where} {name!r}")
    for _container, _key, marker in redaction.markers(body):
        if marker["name"] not in places:  # a closure's variable: its name is the code's
            add(marker["name"], marker.get("kind"), "a closure's variable")
    return sorted(places.values(), key=lambda entry: entry["name"])
