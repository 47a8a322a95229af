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

from framemig.bus import protocol
from framemig.errors import NoSuchNode, NoSuchProgram

NODE_TTL = 5  # seconds a record lives without a heartbeat
HEARTBEAT = 1.0
PROGRAM_TTL = 7 * 24 * 3600


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
    """Every program of the fleet with its live figures, and the node it runs on."""
    found = []
    for record in node_records if node_records is not None else nodes(conn):
        for program in record.get("programs", []):
            found.append({**program, "node": record["name"]})
    return sorted(found, key=lambda p: (p["node"], p["id"]))


def save_program(conn: redis.Redis, record: dict) -> None:
    conn.set(protocol.program_key(record["id"]), json.dumps(record), ex=PROGRAM_TTL)


def program(conn: redis.Redis, program_id: str) -> dict | None:
    raw = conn.get(protocol.program_key(program_id))
    return json.loads(raw) if raw else None


def owner(conn: redis.Redis, program_id: str) -> str:
    """The node a program runs on; NoSuchProgram if the fleet does not know it, NoSuchNode
    (saying so) if that node is gone."""
    record = program(conn, program_id)
    if record is None:
        raise NoSuchProgram(f"no program {program_id} in the fleet")
    if node(conn, record["node"]) is None:
        raise NoSuchNode(f"program {program_id} was on node {record['node']}, which is gone: "
                         f"the program went with it")
    return record["node"]
