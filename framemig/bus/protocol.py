"""The node command protocol, readable in one sitting.

A client publishes a JSON command on the node's channel; the node answers on a reply list
that the client waits on (a list, not a publish, so that an answer is not lost if the
client looks a moment late). Every command carries a request id; an unknown or malformed
command gets an error reply, never silence.

Keys and channels (all under ``framemig:``):

=================================  =======================================================
``node:<name>``                    the node's record, expiring unless its heartbeat renews it
``nodes``                          sorted set: node name -> time of last heartbeat
``node:<name>:commands``           channel: commands for the node
``reply:<request id>``             list: the node's answer to one command
``events``                         channel: node up/down, program started/exited/migrated
``program:<id>``                   a program's record: name, node, status, history
``logs:<id>``                      stream: the program's output, across migrations
``bundle:<id>``                    the program's sources, shipped by ``run``
``snapshot:<migration id>``        a snapshot in transit, kept until the target has it
``migration:<migration id>``       hash: the state of one migration (see migration.py)
``programs``                       set: the ids of every program the fleet lists
``owner:<id>``                     hash: the program's owner node, its instance, its
                                   fencing epoch (see ownership.py)
``checkpoint:<id>``                hash: the program's last checkpoint (checkpoints.py)
``cordoned``                       set: nodes that take no new programs (drain)
``stream:<name>``                  a data stream (streams.py)
``stream-publishers:<name>``       hash: its publishers' last sequence numbers
=================================  =======================================================

Every command and every reply is signed with the fleet key (:mod:`framemig.keys`): its
sender (``by``), time (``ts``), a nonce and ``sig``, HMAC-SHA256 over the rest. A node
refuses, with an error reply and a line in its log, a command that is unsigned,
mis-signed, older than 60 s or seen before; a client refuses a reply that is not signed,
or answers another request. A ``run`` names its bundle's SHA-256, so the files fetched
from Redis are the ones the key holder sent; a snapshot in transit (``adopt``) or a
checkpoint carries its own signature (snapshot/format.py). A fleet started
with ``--insecure`` has no key and checks nothing (its nodes say so in ``nodes``).
``VERSION`` is this protocol's version; a node announces it in its record.

A program may run only on the node that owns it at its current epoch: migrations hand
the epoch on, a failover takes it from a dead node, and a copy whose epoch moved on
ends (ownership.py). Programs' output carries markers: ``exit`` (its end),
``failover`` (where a failover resumed it), ``lost``.
"""

from __future__ import annotations

import enum
import json
import math
import re
import time
import uuid

import redis

from framemig.errors import CommandFailed, ExitCode, NoReply, NoSuchNode, Untrusted
from framemig.keys import FleetKey, Replays

VERSION = 2  # 2: signed commands and replies, the bundle's digest in run, signed snapshots
PREFIX = "framemig"
NODES = f"{PREFIX}:nodes"
EVENTS = f"{PREFIX}:events"
REPLY_TTL = 120


def node_key(name: str) -> str:
    return f"{PREFIX}:node:{name}"


def node_channel(name: str) -> str:
    return f"{PREFIX}:node:{name}:commands"


def reply_key(request_id: str) -> str:
    return f"{PREFIX}:reply:{request_id}"


def program_key(program_id: str) -> str:
    return f"{PREFIX}:program:{program_id}"


def logs_key(program_id: str) -> str:
    return f"{PREFIX}:logs:{program_id}"


def bundle_key(program_id: str) -> str:
    return f"{PREFIX}:bundle:{program_id}"


def snapshot_key(migration_id: str) -> str:
    return f"{PREFIX}:snapshot:{migration_id}"


def migration_key(migration_id: str) -> str:
    return f"{PREFIX}:migration:{migration_id}"


def stream_key(name: str) -> str:
    """A programs' data stream (framemig.reader/publisher)."""
    return f"{PREFIX}:stream:{name}"


