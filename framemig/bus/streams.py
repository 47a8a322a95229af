"""Data streams for programs, carried by Redis Streams, that survive migration.

A program publishes to a named stream and reads from one; what a reader has read is one
number, the id of the last entry it returned, which is part of the program's state like
any variable. A migration carries it; on the target the reader reconnects (to that
node's Redis) and asks for the entries after it, so it gets exactly the next one: none
skipped — entries published while the program was in transit wait in the stream — and
none twice. A read that waits offers captures a safe point at the program's call, which
the restored copy makes again; it had taken nothing, so nothing is taken twice.

    import framemig
    frames = framemig.reader("frames")          # from now on; start="0" for all
    for message in frames:                      # or: message = frames.read(timeout=1)
        message.id, message.data                # data as published: a dict

Values may be str, int, float, bool, None, bytes, and lists or dicts of them. Without
framemig, under plain ``python``, the same calls work against ``REDIS_URL``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import NamedTuple

import redis

from framemig.bus import connection
from framemig.bus.protocol import stream_key
from framemig.runtime import sleep

BLOCK_MS = 1000  # one XREAD waits at most this long (a capture request wakes it at once)
MAXLEN = 10_000  # entries a stream keeps (approximately)
_connections: dict[str, redis.Redis] = {}


def redis_url() -> str:
    """The node's Redis for a program a node runs, else REDIS_URL, else the default."""
    return (os.environ.get("FRAMEMIG_REDIS_URL") or os.environ.get("REDIS_URL")
            or "redis://localhost:6379/0")


def _conn() -> redis.Redis:
    url = redis_url()
    conn = _connections.get(url)
    if conn is None:
        conn = _connections[url] = connection.connect(url, check=False)
    return conn


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _first_entry(response):
    """(id, fields) of the first entry of an XREAD reply (RESP2 lists or RESP3 maps)."""
    if not response:
        return None
    streams = response.items() if isinstance(response, dict) else response
    for _, entries in streams:
        for entry_id, fields in entries:
            if isinstance(fields, list):
                fields = dict(zip(fields[::2], fields[1::2]))
            return entry_id, fields
    return None


class Message(NamedTuple):
    id: str
    data: dict

    @property
    def sequence(self) -> int:
        """The entry's position in its stream's history (Redis' id, milliseconds-seq)."""
        return int(self.id.split("-")[0])


def _encode(data: dict) -> dict:
    fields, plain = {}, {}
    for name, value in data.items():
        if isinstance(value, (bytes, bytearray, memoryview)):
            fields[f"b:{name}"] = bytes(value)
        else:
            plain[name] = value
    fields["j"] = json.dumps(plain)
    return fields


def _decode(fields: dict) -> dict:
    data = json.loads(fields.get(b"j", b"{}"))
    for name, value in fields.items():
        if name.startswith(b"b:"):
            data[name[2:].decode()] = value
    return data


class Publisher:
    """Appends to a stream; carries only the stream's name across a migration."""

    def __init__(self, name: str, maxlen: int = MAXLEN):
        self.name, self.maxlen = name, maxlen

    def publish(self, data: dict) -> str:
        entry_id = _conn().xadd(stream_key(self.name), _encode(data), maxlen=self.maxlen,
                                approximate=True)
        return entry_id.decode() if isinstance(entry_id, bytes) else entry_id

    def __reduce__(self):
        return (Publisher, (self.name, self.maxlen))

    def __repr__(self):
        return f"<framemig publisher {self.name!r}>"


class Reader:
    """Reads a stream in order; carries the stream's name and its position."""

    def __init__(self, name: str, start: str = "$", after: str | None = None):
        self.name = name
        if after is None:
            after = "0-0" if start == "0" else self._last_id()
        self.after = after  # the id of the last entry returned

    def _last_id(self) -> str:
        newest = _conn().xrevrange(stream_key(self.name), count=1)
        return newest[0][0].decode() if newest else "0-0"

    def read(self, timeout: float | None = None) -> Message | None:
        """The next entry, waiting for it (up to ``timeout`` seconds; None: forever)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        caller = sys._getframe(1)
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            block = BLOCK_MS if left is None else max(1, min(BLOCK_MS, int(left * 1000)))
            got, held = self._read_once(block, caller, left)
            if got:
                entry_id, fields = got
                message = Message(_text(entry_id), _decode(fields))
                self.after = message.id  # with the return: one step for the program
                return message
            if deadline is not None:
                deadline += held

    def _read_once(self, block_ms: int, caller, left) -> tuple:
        """One XREAD BLOCK, waiting on the socket and on framemig's waker together, so
        that a capture request finds a safe point at once: the program's call, which a
        restored copy makes again. Returns (entry or None, seconds held)."""
        pool = _conn().connection_pool
        connection = pool.get_connection()
        held = 0.0
        try:
            connection.send_command("XREAD", "COUNT", 1, "BLOCK", block_ms, "STREAMS",
                                    stream_key(self.name), self.after)
            sock = getattr(connection, "_sock", None)
            while sock is not None and not connection.can_read(timeout=0):
                if not sleep.wait_readable(sock.fileno(), None):
                    arguments = [] if left is None else [left]
                    held += sleep.offer_safe_point(caller, self, "read", arguments)
            response = connection.read_response()
        except BaseException:
            connection.disconnect()  # a reply may be pending: never reuse this one
            raise
        finally:
            pool.release(connection)
        return _first_entry(response), held

    def backlog(self) -> int:
        """Entries published after the last one read."""
        return len(_conn().xrange(stream_key(self.name), f"({self.after}", "+"))

    def __iter__(self):
        return self

    def __next__(self) -> Message:
        return self.read()

    def __reduce__(self):
        return (Reader, (self.name, "$", self.after))

    def __repr__(self):
        return f"<framemig reader {self.name!r} after {self.after}>"
