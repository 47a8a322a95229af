"""Reading and writing snapshot files.

A snapshot file is one JSON document::

    {"framemig": "snapshot", "format": 1, "checksum": "sha256:...", "body": {...}}

The header is what a reader checks before trusting anything: that this is a framemig
snapshot at all, that its format is one this code understands, and that the body is the
one that was written (the checksum covers the body's canonical JSON, so re-indenting the
file is harmless but changing a value is not). Program sources inside the body carry their
own hashes, so an edited source is reported as such.

Files are written atomically: a temporary file in the same directory, fsync, rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os

from framemig.errors import (
    PermissionDenied,
    SnapshotCorrupt,
    SnapshotMissing,
    SnapshotVersion,
    SourceMismatch,
    Untrusted,
)
from framemig.snapshot import schema

MAGIC = "snapshot"

# The snapshot format version. Bump it when a reader of the old version would misread the
# new one, and keep a line per version here:
#   1: first format (object table, normalized stacks, source-located frames, timers).
#   2: values described in place ({"l": ...}, {"d": ...}, {"o": ...}), only shared ones in
#      the table; checksum over the body's bytes as written.
#   3: the world around the program: "process" (working directory, environment changes,
#      paths...), runtime "libraries" and "stdlib" state, "left_behind"; entries
#      id_of, re_match, thread, json_scanner; a library global's random state ("rs").
#      A reader of 2 would restore such a snapshot without them, silently.
#   4: the random module's state as its packed words (runtime "random": {"mt19937": ...}),
#      which a reader of 3 would hand to random.setstate.
FORMAT_VERSION = 4


def _canonical(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), allow_nan=False,
                      check_circular=False).encode("ascii")


def checksum(body_bytes: bytes) -> str:
    return "sha256:" + hashlib.sha256(body_bytes).hexdigest()


def source_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def file_digest(path: str) -> tuple[str, int]:
    """``(sha256 hex digest, size)`` of the file at ``path``, read in blocks: how a file
    open for writing is known to be the same file on the target. Raises OSError."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _head(digest: str, signed: tuple[str, str] | None = None) -> bytes:
    fields = {"framemig": MAGIC, "format": FORMAT_VERSION, "checksum": digest}
    if signed is not None:
        fields["key"], fields["signature"] = signed
    head = json.dumps(fields)
    return head[:-1].encode("ascii") + b', "body": '


def _signature(key, digest: str) -> str:
    """The fleet key's signature of a snapshot: over its checksum, which covers its body."""
    return key.mac(b"framemig snapshot\0" + digest.encode("ascii"))


def encode(body: dict, key=None) -> bytes:
    body_bytes = _canonical(body)
    digest = checksum(body_bytes)
    signed = None if key is None else (key.id, _signature(key, digest))
    return _head(digest, signed) + body_bytes + b"}\n"


def _split(data: bytes, name: str) -> tuple[dict, bytes]:
    """The header and the body's bytes of a snapshot as framemig writes it, the body's
    checksum checked (without parsing the body)."""
    cut = data.find(b', "body": ')
    try:
        header = json.loads(data[:cut] + b"}") if 0 < cut < 4096 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("framemig") != MAGIC or \
            header.get("format") != FORMAT_VERSION or not data.endswith(b"}\n"):
        raise SnapshotCorrupt(f"{name} is not a framemig snapshot of format {FORMAT_VERSION}")
    body = data[cut + len(b', "body": '):-2]
    if checksum(body) != header.get("checksum"):
        raise SnapshotCorrupt(f"{name} is corrupted: its checksum does not match its content")
    return header, body


def sign(data: bytes, key, name: str = "snapshot") -> bytes:
    """``data`` (a snapshot as framemig wrote it) signed with ``key``. The program that
    was captured writes its snapshot unsigned (it never holds the key): who asked for
    the capture and holds the key signs it (``framemig dump``, the node)."""
    header, body = _split(data, name)
    return _head(header["checksum"], (key.id, _signature(key, header["checksum"]))) + \
        body + b"}\n"


def verify(data: bytes, key, name: str = "snapshot") -> None:
    """Raise unless ``data`` is intact and signed with ``key`` (a node checks what it
    is handed before a restore process sees it; the body is not parsed here)."""
    header, _body = _split(data, name)
    _check_signature(header, key, name, trust_unsigned=False)


def _check_signature(document: dict, key, name: str, trust_unsigned: bool) -> bool:
    """Raise unless the snapshot is signed with ``key`` or ``trust_unsigned``; return
    whether it is signed with ``key`` (a snapshot one trusts without a signature is
    still rebuilt as an unsigned one: framemig/restore/allowed.py)."""
    if trust_unsigned:
        try:
            return key is not None and _check_signature(document, key, name, False)
        except Untrusted:
            return False
    signature = document.get("signature")
    if signature is None:
        raise Untrusted(f"{name} is not signed: refused (restore --trust-unsigned for a "
                        f"snapshot you made yourself)")
    if key is None:
        raise Untrusted(f"{name} is signed, but there is no fleet key here to check it "
                        f"(--key, FRAMEMIG_KEY_FILE)")
    if not key.matches(b"framemig snapshot\0" + str(document.get("checksum")).encode(
            "ascii", "replace"), signature):
        raise Untrusted(f"{name} is signed with another key, or was altered: refused")
    return True


def sign_file(path: str, key, durable: bool = True) -> int:
    """Sign the snapshot file at ``path`` in place (atomically); returns its size."""
    with open(path, "rb") as handle:
        data = sign(handle.read(), key, path)
    _write_bytes(path, data, durable)
    return len(data)


