"""Mutated commands published on a real node's channel, as anyone who can write to Redis
can: the node answers each one that has a request id — refused, or done — and stays up,
and its log never shows a traceback or "error handling a command".

Most messages are mutated and then signed with the fleet key (the fuzzer holds it, so
they reach the handlers: a key holder's mistakes must not bring a node down either);
some are sent unsigned, some tampered with after signing, some are not JSON at all.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from hypothesis import strategies as st

from tests.fuzz import mutate

REPLY_TIMEOUT = 20.0  # seconds (a loaded 2-core machine)
NODE = "fuzzed"
BASE = [
    {"command": "ping", "args": {}},
    {"command": "run", "args": {"program_id": "p1", "name": "prog.py", "args": ["x"],
                                "bundle_key": "framemig:bundle:p1", "bundle_sha256": "0" * 64}},
    {"command": "pause", "args": {"program_id": "p1"}},
    {"command": "resume", "args": {"program_id": "p1"}},
    {"command": "kill", "args": {"program_id": "p1"}},
    {"command": "checkpoint", "args": {"program_id": "p1"}},
    {"command": "forget", "args": {"program_id": "p1"}},
    {"command": "migrate", "args": {"program_id": "p1", "target": "elsewhere", "timeout": 5}},
    {"command": "adopt", "args": {"migration_id": "m1", "record": {
        "id": "p1", "name": "prog.py", "epoch": 1, "history": [], "paused": False}}},
]
SENDS = ("signed", "signed", "signed", "signed", "unsigned", "tampered", "raw")
BAD_LOG = ("Traceback", "error handling a command")


class NodeUnderFuzz:
    """A redis-server and a node with a fleet key, in ``work``."""

    def __init__(self, work: Path):
        from framemig import keys
        from framemig.bus import protocol

        self.work = work
        self.redis = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(work / "redis.sock"),
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
             "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"unix://{work / 'redis.sock'}"
        self.conn = redis.Redis.from_url(self.url, socket_timeout=None)
        _wait(lambda: _pings(self.conn), "redis-server to start")
        self.key = keys.generate(str(work / "fleet.key"))
        protocol.signing.use(self.key, "fuzzer")
        self.log = work / "node.log"
        self.seen = 0
        env = {**os.environ, keys.KEY_ENV: self.key.path,
               "FRAMEMIG_RUN_DIR": str(work / "run"), "FRAMEMIG_CACHE_DIR": str(work / "cache")}
        env.pop("REDIS_URL", None)
        self.node = subprocess.Popen(
            [sys.executable, "-m", "framemig", "node", "--redis", self.url, "--name", NODE,
             "--workdir", str(work / "node")], stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT, env=env)
        _wait(lambda: self.conn.exists(protocol.node_key(NODE)), "the node to register")
        channel = protocol.node_channel(NODE)
        _wait(lambda: dict(self.conn.pubsub_numsub(channel)).get(channel.encode(), 0) > 0,
              "the node to listen")

    def stop(self) -> None:
        for process in (self.node, self.redis):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def alive(self) -> bool:
        return self.node.poll() is None

    def bad_log(self) -> str | None:
        """The part of the node's log that shows a failure, if any since last asked."""
        with self.log.open("rb") as handle:
            handle.seek(max(0, self.seen - 2000))
            text = handle.read().decode("utf-8", "replace")
        self.seen = max(self.seen, self.log.stat().st_size)
        for marker in BAD_LOG:
            if marker in text:
                at = text.index(marker)
                return text[max(0, at - 300): at + 1500]
        return None


def _pings(conn) -> bool:
    try:
        return conn.ping()
    except (redis.RedisError, OSError):
        return False


def _wait(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


def _one_line_refusal(reply) -> str | None:
    """What is wrong with a reply, or None."""
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        return "not a reply"
    if reply["ok"]:
        return None
    if not isinstance(reply.get("code"), int) or reply["code"] == 77:
        return f"code {reply.get('code')!r}"
    error = reply.get("error")
    if not isinstance(error, str) or "\n" in error or "Traceback" in error:
        return "not a one-line error"
    return None


def fuzz(examples: int, seed: int | None = None, work: Path | None = None,
         echo=None) -> collections.Counter:
    from framemig.bus import protocol

    echo = echo or functools.partial(print, flush=True)
    work = Path(work or tempfile.mkdtemp(prefix="framemig-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    fleet = NodeUnderFuzz(work)
    counts: collections.Counter = collections.Counter()
    number = [0]

    @mutate.examples(examples, seed)
    def one(data):
        message = json.loads(json.dumps(data.draw(st.sampled_from(BASE), label="command")))
        request_id = f"fz{number[0]}-{time.monotonic_ns()}"
        message["id"] = request_id
        edits = [mutate.edit(message, data)
                 for _ in range(data.draw(st.integers(0, 3), label="edits"))]
        send = data.draw(st.sampled_from(SENDS), label="send")
        if send == "raw":
            raw = data.draw(st.sampled_from(["", "{", "[]", "null", "{\"id\": 5}", "\x00",
                                             json.dumps(message)[:-1]]), label="raw")
        else:
            try:
                signed = message if send == "unsigned" else protocol.signing.sign(message)
                if send == "tampered":
                    signed = {**signed, "args": {**signed.get("args", {}), "x": 1}} \
                        if isinstance(signed.get("args"), dict) else {**signed, "args": {}}
                raw = json.dumps(signed)
            except (TypeError, ValueError):  # the mutation left JSON (a key not a string)
                counts["unwritable"] += 1
                return
        number[0] += 1
        assert fleet.conn.publish(protocol.node_channel(NODE), raw) == 1, "nobody listens"
        asked = message.get("id") if send != "raw" else None
        got = None
        if protocol.is_request_id(asked):  # (only those can be answered)
            got = fleet.conn.blpop([protocol.reply_key(asked)], timeout=REPLY_TIMEOUT)
            assert got is not None, f"{message} ({send}, {edits}): no reply"
            reply = json.loads(got[1])
            wrong = _one_line_refusal(reply)
            assert wrong is None, f"{message} ({send}, {edits}): {wrong}: {reply}"
            counts["done" if reply["ok"] else f"refused {reply['code']}"] += 1
        else:
            counts["no id"] += 1
        assert fleet.alive(), f"{message} ({send}, {edits}): the node died"
        bad = fleet.bad_log()
        assert bad is None, f"{message} ({send}, {edits}): the node's log says:\n{bad}"
        if number[0] % 1000 == 0:
            echo(f"messages: {number[0]} … {dict(counts)}")

    try:
        one()
    finally:
        fleet.stop()
    return counts
