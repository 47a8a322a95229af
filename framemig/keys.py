"""The fleet key: who may command the fleet, and whose snapshots a restore trusts.

Restoring a snapshot runs code, and a node runs what arrives on its bus; so every command,
reply, bundle and snapshot is signed, and nothing unsigned is acted on. The signature is
HMAC-SHA256 with one secret shared by the fleet's nodes and its operators, over the
message's canonical JSON (sorted keys, no spaces), with who sent it, when, and a nonce.

Why a shared secret rather than Ed25519 key pairs: in a framemig fleet every node must be
able to command every other (a migration's source tells its target to adopt, a failover's
survivor takes a dead node's programs) and every node runs the programs it is given, so
a node already holds all the power an operator has; key pairs would separate operators
from nodes only on paper, at the cost of distributing and rotating two kinds of keys. One
256-bit key in a 0600 file is what an operator can copy to a device, and HMAC needs
nothing beyond the standard library on a small board.

Where the key comes from: ``--key FILE``, else ``FRAMEMIG_KEY_FILE``, else
``$XDG_CONFIG_HOME/framemig/fleet.key`` (``~/.config/...``). ``framemig keygen`` writes one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import time

from framemig.errors import NoKey, Untrusted

KEY_ENV = "FRAMEMIG_KEY_FILE"
HEADER = "framemig fleet key 1"
MAX_AGE = 60.0  # seconds: a signed message older than this (or that far ahead) is stale
SIG = "sig"  # the field of a signed message that holds its signature


def default_path() -> str:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(
        os.path.expanduser("~"), ".config")
    return os.path.join(config, "framemig", "fleet.key")


class FleetKey:
    def __init__(self, secret: bytes, path: str | None = None):
        self.secret = secret
        self.path = path
        self.id = hashlib.sha256(b"framemig key id\0" + secret).hexdigest()[:12]

    def mac(self, payload: bytes) -> str:
        return "hmac-sha256:" + hmac.new(self.secret, payload, hashlib.sha256).hexdigest()

    def matches(self, payload: bytes, signature) -> bool:
        return isinstance(signature, str) and hmac.compare_digest(
            signature.encode("ascii", "replace"), self.mac(payload).encode("ascii"))

    # --- messages: a JSON object with its signature in it ---------------------------

    def sign(self, message: dict, sender: str) -> dict:
        """``message`` with ``by``, ``ts``, ``nonce`` and ``sig`` added."""
        signed = {**message, "by": sender, "ts": time.time(), "nonce": secrets.token_hex(8)}
        signed[SIG] = self.mac(canonical(signed))
        return signed

    def check(self, message: dict, what: str = "message", replays: Replays | None = None,
              max_age: float = MAX_AGE) -> dict:
        """``message`` if this key signed it lately and it was not seen before; raises
        Untrusted saying why not."""
        signature = message.get(SIG) if isinstance(message, dict) else None
        if signature is None:
            raise Untrusted(f"unsigned {what} refused")
        body = {k: v for k, v in message.items() if k != SIG}
        try:
            payload = canonical(body)
        except (TypeError, ValueError):
            raise Untrusted(f"{what} cannot be checked (not plain JSON)") from None
        if not self.matches(payload, signature):
            raise Untrusted(f"{what} with a wrong signature refused (another fleet's key?)")
        sent = message.get("ts")
        if not isinstance(sent, (int, float)) or isinstance(sent, bool) or \
                abs(time.time() - sent) > max_age:
            raise Untrusted(f"stale {what} refused (signed more than {max_age:g} s away "
                            f"from now; are the clocks set?)")
        if replays is not None and not replays.first(message.get("nonce"), sent):
            raise Untrusted(f"replayed {what} refused")
        return message


class Replays:
    """Nonces seen within the last MAX_AGE seconds: a message seen twice is a replay."""

    def __init__(self, max_age: float = MAX_AGE):
        self.max_age = max_age
        self.seen: dict[str, float] = {}

    def first(self, nonce, sent: float) -> bool:
        if not isinstance(nonce, str) or not nonce:
            return False
        now = time.time()
        if len(self.seen) > 1024:
            self.seen = {n: t for n, t in self.seen.items() if now - t <= 2 * self.max_age}
        if nonce in self.seen:
            return False
        self.seen[nonce] = sent
        return True


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def generate(path: str | None = None, force: bool = False) -> FleetKey:
    """Write a new key file (0600); refuses to replace one unless ``force``."""
    path = os.path.abspath(path or default_path())
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    secret = secrets.token_bytes(32)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise NoKey(f"{path} exists already (framemig keygen --force replaces it, and "
                    f"every node and operator then needs the new one)") from None
    except OSError as exc:
        raise NoKey(f"cannot write {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(f"{HEADER}\n{secret.hex()}\n")
    return FleetKey(secret, path)


def read(path: str) -> FleetKey:
    try:
        info = os.stat(path)
        with open(path) as handle:
            text = handle.read(4096)
    except FileNotFoundError:
        raise NoKey(f"no key file at {path} (framemig keygen makes one)") from None
    except OSError as exc:
        raise NoKey(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise NoKey(f"the key file {path} is readable by others: chmod 600 {path}")
    lines = text.split()
    if text.splitlines()[:1] != [HEADER] or len(lines) != len(HEADER.split()) + 1:
        raise NoKey(f"{path} is not a framemig fleet key")
    try:
        secret = bytes.fromhex(lines[-1])
    except ValueError:
        raise NoKey(f"{path} is not a framemig fleet key") from None
    if len(secret) < 32:
        raise NoKey(f"{path} holds a key shorter than 256 bits")
    return FleetKey(secret, os.path.abspath(path))


def load(explicit: str | None = None) -> FleetKey | None:
    """The key from ``--key``, else the environment, else the default path; None if none
    is configured (a named file that is missing is an error, the default one is not)."""
    if explicit:
        return read(explicit)
    if os.environ.get(KEY_ENV):
        return read(os.environ[KEY_ENV])
    path = default_path()
    return read(path) if os.path.exists(path) else None
