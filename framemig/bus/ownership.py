"""Who may run a program: its owner and its fencing epoch, changed only atomically.

Every program has one owner record (``owner:<id>``: node name, the node's *instance* —
a fresh id each time a node process starts — and an epoch, a number that only grows).
A copy of a program may run only while its node holds the current epoch:

* ``run`` establishes the owner at epoch 1;
* a migration's target takes it over (epoch + 1) when it moves the migration to
  *running*, and only from the source at the epoch the source had;
* a failover takes it from an owner with no copy of it: a dead one (its node record
  gone, or another instance of that name), or a live one that does not list it (it
  moved it to a target that died before taking it over) — one node wins, the rest find
  the epoch moved on;
* each heartbeat a node checks its programs' epochs; a copy whose epoch was superseded
  (its node was thought dead and the program resumed elsewhere) is ended at once;
* a checkpoint is stored only by the current owner (:mod:`framemig.bus.checkpoints`).

Redis restarted empty forgets owners: nodes write theirs again (``reclaim``), and a
program nobody reclaims has no checkpoint either, so nothing can fail it over.
"""

from __future__ import annotations

import redis

from framemig.bus import protocol

_ESTABLISH = """
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'instance', ARGV[2])
return epoch
"""

# KEYS: owner; ARGV: from node, from epoch, to node, to instance
_TRANSFER = """
local owner = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 0 end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'node', ARGV[3], 'instance', ARGV[4])
return epoch
"""

# KEYS: owner, the owner's node record; ARGV: its node, its epoch, to node, instance,
# program id. An owner that lives but neither runs the program nor takes it in has no
# copy of it (it moved it to a target that died before taking it over).
_CLAIM_ORPHAN = """
local owner = redis.call('HMGET', KEYS[1], 'node', 'epoch', 'instance')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 0 end
local record = redis.call('GET', KEYS[2])
if record then
  local ok, decoded = pcall(cjson.decode, record)
  if ok and decoded['instance'] == owner[3] then
    for _, program in ipairs(decoded['programs'] or {}) do
      if program['id'] == ARGV[5] then return 0 end
    end
    for _, adopting in ipairs(decoded['adopting'] or {}) do
      if adopting == ARGV[5] then return 0 end
    end
  end
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'node', ARGV[3], 'instance', ARGV[4])
return epoch
"""

# KEYS: owner; ARGV: node, instance, epoch. Written again after Redis forgot it; an
# owner record that exists is left alone (and its epoch tells the caller who owns).
_RECLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'instance', ARGV[2], 'epoch', ARGV[3])
return 1
"""


def key(program_id: str) -> str:
    return f"{protocol.PREFIX}:owner:{program_id}"


def establish(conn: redis.Redis, program_id: str, node: str, instance: str) -> int:
    """A new program's first owner; returns its epoch."""
    return int(conn.eval(_ESTABLISH, 1, key(program_id), node, instance))


def transfer(conn: redis.Redis, program_id: str, source: str, epoch: int, target: str,
             instance: str) -> int:
    """Hand the program from ``source`` at ``epoch`` to ``target``; the new epoch, or 0 if
    ``source`` no longer owned it at that epoch (a failover took it meanwhile)."""
    return int(conn.eval(_TRANSFER, 1, key(program_id), source, str(epoch), target,
                         instance))


def claim_orphan(conn: redis.Redis, program_id: str, owner: str, epoch: int, node: str,
                 instance: str) -> int:
    """Take a program its owner has no copy of (the owner died, or lives without it);
    the new epoch, or 0 if its owner has it or another node took it first."""
    return int(conn.eval(_CLAIM_ORPHAN, 2, key(program_id), protocol.node_key(owner), owner,
                         str(epoch), node, instance, program_id))


def reclaim(conn: redis.Redis, program_id: str, node: str, instance: str, epoch: int) -> bool:
    return bool(conn.eval(_RECLAIM, 1, key(program_id), node, instance, str(epoch)))


def owner(conn: redis.Redis, program_id: str) -> dict:
    """``{"node", "instance", "epoch"}``, or an empty dict if Redis has no owner."""
    raw = conn.hgetall(key(program_id))
    found = {k.decode(): v.decode() for k, v in raw.items()}
    if "epoch" in found:
        found["epoch"] = int(found["epoch"])
    return found


def epochs(conn: redis.Redis, program_ids: list[str]) -> list[tuple[str | None, int | None]]:
    """(node, epoch) of each program's owner, in one round trip; (None, None) where Redis
    has no owner record."""
    with conn.pipeline(transaction=False) as pipe:
        for program_id in program_ids:
            pipe.hmget(key(program_id), "node", "epoch")
        found = pipe.execute()
    return [(n.decode() if n else None, int(e) if e else None) for n, e in found]