class Command(enum.StrEnum):
    PING = "ping"  # -> node name and version
    RUN = "run"  # program id, bundle, args -> start it
    PAUSE = "pause"  # program id -> stop it at a safe point
    RESUME = "resume"  # program id -> let a paused program go on
    KILL = "kill"  # program id -> end it
    MIGRATE = "migrate"  # program id, target node -> move it there
    ADOPT = "adopt"  # (node to node) migration id -> take over a migrating program
    CHECKPOINT = "checkpoint"  # program id -> save its state into Redis now
    FORGET = "forget"  # program id -> drop an ended program from the node's list (rm)


class BadCommand(Exception):
    pass


def new_id() -> str:
    return uuid.uuid4().hex[:16]


ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# the fields of a command's args that name a program or a migration (and so become file
# names on a node): a command whose ids do not match ID_PATTERN is refused before any
# handler sees it
ID_FIELDS = ("program_id", "migration_id")


def valid_id(value, what: str = "id") -> str:
    """``value`` if it is an id framemig could have made (letters, digits, ``-``, ``_``;
    at most 64): ids become file names and Redis keys, so ``../x`` or ``/etc`` never
    reach a path."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise CommandFailed(f"{_shown(value)} is not a valid {what}")
    return value


_TEXT, _NUMBER, _FLAG = (str,), (int, float), (bool,)
_LIST, _MAP, _MAYBE_TEXT = (list,), (dict,), (str, type(None))
# What each command's args hold (field: the JSON types it may have; required fields
# first, marked by being in REQUIRED): a command whose args do not fit is refused before
# any handler sees it, so a handler never meets a list where it wants a key.
ARGS: dict[str, dict[str, tuple]] = {
    "ping": {},
    "run": {"program_id": _TEXT, "name": _TEXT, "bundle_key": _TEXT,
            "bundle_sha256": _MAYBE_TEXT, "args": _LIST,
            "checkpoint_every": (int, float, type(None)), "require": (dict, type(None))},
    "pause": {"program_id": _TEXT, "timeout": _NUMBER},
    "resume": {"program_id": _TEXT},
    "kill": {"program_id": _TEXT, "grace": _NUMBER},
    "migrate": {"program_id": _TEXT, "target": _TEXT, "timeout": _NUMBER},
    "adopt": {"migration_id": _TEXT, "record": _MAP},
    "checkpoint": {"program_id": _TEXT},
    "forget": {"program_id": _TEXT},
}
# an adopted program's record: what a target reads of it
RECORD: dict[str, tuple] = {
    "id": _TEXT, "name": _TEXT, "args": _LIST, "epoch": (int,), "history": _LIST,
    "paused": _FLAG, "migrations": (int,), "bundle_key": _MAYBE_TEXT,
    "bundle_sha256": _MAYBE_TEXT, "checkpoint_every": (int, float, type(None)),
    "require": (dict, type(None)), "created": _NUMBER, "python": _MAYBE_TEXT,
}
REQUIRED = frozenset({"program_id", "migration_id", "name", "bundle_key", "target",
                      "record"})
RECORD_REQUIRED = frozenset({"id", "name"})


def check_args(command: str, args: dict) -> None:
    """Refuse (BadCommand) args that do not fit ``command``'s entry in ARGS."""
    _fit(args, ARGS.get(command, {}), REQUIRED, f"{command}:")
    if command == "adopt":
        _fit(args["record"], RECORD, RECORD_REQUIRED, "adopt: record")


def _fit(values: dict, fields: dict, required: frozenset, what: str) -> None:
    for name, types in fields.items():
        if name not in values:
            if name in required:
                raise BadCommand(f"{what} {name} is missing")
            continue
        value = values[name]
        if type(value) not in types or (type(value) is float and not math.isfinite(value)):
            raise BadCommand(f"{what} {name} {_shown(value)} is not what it must be")
        if types is _LIST and not all(type(item) is str for item in value) \
                and name == "args":
            raise BadCommand(f"{what} {name} must be a list of strings")


