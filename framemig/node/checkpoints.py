"""Checkpoints: each program's state saved into Redis now and then, the program left
running, so that a failover can resume it when its node dies.

A checkpoint is a capture in ``hold`` mode: the program stops at a safe point, is
captured, and waits while the node makes sure that everything it printed before the
capture is in its output stream (the position stored with the checkpoint: what comes
after it, a failover replays); then it goes on (``abort``), with its timers given back
the moment it stood still. A capture that is refused leaves the program running
unharmed; the node says why once, and tries again at ten times the interval.

When: every ``checkpoint_every`` seconds (the program's own, from ``run
--checkpoint-every``, else the node's; 0 turns checkpoints off), stretched so that the
pauses take at most 1% of the program's time, and only if the program used CPU since
the last one — an idle program's state has not changed. A paused program is
checkpointed once, where it stands. A program that arrives by migration has its
snapshot stored as its first checkpoint, at no cost.
"""

from __future__ import annotations

import os
import threading
import time

import psutil

from framemig.bus import checkpoints, protocol
from framemig.errors import FramemigError
from framemig.runtime import client

DEFAULT_EVERY = 30.0
MAX_SHARE = 0.01  # of a program's time that its checkpoint pauses may take
TICK = 0.25


def every(node, program) -> float:
    value = program.record.get("checkpoint_every")
    return float(node.checkpoint_every if value is None else value)


def schedule(node, program, first: bool = False) -> None:
    """Set when the program's next checkpoint is due."""
    interval = every(node, program)
    pause = (program.record.get("checkpoint") or {}).get("pause_ms", 0) / 1000
    interval = max(interval, pause / MAX_SHARE)
    if program.checkpoint_error and not first:
        interval *= 10
    program.checkpoint_due = time.monotonic() + interval


def last_log_id(conn, program_id: str) -> str:
    newest = conn.xrevrange(protocol.logs_key(program_id), count=1)
    if not newest:
        return "0-0"
    entry_id = newest[0][0]
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


class Checkpointer(threading.Thread):
    def __init__(self, node):
        super().__init__(name="checkpoints", daemon=True)
        self.node = node

    def run(self) -> None:
        while not self.node.stopping.wait(TICK):
            now = time.monotonic()
            with self.node.programs_lock:
                due = [p for p in self.node.programs.values()
                       if p.status in ("running", "paused") and p.running
                       and every(self.node, p) > 0 and 0 < p.checkpoint_due <= now]
            for program in due:
                try:
                    take(self.node, program)
                except FramemigError as error:
                    self.node.log(f"{program.id}: checkpoint failed: {error.message}")


def _cpu(program) -> float | None:
    try:
        times = psutil.Process(program.process.pid).cpu_times()
        return times.user + times.system
    except psutil.Error:
        return None


def take(node, program, forced: bool = False) -> dict | None:
    """Checkpoint ``program`` now; its facts, or None if it was skipped (busy with another
    command, unchanged since the last one, or no longer running)."""
    if not program.lock.acquire(timeout=0 if not forced else 30):
        return None  # a command has it; it comes back in a tick
    try:
        if program.status not in ("running", "paused") or not program.alive():
            return None
        if program.status == "paused" and (program.unreleased or program.record.get(
                "checkpoint", {}).get("paused_at") == program.record.get("paused_at")):
            schedule(node, program)
            return None  # a paused program's state does not change: once is enough
        cpu = _cpu(program)
        if not forced and cpu is not None and cpu == program.checkpointed_cpu:
            schedule(node, program)
            return None
        return _capture(node, program, cpu)
    finally:
        program.lock.release()


def _capture(node, program, cpu) -> dict:
    path = os.path.join(node.workdir, f"checkpoint-{program.id}.json")
    paused = program.status == "paused"
    started = time.monotonic()
    stood_ms = 0.0  # a paused program stands still anyway
    try:
        if paused:
            ticket = program.paused
            client.decide(ticket, "capture", out=path)
        else:
            ticket = client.ask(program.process.pid, "hold", path, timeout=5.0)
        program.drain(timeout=2.0)  # all it printed before the capture is in its stream
        log_id = program.last_log_id or node.with_redis(  # (no round trip while it waits)
            lambda conn: last_log_id(conn, program.id))
        if not paused:
            # how long it stood still, as it counted: from its safe point, through the
            # capture, the write and the drain, to the word to go on
            stood_ms = client.decide(ticket, "abort").get("stood_ms", 0)
            ticket.close()
        released = time.monotonic()
    except FramemigError as error:
        _failed(node, program, error.message)
        raise
    with open(path, "rb") as handle:
        data = node.signed_snapshot(handle.read())
    os.unlink(path)
    number = node.with_redis(lambda conn: checkpoints.store(
        conn, program.id, node.name, program.epoch, data, log_id, stood_ms, paused=paused))
    if not number:
        node.superseded(program)
        return {}
    facts = {"taken": time.time(), "size": len(data), "pause_ms": stood_ms,
             "count": number, "total_ms": round((released - started) * 1000, 3),
             "paused_at": program.record.get("paused_at") if paused else None}
    program.checkpointed_cpu = cpu
    program.checkpoint_error = None
    program.record["checkpoint"] = facts
    program.save()
    schedule(node, program)
    return facts


def _failed(node, program, reason: str) -> None:
    if program.checkpoint_error != reason:
        node.log(f"{program.id} ({program.record['name']}): no checkpoint: {reason}")
    program.checkpoint_error = reason
    program.record["checkpoint_error"] = reason
    schedule(node, program)


def arrived(node, program, snapshot: bytes, paused: bool) -> None:
    """A program that arrived by migration or failover: the snapshot it came in is its
    checkpoint, its output so far the position."""
    log_id = node.with_redis(lambda conn: last_log_id(conn, program.id))
    node.with_redis(lambda conn: checkpoints.store(
        conn, program.id, node.name, program.epoch, snapshot, log_id, 0.0, paused=paused))
    program.record["checkpoint"] = {"taken": time.time(), "size": len(snapshot),
                                    "pause_ms": 0.0, "paused_at": program.record.get(
                                        "paused_at") if paused else None}
    schedule(node, program)
