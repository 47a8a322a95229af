"""A program's output, carried through Redis in a stream named after the program, so that
it reads as one unbroken stream whichever node the program runs on."""

from __future__ import annotations

import redis

from framemig.bus import protocol

MAXLEN = 20_000


def append(conn: redis.Redis, program_id: str, stream: str, data: bytes, node: str) -> None:
    conn.xadd(protocol.logs_key(program_id), {"s": stream, "d": data, "n": node},
              maxlen=MAXLEN, approximate=True)


def ended(conn: redis.Redis, program_id: str, code: int, node: str) -> None:
    conn.xadd(protocol.logs_key(program_id), {"s": "exit", "d": str(code), "n": node},
              maxlen=MAXLEN, approximate=True)


def read(conn: redis.Redis, program_id: str, follow: bool, block_ms: int = 1000):
    """Yield ``(stream, bytes, node)`` entries; with ``follow``, wait for more until the
    program has ended."""
    key = protocol.logs_key(program_id)
    last = "0-0"
    while True:
        batches = conn.xread({key: last}, count=500, block=block_ms if follow else None)
        if not batches:
            if follow:
                continue
            return
        for entry_id, fields in batches[0][1]:
            last = entry_id
            stream = fields[b"s"].decode()
            yield stream, fields[b"d"], fields.get(b"n", b"").decode()
            if stream == "exit" and follow:
                return
        if not follow and len(batches[0][1]) < 500:
            return


def tail(conn: redis.Redis, program_id: str, count: int = 100) -> list[tuple[str, bytes, str]]:
    """The last ``count`` entries, oldest first."""
    entries = conn.xrevrange(protocol.logs_key(program_id), count=count)
    return [(f[b"s"].decode(), f[b"d"], f.get(b"n", b"").decode())
            for _, f in reversed(entries)]
