"""Idempotent publishing: a publisher restored from an older capture (its node died) that
publishes the same span again adds nothing to the stream and gets the ids the entries
got the first time; other publishers, and what readers see, are unaffected."""

from __future__ import annotations

import pickle

import pytest

import framemig
from framemig.bus import streams
from framemig.bus.protocol import stream_key
from framemig.bus.streams import Publisher, Reader, publishers_key

N = 10


@pytest.fixture
def redis_url(server, monkeypatch):
    monkeypatch.delenv("FRAMEMIG_REDIS_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", server.url)
    streams._connections.clear()
    yield server.url
    for conn in streams._connections.values():
        conn.close()
    streams._connections.clear()


def entry(n: int) -> dict:
    return {"n": n, "name": f"entry {n}", "pixels": bytes([n % 256]) * 3,
            "nested": {"list": [n, None, True, 1.5]}}


def read_all(name: str, expected: int) -> list:
    """Every entry of the stream, through a Reader, waiting for ``expected`` of them."""
    reader = Reader(name, start="0")
    messages = []
    while len(messages) < expected:
        message = reader.read(timeout=10)
        assert message is not None, f"only {len(messages)} of {expected} entries"
        messages.append(message)
    assert reader.read(timeout=0.2) is None, "more entries than expected"
    return messages


@pytest.mark.parametrize("k", [0, 4, N - 1])
def test_a_restored_copy_replaying_a_span_adds_nothing(server, redis_url, k):
    publisher = framemig.publisher("frames")
    other = Publisher("frames")  # a second, independent publisher to the same stream
    ids, other_ids, older = [], [], None
    for n in range(N):
        if n == k:
            older = pickle.dumps(publisher)  # the checkpoint, taken after k entries
        ids.append(publisher.publish(entry(n)))
        other_ids.append(other.publish(entry(100 + n)))  # interleaved with the first
    assert publisher.seq == N and len(set(ids)) == N
    client = server.client()
    assert client.xlen(stream_key("frames")) == 2 * N

    restored = pickle.loads(older)
    assert (restored.name, restored.ident, restored.seq) == (publisher.name,
                                                              publisher.ident, k)
    replayed = [restored.publish(entry(n)) for n in range(k, N)]
    assert replayed == ids[k:], "a replayed publish answers the id of the first time"
    assert client.xlen(stream_key("frames")) == 2 * N, "the replay added nothing"

    # the other publisher goes on unaffected; the restored copy appends new entries
    other_ids.append(other.publish(entry(100 + N)))
    new_ids = [restored.publish(entry(n)) for n in range(N, N + 3)]
    assert restored.seq == N + 3
    assert len(set(new_ids) | set(ids)) == N + 3
    assert client.xlen(stream_key("frames")) == 2 * N + 4

    messages = read_all("frames", 2 * N + 4)
    mine = [m for m in messages if m.data["n"] < 100]
    theirs = [m for m in messages if m.data["n"] >= 100]
    assert [m.id for m in mine] == ids + new_ids
    assert [m.data for m in mine] == [entry(n) for n in range(N + 3)], "data unchanged"
    assert [m.id for m in theirs] == other_ids
    assert [m.data for m in theirs] == [entry(100 + n) for n in range(N + 1)]


def test_the_reduce_tuple_carries_name_maxlen_ident_and_seq(server, redis_url):
    publisher = Publisher("counts", maxlen=500)
    assert len(publisher.ident) == 16 and int(publisher.ident, 16) >= 0
    assert Publisher("counts").ident != publisher.ident
    ids = [publisher.publish({"n": n}) for n in range(3)]
    function, args = publisher.__reduce__()
    assert args == ("counts", 500, publisher.ident, 3)
    at_one = function(*args[:3], 1)  # the same publisher as it was after one entry
    assert [at_one.publish({"n": n}) for n in (1, 2)] == ids[1:]
    assert at_one.publish({"n": 3}) not in ids
    assert [m.data for m in read_all("counts", 4)] == [{"n": n} for n in range(4)]
    last_seq, last_id = server.client().hget(publishers_key("counts"),
                                             publisher.ident).decode().split()
    assert (int(last_seq), last_id) == (4, read_all("counts", 4)[-1].id)


def test_a_replayed_entry_no_longer_in_the_stream_is_not_added_again(server, redis_url):
    publisher = Publisher("gone")
    older = pickle.dumps(publisher)
    ids = [publisher.publish({"n": n}) for n in range(3)]
    client = server.client()
    client.xdel(stream_key("gone"), ids[0])  # as if trimmed away
    restored = pickle.loads(older)
    assert [restored.publish({"n": n}) for n in range(3)] == ["", ids[1], ids[2]]
    assert client.xlen(stream_key("gone")) == 2


def test_the_hash_of_publishers_keeps_the_most_recently_active(server, redis_url,
                                                               monkeypatch):
    monkeypatch.setattr(streams, "PUBLISHERS_KEPT", 10)
    client = server.client()
    first = Publisher("many")
    first.publish({"n": 0})
    publishers = [Publisher("many") for _ in range(30)]
    for n, publisher in enumerate(publishers):
        publisher.publish({"n": n})
        first.publish({"n": -n})  # keeps the first one the most recently active
        assert client.hlen(publishers_key("many")) <= 10
    kept = {ident.decode() for ident in client.hkeys(publishers_key("many"))}
    assert first.ident in kept and publishers[-1].ident in kept
    assert publishers[0].ident not in kept
    assert client.xlen(stream_key("many")) == 61


def test_a_replay_looks_for_each_next_entry_after_the_one_before(server, redis_url):
    """Only a replay's first entry is looked for backwards from the newest; each next one
    forwards from the one before, past few entries (XRANGE/XREVRANGE in the script)."""
    publisher, other = Publisher("busy"), Publisher("busy")
    older = pickle.dumps(publisher)
    ids = []
    for n in range(5):
        ids.append(publisher.publish({"n": n}))
        for m in range(150):  # more than one batch of 100 between two of its entries
            other.publish({"m": m})
    client = server.client()
    client.config_resetstat()
    restored = pickle.loads(older)
    assert [restored.publish({"n": n}) for n in range(5)] == ids
    stats = client.info("commandstats")
    backwards = stats.get("cmdstat_xrevrange", {}).get("calls", 0)
    forwards = stats.get("cmdstat_xrange", {}).get("calls", 0)
    assert backwards == 7, stats  # 4 x 150 + 1 entries back from the newest: 7 batches
    # then 150 entries forward each time, 2 batches; the last is the one the hash names
    assert forwards == 3 * 2, stats
    assert client.xlen(stream_key("busy")) == 5 * 151
