"""A program's last checkpoint in Redis: the snapshot a failover resumes it from.

One hash per program (``checkpoint:<id>``), replaced whole by one script, so a reader
sees the old checkpoint or the new one, never half of each. The script stores it only
if the writer still owns the program at its epoch (:mod:`framemig.bus.ownership`): a
copy whose node was thought dead, and whose program was resumed elsewhere, cannot
overwrite the state the survivor now writes.

Fields: ``snapshot`` (the JSON snapshot, as written by a capture), ``taken`` (wall
time of the capture), ``node``, ``epoch``, ``log_id`` (the last entry of the program's
output stream written before the capture: what follows it is replayed by a failover),
``size``, ``pause_ms`` (how long the program stood still for it), ``paused`` ("1" if the
program was paused), ``count`` (checkpoints taken so far).
"""

from __future__ import annotations

import time

import redis

from framemig.bus import ownership, protocol

# KEYS: checkpoint, owner; ARGV: node, epoch, then field/value pairs
_STORE = """
local owner = redis.call('HMGET', KEYS[2], 'node', 'epoch')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 0 end
local count = redis.call('HGET', KEYS[1], 'count') or 0
redis.call('DEL', KEYS[1])
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'count', count + 1, unpack(fields))
return count + 1
"""


def key(program_id: str) -> str:
    return f"{protocol.PREFIX}:checkpoint:{program_id}"


def store(conn: redis.Redis, program_id: str, node: str, epoch: int, snapshot: bytes,
          log_id: str, pause_ms: float, paused: bool = False, taken: float | None = None) -> int:
    """Replace the program's checkpoint; its number, or 0 if ``node`` at ``epoch`` no
    longer owns the program (the caller's copy is superseded)."""
    fields = {"snapshot": snapshot, "taken": str(taken or time.time()), "node": node,
              "epoch": str(epoch), "log_id": log_id, "size": str(len(snapshot)),
              "pause_ms": f"{pause_ms:.3f}", "paused": "1" if paused else ""}
    flat = [item for pair in fields.items() for item in pair]
    return int(conn.eval(_STORE, 2, key(program_id), ownership.key(program_id), node,
                         str(epoch), *flat))


def facts(conn: redis.Redis, program_id: str) -> dict:
    """Everything but the snapshot itself (empty if there is no checkpoint)."""
    names = ("taken", "node", "epoch", "log_id", "size", "pause_ms", "paused", "count")
    values = conn.hmget(key(program_id), names)
    if values[0] is None:
        return {}
    found = {n: (v.decode() if v is not None else "") for n, v in zip(names, values)}
    return {**found, "taken": float(found["taken"]), "epoch": int(found["epoch"] or 0),
            "size": int(found["size"] or 0), "pause_ms": float(found["pause_ms"] or 0),
            "paused": found["paused"] == "1", "count": int(found["count"] or 0)}


def snapshot(conn: redis.Redis, program_id: str) -> bytes | None:
    return conn.hget(key(program_id), "snapshot")