def _fast_check(data: bytes, document: dict) -> bool | None:
    """Check the checksum on the bytes as written (no second encoding of the body); None
    if the file is not laid out as framemig writes it (then the slow way decides)."""
    digest = document.get("checksum")
    if not isinstance(digest, str):
        return None
    signed = document.get("key"), document.get("signature")
    if not all(isinstance(part, str) for part in signed):
        signed = None
    head = _head(digest, signed)
    if not data.startswith(head) or not data.endswith(b"}\n"):
        return None
    return checksum(data[len(head):-2]) == digest


def write(path: str, body: dict, durable: bool = True, key=None) -> int:
    """Write ``body`` to ``path`` atomically; return the size in bytes. ``durable``: on
    the disk before this returns (the file is the program's only copy); a snapshot that is
    read at once and kept elsewhere (a checkpoint, a migration's) need not wait for it."""
    data = encode(body, key)
    _write_bytes(path, data, durable)
    return len(data)


def _write_bytes(path: str, data: bytes, durable: bool) -> None:
    directory = os.path.dirname(os.path.abspath(path)) or "."
    temp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except PermissionError as exc:
        raise PermissionDenied(f"cannot write {path}: {exc.strerror}") from None
    except OSError as exc:
        raise PermissionDenied(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    if durable:
        with contextlib.suppress(OSError):
            fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def read(path: str, key=None, trust_unsigned: bool = False) -> dict:
    """Load and check a snapshot file; return its body. Unless ``trust_unsigned``, it
    must be signed with ``key`` (restoring runs what a snapshot holds)."""
    return read_checked(path, key, trust_unsigned)[0]


def read_checked(path: str, key=None, trust_unsigned: bool = False) -> tuple[dict, bool]:
    """``read``, and whether the snapshot is signed with ``key``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise SnapshotMissing(f"{path}: no such snapshot file") from None
    except IsADirectoryError:
        raise SnapshotMissing(f"{path} is a directory, not a snapshot file") from None
    except PermissionError:
        raise PermissionDenied(f"{path}: permission denied") from None
    return decode_checked(data, path, key, trust_unsigned)


def decode(data: bytes, name: str = "snapshot", key=None, trust_unsigned: bool = False) -> dict:
    return decode_checked(data, name, key, trust_unsigned)[0]


def decode_checked(data: bytes, name: str = "snapshot", key=None,
                   trust_unsigned: bool = False) -> tuple[dict, bool]:
    if not data.strip():
        raise SnapshotCorrupt(f"{name} is empty")
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise SnapshotCorrupt(f"{name} is not a framemig snapshot (not text)") from None
    except RecursionError:  # JSON nested deeper than the parser goes: not ours
        raise SnapshotCorrupt(f"{name} is not a framemig snapshot (nested too deeply)") \
            from None
    except json.JSONDecodeError as exc:
        if data.lstrip().startswith(b'{"framemig": "snapshot"'):
            raise SnapshotCorrupt(f"{name} is truncated or damaged (invalid JSON at byte "
                                  f"{exc.pos} of {len(data)})") from None
        raise SnapshotCorrupt(
            f"{name} is not a framemig snapshot (invalid JSON at byte {exc.pos})"
        ) from None
    if not isinstance(document, dict) or document.get("framemig") != MAGIC:
        raise SnapshotCorrupt(f"{name} is not a framemig snapshot")
    version = document.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotCorrupt(f"{name} has no valid format number")
    if version != FORMAT_VERSION:
        relation = "newer than" if version > FORMAT_VERSION else "older than"
        raise SnapshotVersion(
            f"{name} uses snapshot format {version}, {relation} the format this framemig "
            f"reads ({FORMAT_VERSION})"
        )
    body = document.get("body")
    if not isinstance(body, dict):
        raise SnapshotCorrupt(f"{name} has no body")
    _check_sources(body, name)
    intact = _fast_check(data, document)
    if intact is None:  # re-indented, say: compare with the body's canonical form
        try:
            intact = checksum(_canonical(body)) == document.get("checksum")
        except ValueError:
            raise SnapshotCorrupt(f"{name} is corrupted (values outside JSON)") from None
    if not intact:
        raise SnapshotCorrupt(f"{name} is corrupted: its checksum does not match its content")
    signed = _check_signature(document, key, name, trust_unsigned)
    schema.check(body, name)
    return body, signed


def source_key_ok(key: str, entry: dict) -> bool:
    """Is ``key`` a source key a capture makes: a program file's path relative to its
    directory, normalised, never absolute and never through ``..``; or ``lib:`` and a
    library file's absolute path. A restore writes program files under its own
    directory by these keys, so no key may lead out of it."""
    if "\0" in key:  # (a backslash is a character of a POSIX name like any other)
        return False
    role = entry.get("role")
    origin = entry.get("origin")
    if origin is not None and (not isinstance(origin, str) or "\0" in origin):
        return False
    if role == "program":
        return bool(key) and not os.path.isabs(key) and os.path.normpath(key) == key and \
            ".." not in key.split("/") and key != "."
    if role == "library":
        path = origin if origin is not None else key[4:]
        return key.startswith("lib:/") and os.path.basename(path) not in ("", ".", "..")
    return False


def _check_sources(body: dict, name: str) -> None:
    sources = body.get("sources")
    if not isinstance(sources, dict):
        raise SnapshotCorrupt(f"{name} carries no program sources")
    for key, entry in sources.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise SnapshotCorrupt(f"{name}: source {key} is malformed")
        if not source_key_ok(key, entry):
            raise SnapshotCorrupt(f"{name}: source {key!r} is not a path framemig writes "
                                  f"(outside the program's directory)")
        if source_hash(entry["text"]) != entry.get("sha256"):
            raise SourceMismatch(
                f"{name}: source {key} does not match its hash (the snapshot was altered)"
            )
