"""A program's sources packed for the trip to a node: a file, or a directory of them."""

from __future__ import annotations

import base64
import hashlib
import os

_SKIP = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".mypy_cache",
         ".pytest_cache", ".tox"}
LIMIT = 50_000_000
TTL = 7 * 24 * 3600  # seconds a bundle stays in Redis unless its program renews it


def pack(path: str) -> dict:
    """``{"main": relative path, "files": {relative path: base64}}``."""
    path = os.path.abspath(path)
    if os.path.isfile(path):
        root, mains = os.path.dirname(path), [os.path.basename(path)]
        names = [mains[0]]
    elif os.path.isdir(path):
        root = path
        names = []
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d not in _SKIP and not d.startswith("."))
            names += [os.path.relpath(os.path.join(directory, f), root) for f in sorted(files)]
        mains = [n for n in ("__main__.py", "main.py") if n in names]
        if not mains:
            raise FileNotFoundError(f"{path} has no __main__.py or main.py to run")
    else:
        raise FileNotFoundError(f"{path}: no such file or directory")
    files, size = {}, 0
    for name in names:
        with open(os.path.join(root, name), "rb") as handle:
            data = handle.read()
        size += len(data)
        if size > LIMIT:
            raise ValueError(f"{path} is larger than {LIMIT // 1_000_000} MB")
        files[name] = base64.b64encode(data).decode("ascii")
    return {"main": mains[0], "files": files}


def unpack(bundle: dict, directory: str) -> str:
    """Write the files under ``directory``; return the path of the main script. Every
    name is checked before anything is written: none may lead out of ``directory`` (an
    absolute path, ``..``, or a symbolic link already in the directory)."""
    directory = os.path.abspath(directory)
    real = os.path.realpath(directory)
    targets = []
    for name, data in bundle["files"].items():
        target = os.path.normpath(os.path.join(directory, name))
        if not target.startswith(directory + os.sep) or not os.path.realpath(
                target).startswith(real + os.sep):
            raise ValueError(f"bundle path {name!r} leaves its directory")
        targets.append((target, data))
    main = os.path.normpath(os.path.join(directory, bundle["main"]))
    if main not in {target for target, _ in targets}:
        raise ValueError(f"the bundle's main {bundle['main']!r} is not among its files")
    for target, data in targets:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(base64.b64decode(data))
    return main


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def fetch(conn, key: str, sha256: str | None = None) -> dict | None:
    """The bundle stored under ``key``, its expiry renewed; None if it is gone. With
    ``sha256`` (what the signed ``run`` named), a bundle changed since is refused."""
    import json

    with conn.pipeline() as pipe:
        pipe.get(key)
        pipe.expire(key, TTL)
        raw, _ = pipe.execute()
    if raw is None:
        return None
    if sha256 is not None and digest(raw) != sha256:
        from framemig.errors import Untrusted

        raise Untrusted(f"the files in {key} are not the ones the run command named "
                        f"(changed in Redis): refused")
    return json.loads(raw)


def submit(conn, node: str, path: str, args: list[str], timeout: float = 30.0,
           **options) -> dict:
    """Start the program at ``path`` on ``node``: its files go to Redis under a fresh id,
    the node fetches them and runs it. Returns the node's reply (id, pid). ``options``
    go with the command (``checkpoint_every``, ``require``)."""
    import json

    from framemig.bus import protocol
    from framemig.bus.protocol import Command

    packed = pack(path)
    program_id = "p" + protocol.new_id()[:7]
    key = protocol.bundle_key(program_id)
    raw = json.dumps(packed).encode("utf-8")
    conn.set(key, raw, ex=TTL)
    name = os.path.basename(os.path.abspath(path))
    return protocol.send(conn, node, Command.RUN, {
        "program_id": program_id, "name": name, "bundle_key": key,
        "bundle_sha256": digest(raw), "args": list(args), **options}, timeout=timeout)
