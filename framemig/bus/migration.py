"""One migration's state, kept in Redis and changed only by compare-and-set.

    offered --(target)--> ready --(source)--> committed --(target)--> running
       |                    |                     |
       +--(target)--> refused                     |
       +--------(source, on timeout or a dead target)--> aborted

The source holds its copy of the program frozen throughout; the target's copy is built
but held too. Only the source decides *committed* or *aborted*; the target runs its copy
only after it has moved *committed* to *running*, and the source ends its copy only once
it sees *running*. So the program never runs on two nodes at once, and is never lost:
whatever fails, one side still holds it. (If the source dies instead, the target may take
*ready* to *running* itself: the source's copy died with it.)
"""

from __future__ import annotations

import time

import redis

from framemig.bus import protocol

TTL = 3600

_CAS = """
local state = redis.call('HGET', KEYS[1], 'state')
for i = 2, #ARGV do
  if state == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'changed', ARGV[#ARGV])
    return 1
  end
end
return 0
"""


def offer(conn: redis.Redis, migration_id: str, snapshot: bytes, **facts) -> None:
    with conn.pipeline() as pipe:
        pipe.set(protocol.snapshot_key(migration_id), snapshot, ex=TTL)
        pipe.hset(protocol.migration_key(migration_id),
                  mapping={"state": "offered", "created": time.time(),
                           **{k: str(v) for k, v in facts.items()}})
        pipe.expire(protocol.migration_key(migration_id), TTL)
        pipe.execute()


def move(conn: redis.Redis, migration_id: str, to: str, *from_states: str, **facts) -> bool:
    """Set the state to ``to`` if it is one of ``from_states``; True if it was."""
    moved = conn.eval(_CAS, 1, protocol.migration_key(migration_id), to, *from_states,
                      str(time.time()))
    if moved and facts:
        conn.hset(protocol.migration_key(migration_id),
                  mapping={k: str(v) for k, v in facts.items()})
    return bool(moved)


def state(conn: redis.Redis, migration_id: str) -> dict:
    raw = conn.hgetall(protocol.migration_key(migration_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


def snapshot(conn: redis.Redis, migration_id: str) -> bytes | None:
    return conn.get(protocol.snapshot_key(migration_id))


def acknowledge(conn: redis.Redis, migration_id: str) -> None:
    """The snapshot is no longer needed: the program runs on the target, or the source
    took it back."""
    conn.delete(protocol.snapshot_key(migration_id))