def is_request_id(value) -> bool:
    """Is ``value`` a request id (the key of its reply): an id like any other; a command
    without one is dropped, since there is nowhere to answer."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_ids(args: dict) -> None:
    """Refuse a command whose program or migration ids (also an adopted record's) are
    not valid ids."""
    for field in ID_FIELDS:
        if field in args:
            valid_id(args[field], field.replace("_", " "))
    record = args.get("record")
    if isinstance(record, dict) and "id" in record:
        valid_id(record["id"], "program id")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Signing:
    """This process's fleet key and the name it signs as; no key: an insecure fleet."""

    def __init__(self):
        self.key: FleetKey | None = None
        self.sender = "client"
        self.replays = Replays()

    def use(self, key: FleetKey | None, sender: str) -> None:
        self.key, self.sender = key, sender

    def sign(self, message: dict) -> dict:
        return message if self.key is None else self.key.sign(message, self.sender)


signing = Signing()


def encode(command: Command, args: dict) -> tuple[str, str]:
    request_id = new_id()
    message = {"id": request_id, "command": command.value, "args": args, "sent": time.time()}
    return request_id, json.dumps(signing.sign(message))


def decode(raw) -> dict:
    """A command message from the wire; raises BadCommand (with its id, if any), or
    Untrusted (a node with a key acts on nothing it did not sign)."""
    try:
        message = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        raise BadCommand("the command is not JSON") from None
    if not isinstance(message, dict) or not is_request_id(message.get("id")):
        raise BadCommand("the command has no request id")
    if signing.key is not None:
        what = message.get("command")
        signing.key.check(message, f"{what if isinstance(what, str) else ''} command".strip(),
                          signing.replays)
    try:
        message["command"] = Command(message.get("command"))
    except ValueError:
        known = ", ".join(c.value for c in Command)
        raise BadCommand(f"unknown command {message.get('command')!r} (known: {known})") \
            from None
    if not isinstance(message.get("args", {}), dict):
        raise BadCommand("the command's args are not an object")
    message.setdefault("args", {})
    return message


def answer(conn: redis.Redis, request_id: str, ok: bool, **data) -> None:
    key = reply_key(request_id)
    with conn.pipeline() as pipe:
        pipe.lpush(key, json.dumps(signing.sign({"id": request_id, "ok": ok, **data,
                                                 "request": request_id})))
        pipe.expire(key, REPLY_TTL)
        pipe.execute()


def send(conn: redis.Redis, node: str, command: Command, args: dict,
         timeout: float = 30.0) -> dict:
    """Send a command to a node and wait for its answer; raise if it fails."""
    request_id, message = encode(command, args)
    if conn.publish(node_channel(node), message) == 0:
        raise NoSuchNode(f"node {node!r} is not listening (is it up?)")
    got = conn.blpop([reply_key(request_id)], timeout=timeout)
    if got is None:
        raise NoReply(f"node {node!r} did not answer {command.value} within {timeout:g} s")
    reply = _checked_reply(got[1], request_id, node)
    if not reply.get("ok"):
        raise CommandFailed(reply.get("error", "failed"),
                            code=ExitCode(reply.get("code", ExitCode.COMMAND_FAILED)))
    return reply


def _checked_reply(raw, request_id: str, node: str) -> dict:
    try:
        reply = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        raise Untrusted(f"node {node!r} sent a reply that is not JSON") from None
    if not isinstance(reply, dict) or reply.get("request") != request_id:
        raise Untrusted(f"the reply from node {node!r} answers another request")
    if signing.key is not None:
        signing.key.check(reply, f"reply from node {node!r}")
    return reply


def announce(conn: redis.Redis, event: str, **data) -> None:
    conn.publish(EVENTS, json.dumps({"event": event, "time": time.time(), **data}))
