"""A program's output, carried through Redis in a stream named after the program, so that
it reads as one unbroken stream whichever node the program runs on."""

from __future__ import annotations

import json

import redis

from framemig.bus import protocol

MAXLEN = 20_000


def append(conn: redis.Redis, program_id: str, stream: str, data: bytes, node: str) -> str:
    """Add output; the entry's id."""
    entry_id = conn.xadd(protocol.logs_key(program_id), {"s": stream, "d": data, "n": node},
                         maxlen=MAXLEN, approximate=True)
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


def ended(conn: redis.Redis, program_id: str, code: int, node: str) -> None:
    conn.xadd(protocol.logs_key(program_id), {"s": "exit", "d": str(code), "n": node},
              maxlen=MAXLEN, approximate=True)


def replay_marker(conn: redis.Redis, program_id: str, node: str, dead: str, log_id: str,
                  age: float) -> str:
    """Mark where a failover resumed the program: what the lost copy printed after
    ``log_id`` (its checkpoint) the resumed copy prints again. Returns the marker's id."""
    text = json.dumps({"from": dead, "to": node, "after": log_id, "age_s": age})
    entry_id = conn.xadd(protocol.logs_key(program_id), {"s": "failover", "d": text,
                                                        "n": node},
                         maxlen=MAXLEN, approximate=True)
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


def replayed_spans(entries: list) -> set:
    """The ids of entries a failover replays (printed by a copy that was lost after its
    checkpoint): each failover marker names the checkpoint's last entry."""
    spans = set()
    for index, (_, fields) in enumerate(entries):
        if fields.get(b"s") == b"failover":
            after = _order(json.loads(fields[b"d"])["after"])
            for earlier_id, _ in entries[:index]:
                if _order(earlier_id) > after:
                    spans.add(earlier_id)
    return spans


def _order(entry_id) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def read(conn: redis.Redis, program_id: str, follow: bool, block_ms: int = 1000,
         replayed: bool = False):
    """Yield ``(stream, bytes, node)`` entries; with ``follow``, wait for more until the
    program has ended. What a lost copy printed after its checkpoint, which the copy a
    failover resumed prints again, is left out of what was already there (once, at the
    failover's marker), or yielded as stream ``replayed`` with ``replayed``."""
    key = protocol.logs_key(program_id)
    backlog = conn.xrange(key)
    skip = replayed_spans(backlog)
    last = "0-0"
    for entry_id, fields in backlog:
        last = entry_id
        stream = fields[b"s"].decode()
        if entry_id in skip:
            if not replayed:
                continue
            stream = "replayed"
        yield stream, fields[b"d"], fields.get(b"n", b"").decode()
        if stream == "exit" and follow:
            return
    while follow:
        batches = conn.xread({key: last}, count=500, block=block_ms)
        for entry_id, fields in (batches[0][1] if batches else ()):
            last = entry_id
            stream = fields[b"s"].decode()
            yield stream, fields[b"d"], fields.get(b"n", b"").decode()
            if stream == "exit":
                return


def describe_marker(data: bytes) -> str:
    """The line ``logs`` prints where a failover resumed the program."""
    facts = json.loads(data)
    return (f"-- framemig: node {facts['from']} died; resumed on {facts['to']} from a "
            f"checkpoint {facts['age_s']:.1f} s old: what it did after that checkpoint is "
            f"done again from here --")


def tail(conn: redis.Redis, program_id: str, count: int = 100) -> list[tuple[str, bytes, str]]:
    """The last ``count`` entries, oldest first."""
    entries = conn.xrevrange(protocol.logs_key(program_id), count=count)
    return [(f[b"s"].decode(), f[b"d"], f.get(b"n", b"").decode())
            for _, f in reversed(entries)]
