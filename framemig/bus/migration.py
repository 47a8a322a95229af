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

Anyone who can write to Redis can write this hash, so each state carries a seal: an HMAC
with the fleet key over the migration, the state, when it changed and who the source,
target and program are. A state without a good seal reads as no state at all ("forged"
says what it claimed) — to both sides that is a migration Redis lost, which each already
survives without losing the program or running it twice — and a move happens only from
the sealed state its mover read (compare-and-set on state *and* seal), so a state set by
hand can neither be believed nor be moved on from.
"""

from __future__ import annotations

import time

import redis

from framemig import keys
from framemig.bus import protocol

TTL = 3600

_CAS = """
if redis.call('HGET', KEYS[1], 'state') == ARGV[1]
    and (redis.call('HGET', KEYS[1], 'seal') or '') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'state', ARGV[3], 'seal', ARGV[4], 'changed', ARGV[5])
  return 1
end
return 0
"""
_WHO = ("source", "target", "program")  # fixed at the offer, and sealed with every state


def _sealed_part(migration_id: str, facts: dict) -> bytes:
    return keys.canonical({"migration": migration_id, **{
        name: str(facts.get(name, "")) for name in ("state", "changed", *_WHO)}})


def _seal(migration_id: str, facts: dict) -> str:
    """The seal of ``facts``' state ("" in an insecure fleet, which checks nothing)."""
    key = protocol.signing.key
    return "" if key is None else key.mac(_sealed_part(migration_id, facts))


def offer(conn: redis.Redis, migration_id: str, snapshot: bytes, **facts) -> None:
    facts = {"state": "offered", "changed": str(time.time()), "created": str(time.time()),
             **{k: str(v) for k, v in facts.items()}}
    facts["seal"] = _seal(migration_id, facts)
    with conn.pipeline() as pipe:
        pipe.set(protocol.snapshot_key(migration_id), snapshot, ex=TTL)
        pipe.hset(protocol.migration_key(migration_id), mapping=facts)
        pipe.expire(protocol.migration_key(migration_id), TTL)
        pipe.execute()


def move(conn: redis.Redis, migration_id: str, to: str, *from_states: str, **facts) -> bool:
    """Set the state to ``to`` if it is one of ``from_states`` (and sealed); True if it
    was."""
    now = state(conn, migration_id)
    if now.get("state") not in from_states:
        return False
    changed = str(time.time())
    seal = _seal(migration_id, {**now, "state": to, "changed": changed})
    moved = conn.eval(_CAS, 1, protocol.migration_key(migration_id), now["state"],
                      now.get("seal", ""), to, seal, changed)
    if moved and facts:
        conn.hset(protocol.migration_key(migration_id),
                  mapping={k: str(v) for k, v in facts.items()})
    return bool(moved)


def state(conn: redis.Redis, migration_id: str) -> dict:
    """The migration's facts; without a "state" if its seal is not good (then "forged"
    holds what it claimed)."""
    raw = conn.hgetall(protocol.migration_key(migration_id))
    facts = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
             for k, v in raw.items()}
    if "state" in facts and not _sealed(migration_id, facts):
        facts["forged"] = facts.pop("state")
    return facts


def _sealed(migration_id: str, facts: dict) -> bool:
    key = protocol.signing.key
    return key is None or key.matches(_sealed_part(migration_id, facts), facts.get("seal"))


def snapshot(conn: redis.Redis, migration_id: str) -> bytes | None:
    return conn.get(protocol.snapshot_key(migration_id))


def acknowledge(conn: redis.Redis, migration_id: str) -> None:
    """The snapshot is no longer needed: the program runs on the target, or the source
    took it back."""
    conn.delete(protocol.snapshot_key(migration_id))
