"""The registry of nodes and programs.

A node writes its record with an expiry when it starts and renews it with every heartbeat
(about once a second), so a node that dies silently disappears within a few seconds. The
record carries the node's figures and its programs' figures, so ``framemig ps`` over a
thousand nodes is one MGET. A program's durable facts (where it runs, its migrations)
live in a record of its own, kept by whichever node runs it.
"""

from __future__ import annotations

import json
import time

import redis

from framemig.bus import checkpoints, ownership, protocol
from framemig.errors import NoSuchNode, NoSuchProgram

NODE_TTL = 5  # seconds a record lives without a heartbeat: a node's lease
HEARTBEAT = 1.0
PROGRAM_TTL = 7 * 24 * 3600
RETENTION = 600  # seconds an ended or lost program is still listed (``rm`` drops it now)
PROGRAMS = f"{protocol.PREFIX}:programs"  # set: every program id the fleet lists
CORDONED = f"{protocol.PREFIX}:cordoned"  # set: nodes that take no new programs
ALIVE = ("running", "paused", "migrating", "held", "starting")


def claim(conn: redis.Redis, record: dict) -> bool:
    """Register a new node; False if a live node already has the name."""
    key = protocol.node_key(record["name"])
    with conn.pipeline() as pipe:
        pipe.set(key, json.dumps(record), nx=True, ex=NODE_TTL)
        pipe.zadd(protocol.NODES, {record["name"]: time.time()})
        claimed, _ = pipe.execute()
    return bool(claimed)


def heartbeat(conn: redis.Redis, record: dict) -> None:
    with conn.pipeline() as pipe:
        pipe.set(protocol.node_key(record["name"]), json.dumps(record), ex=NODE_TTL)
        pipe.zadd(protocol.NODES, {record["name"]: time.time()})
        pipe.execute()


def release(conn: redis.Redis, name: str) -> None:
    with conn.pipeline() as pipe:
        pipe.delete(protocol.node_key(name))
        pipe.zrem(protocol.NODES, name)
        pipe.execute()


def node(conn: redis.Redis, name: str) -> dict | None:
    raw = conn.get(protocol.node_key(name))
    return json.loads(raw) if raw else None


def nodes(conn: redis.Redis) -> list[dict]:
    """Live nodes, by name. Names whose record has expired are forgotten on the way."""
    names = [n.decode() if isinstance(n, bytes) else n
             for n in conn.zrange(protocol.NODES, 0, -1)]
    if not names:
        return []
    raws = conn.mget([protocol.node_key(n) for n in names])
    gone = [n for n, raw in zip(names, raws) if raw is None]
    stale = time.time() - 60
    for name in gone:  # dead for a while: drop it from the index
        score = conn.zscore(protocol.NODES, name)
        if score is not None and score < stale:
            conn.zrem(protocol.NODES, name)
    return [json.loads(raw) for raw in raws if raw is not None]


def programs(conn: redis.Redis, node_records: list[dict] | None = None) -> list[dict]:
    """Every program of the fleet with its live figures, and the node it runs on; and
    those whose node is gone (lost, recovering), and ended ones for a while."""
    records = node_records if node_records is not None else nodes(conn)
    listed = {i.decode() for i in conn.smembers(PROGRAMS)}
    found = []
    for record in records:
        for program in record.get("programs", []):
            if program["id"] in listed:  # (``rm`` took it off the lists)
                found.append({**program, "node": record["name"]})
    found += orphans(conn, records)
    return sorted(found, key=lambda p: (p["node"], p["id"]))


def save_program(conn: redis.Redis, record: dict) -> None:
    with conn.pipeline(transaction=False) as pipe:
        pipe.set(protocol.program_key(record["id"]), json.dumps(record), ex=PROGRAM_TTL)
        pipe.sadd(PROGRAMS, record["id"])
        pipe.execute()


def forget_program(conn: redis.Redis, program_id: str) -> None:
    """Drop an ended or lost program from the fleet: its record, checkpoint, owner and
    output (``rm``, or the retention time running out)."""
    with conn.pipeline(transaction=False) as pipe:
        pipe.delete(protocol.program_key(program_id), checkpoints.key(program_id),
                    ownership.key(program_id), protocol.logs_key(program_id))
        pipe.srem(PROGRAMS, program_id)
        pipe.execute()


def program_records(conn: redis.Redis) -> list[dict]:
    """The records of every program the fleet lists, wherever they are."""
    ids = sorted(i.decode() for i in conn.smembers(PROGRAMS))
    if not ids:
        return []
    raws = conn.mget([protocol.program_key(i) for i in ids])
    return [json.loads(raw) for raw in raws if raw]


def orphans(conn: redis.Redis, node_records: list[dict]) -> list[dict]:
    """Programs whose record says they are on a node that is not there to list them:
    lost with it, being resumed elsewhere from a checkpoint, or ended there and kept
    a while (a node that stopped)."""
    listed = {(p["id"]) for n in node_records for p in n.get("programs", [])}
    found = []
    now = time.time()
    for record in program_records(conn):
        if record["id"] in listed or record.get("status") == "moved":
            continue
        status = record.get("status")
        if status in ALIVE:
            status = "orphaned"  # its node is gone; a failover resumes it, or says it is lost
        ended = record.get("ended_at")
        if ended and now - ended > RETENTION:
            continue
        found.append({"id": record["id"], "name": record.get("name", "?"), "status": status,
                      "node": record.get("node", "?"), "pid": None, "rss": 0,
                      "cpu_percent": 0.0, "exit_code": record.get("exit_code"),
                      "uptime": round((ended or now) - record.get("created", now), 1),
                      "migrations": record.get("migrations", 0),
                      "reason": record.get("reason"), "recovered": record.get("recovered")})
    return found


def cordoned(conn: redis.Redis) -> set[str]:
    return {n.decode() for n in conn.smembers(CORDONED)}


def program(conn: redis.Redis, program_id: str) -> dict | None:
    raw = conn.get(protocol.program_key(program_id))
    return json.loads(raw) if raw else None


def owner(conn: redis.Redis, program_id: str) -> str:
    """The node a program runs on; NoSuchProgram if the fleet does not know it, NoSuchNode
    (saying so) if that node is gone."""
    record = program(conn, program_id)
    if record is None:
        raise NoSuchProgram(f"no program {program_id} in the fleet")
    if record.get("status") == "recovering":
        raise NoSuchNode(f"program {program_id} is being resumed on {record['node']} from its "
                         f"checkpoint (its node {record.get('recovered', {}).get('from')} died);"
                         f" try again in a moment")
    if record.get("status") == "lost":
        raise NoSuchNode(f"program {program_id} is lost: {record.get('reason', 'its node died')}")
    if node(conn, record["node"]) is None:
        raise NoSuchNode(f"program {program_id} was on node {record['node']}, which is gone; "
                         f"it is resumed from its checkpoint on another node, if it has one")
    return record["node"]
