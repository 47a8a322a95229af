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

A program may run only on the node that owns it at its current epoch: migrations hand
the epoch on, a failover takes it from a dead node, and a copy whose epoch moved on
ends (ownership.py). Programs' output carries markers: ``exit`` (its end),
``failover`` (where a failover resumed it), ``lost``.
"""

from __future__ import annotations

import enum
import json
import time
import uuid

import redis

from framemig.errors import CommandFailed, ExitCode, NoReply, NoSuchNode

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


def encode(command: Command, args: dict) -> tuple[str, str]:
    request_id = new_id()
    message = {"id": request_id, "command": command.value, "args": args, "sent": time.time()}
    return request_id, json.dumps(message)


def decode(raw) -> dict:
    """A command message from the wire; raises BadCommand (with its id, if any)."""
    try:
        message = json.loads(raw)
    except (TypeError, ValueError):
        raise BadCommand("the command is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("id"), str):
        raise BadCommand("the command has no request id")
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
        pipe.lpush(key, json.dumps({"id": request_id, "ok": ok, **data}))
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
    reply = json.loads(got[1])
    if not reply.get("ok"):
        raise CommandFailed(reply.get("error", "failed"),
                            code=ExitCode(reply.get("code", ExitCode.COMMAND_FAILED)))
    return reply


def announce(conn: redis.Redis, event: str, **data) -> None:
    conn.publish(EVENTS, json.dumps({"event": event, "time": time.time(), **data}))
