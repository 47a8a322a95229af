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

Publishing is idempotent. A publisher has an identity and counts what it has published;
both are part of the program's state. A program resumed from an older checkpoint (its
node died) publishes again what it had published after that checkpoint, with the same
identity and the same numbers: one Lua script checks, in the same step as the XADD, the
number the stream last took from that publisher (the hash ``framemig:stream-publishers:<name>``) and
adds nothing it has already taken, answering with the id the entry got the first time.
So an entry is in the stream exactly once after a failover that replays a span, and the
stream keeps what the first copy published (a replay that computes other data for the
same number does not replace it); any effect outside framemig's streams that the span
had is made again: at-least-once. Copies restored from one capture are one publisher,
so run only one of them. The hash keeps the last entry of the ``PUBLISHERS_KEPT`` most
recently active publishers of a stream; one pushed out of it is no longer recognized.
"""

from __future__ import annotations

import functools
import json
import os
import select
import sys
import time
import uuid
from typing import NamedTuple

import redis

from framemig.bus import connection
from framemig.bus.protocol import PREFIX, stream_key
from framemig.runtime import sleep

BLOCK_MS = 1000  # one XREAD waits at most this long (a capture request wakes it at once)
MAXLEN = 10_000  # entries a stream keeps (approximately)
PUBLISHERS_KEPT = 1000  # publishers a stream remembers (the least recently active go)
REPLAY_SCAN = 10_000  # entries a replayed publish looks through for the id it got before
_connections: dict[str, redis.Redis] = {}
_publish_script = None


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


# A Redis that restarted empty has forgotten the program's own user until its node makes
# it again (at its next heartbeat, about a second): a stream call waits that long for it
# rather than end the program
AUTH_WAIT = 30.0


def _authenticated(action):
    """``action()``, again while Redis refuses the program's user (see AUTH_WAIT)."""
    deadline = None
    while True:
        try:
            return action()
        except redis.AuthenticationError:
            now = time.monotonic()
            deadline = deadline or now + AUTH_WAIT
            if now > deadline:
                raise
            select.select([], [], [], 0.1)  # (not time.sleep: the program's may be framemig's)


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


def publishers_key(name: str) -> str:
    """The hash of a stream's publishers: identity -> "<seq> <entry id>" of the last entry
    the stream took from it (see Publisher)."""
    return f"{PREFIX}:stream-publishers:{name}"  # (not under stream:, where a name could be)


# KEYS: the stream, its publishers. ARGV: identity, seq, maxlen, hint (the id a replayed
# publish just got, or ""), how many entries a replay may look through, how many
# publishers to keep, then the entry's fields and values.
PUBLISH_LUA = r"""
local stream, publishers = KEYS[1], KEYS[2]
local ident, seq, hint = ARGV[1], tonumber(ARGV[2]), ARGV[4]
local budget, kept = tonumber(ARGV[5]), tonumber(ARGV[6])

local function split(value, sep)
  local at = string.find(value, sep, 1, true)
  return string.sub(value, 1, at - 1), string.sub(value, at + 1)
end

-- this publisher's number for an entry, nil for another publisher's
local function number_of(fields)
  local p, q
  for i = 1, #fields, 2 do
    if fields[i] == 'p' then p = fields[i + 1] elseif fields[i] == 'q' then q = fields[i + 1] end
  end
  if p == ident then return tonumber(q) end
end

-- the id of this publisher's entry ``seq``, looking from ``from`` towards ``to``
-- (forward: XRANGE; else XREVRANGE); nil if not met within the budget
local function find(forward, from, to)
  local command = forward and 'XRANGE' or 'XREVRANGE'
  while budget > 0 do
    local count = math.min(budget, 100)
    local entries = redis.call(command, stream, from, to, 'COUNT', count)
    for _, entry in ipairs(entries) do
      local q = number_of(entry[2])
      if q == seq then return entry[1] end
      if q and ((forward and q > seq) or (not forward and q < seq)) then return nil end
    end
    budget = budget - #entries
    if #entries < count then return nil end
    from = '(' .. entries[#entries][1]
  end
end

local function make_room()
  local all = redis.call('HGETALL', publishers)
  local rows = {}
  for i = 1, #all, 2 do
    local _, id = split(all[i + 1], ' ')
    local ms, n = split(id, '-')
    rows[#rows + 1] = {tonumber(ms), tonumber(n), all[i]}
  end
  table.sort(rows, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
  for i = 1, #rows - math.floor(kept * 9 / 10) do
    redis.call('HDEL', publishers, rows[i][3])
  end
end

local last = redis.call('HGET', publishers, ident)
if last then
  local last_seq, last_id = split(last, ' ')
  last_seq = tonumber(last_seq)
  if seq == last_seq then return last_id end
  if seq < last_seq then  -- a replay: add nothing, answer the id it got the first time
    local id
    if hint ~= '' then id = find(true, '(' .. hint, last_id) end
    return id or find(false, last_id, '-') or ''
  end
elseif redis.call('HLEN', publishers) >= kept then
  make_room()
end
local args = {'XADD', stream, 'MAXLEN', '~', ARGV[3], '*'}
for i = 7, #ARGV do args[#args + 1] = ARGV[i] end
args[#args + 1] = 'p'
args[#args + 1] = ident
args[#args + 1] = 'q'
args[#args + 1] = ARGV[2]
local id = redis.call(unpack(args))
redis.call('HSET', publishers, ident, ARGV[2] .. ' ' .. id)
return id
"""


class Publisher:
    """Appends to a stream, idempotently; carries the stream's name, its own identity and
    the number of entries it has published across a migration (or a failover).

    ``publish`` numbers each entry (``seq``) and the stream takes each number of an
    identity once: a copy restored from an older capture that publishes the same span
    again adds nothing and gets the ids the entries got the first time. If that entry
    is no longer in the stream (trimmed, deleted) or lies more than ``REPLAY_SCAN``
    entries back, a replayed publish still adds nothing and returns "".
    """

    def __init__(self, name: str, maxlen: int = MAXLEN, ident: str | None = None,
                 seq: int = 0):
        self.name, self.maxlen = name, maxlen
        self.ident = uuid.uuid4().hex[:16] if ident is None else ident
        self.seq = seq  # entries published (the number of the last one)
        self._last_id = ""  # not carried: where a replay's next entry is looked for

    def publish(self, data: dict) -> str:
        global _publish_script
        conn = _conn()
        if _publish_script is None:
            _publish_script = conn.register_script(PUBLISH_LUA)
        self.seq += 1  # before the call: a retried call (redis-py retries) is the same one
        fields = _encode(data)
        args = [self.ident, self.seq, self.maxlen, self._last_id, REPLAY_SCAN,
                PUBLISHERS_KEPT]
        for name, value in fields.items():
            args += [name, value]
        entry_id = _text(_authenticated(lambda: _publish_script(
            keys=[stream_key(self.name), publishers_key(self.name)], args=args,
            client=conn)))
        self._last_id = entry_id
        return entry_id

    def __reduce__(self):
        return (Publisher, (self.name, self.maxlen, self.ident, self.seq))

    def __repr__(self):
        return f"<framemig publisher {self.name!r} {self.ident} at {self.seq}>"


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
            got, held = _authenticated(functools.partial(self._read_once, block, caller, left))
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
