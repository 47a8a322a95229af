"""Failover: the programs of a node that died are resumed from their checkpoints on the
nodes that live — each by exactly one of them.

Every node looks, about once a second, for programs whose record places them on a node
that is no longer there (its lease ran out, or a new process took its name). For each
such orphan, every node computes the same choice from the same records
(:mod:`framemig.bus.placement`: the program's required labels, then free memory and
CPU; several orphans are spread over the best nodes in turn); the chosen node claims
the program with the epoch (:func:`framemig.bus.ownership.claim_orphan`), which only one
claim can win, and rebuilds it from its checkpoint. If the chosen node does not act
within ``PATIENCE`` seconds, any qualifying node may claim. A program with no
checkpoint is marked lost, once, by the node that wins the claim.

The resumed copy repeats what the program did after its checkpoint: its output
stream gets a marker there (``logs`` shows the replayed span once), data streams it
reads are read again from the checkpoint's position, and entries it publishes again
are not added twice (:mod:`framemig.bus.streams`).
"""

from __future__ import annotations

import os
import threading
import time

from framemig.bus import checkpoints, logs, ownership, placement, protocol, registry
from framemig.errors import SnapshotCorrupt, Untrusted
from framemig.node import checkpoints as node_checkpoints
from framemig.node.programs import ManagedProgram, RestoreRefused

TICK = 1.0
PATIENCE = 5.0  # seconds the chosen node has before any other may claim


class Failover(threading.Thread):
    def __init__(self, node):
        super().__init__(name="failover", daemon=True)
        self.node = node
        self.first_seen: dict[str, float] = {}

    def run(self) -> None:
        while not self.node.stopping.wait(TICK):
            if self.node.cordoned:
                continue
            try:
                self.node.with_redis(self.scan, attempts=1)
            except Exception as error:  # noqa: BLE001 - a scan that fails is tried again
                self.node.log(f"failover scan failed: {error}")

    def scan(self, conn) -> None:
        nodes = registry.nodes(conn)
        live = {n["name"]: n for n in nodes}
        self.node.program_users.sweep(conn, nodes)  # Redis users of copies gone with nodes
        listed = {p["id"] for n in nodes for p in n.get("programs", [])} | \
            {i for n in nodes for i in n.get("adopting", [])}
        now = time.time()
        found = []
        for record in registry.program_records(conn):
            if not isinstance(record, dict) or \
                    not protocol.ID_PATTERN.fullmatch(str(record.get("id"))):
                continue  # not a record framemig wrote: nothing to take over
            if record.get("status") in registry.ALIVE and record["id"] not in listed:
                found.append(record)
            elif record.get("status") == "lost" and now - record.get("ended_at", now) > \
                    registry.RETENTION:
                registry.forget_program(conn, record["id"])
        orphans = []
        for record in found:
            owner = ownership.owner(conn, record["id"])
            if not owner:
                continue  # Redis forgot it; its node, if alive, writes it again
            holder = live.get(owner["node"])
            alive = holder is not None and holder.get("instance") == owner.get("instance")
            orphans.append((record, owner, alive))
        seen = {r["id"] for r, _, _ in orphans}
        self.first_seen = {i: t for i, t in self.first_seen.items() if i in seen}
        cordoned = registry.cordoned(conn)
        for index, (record, owner, alive) in enumerate(sorted(orphans,
                                                              key=lambda o: o[0]["id"])):
            first = self.first_seen.setdefault(record["id"], time.monotonic())
            fit = placement.candidates(nodes, record.get("require"), cordoned=cordoned)
            names = [n["name"] for n in fit]
            if self.node.name not in names:
                continue
            chosen = names[index % len(names)]
            waited = time.monotonic() - first
            # an owner that lives is given time: its record may be a moment behind
            if (alive or chosen != self.node.name) and waited < PATIENCE:
                continue
            epoch = ownership.claim_orphan(conn, record["id"], owner["node"], owner["epoch"],
                                           self.node.name, self.node.instance)
            if epoch:
                cause = (f"its move from {owner['node']} did not arrive" if alive
                         else f"node {owner['node']} died")
                self.node.pool.submit(self._recover, record, owner["node"], epoch, cause)

    def _recover(self, record: dict, dead: str, epoch: int, cause: str) -> None:
        recover_or_lose(self.node, record, dead, epoch, cause)


def recover_or_lose(node, record: dict, dead: str, epoch: int, cause: str) -> None:
    """:func:`recover`, and if that fails, the program is marked lost, saying why."""
    try:
        recover(node, record, dead, epoch, cause)
    except Exception as error:  # noqa: BLE001 - said, and the program marked lost
        node.log(f"{record['id']}: failover failed: {error}")
        _lost(node, record, f"resuming it on {node.name} failed: {error}")


def recover(node, record: dict, dead: str, epoch: int, cause: str | None = None) -> None:
    """Rebuild ``record``'s program here from its checkpoint (ours now, at ``epoch``).
    ``dead`` is the node whose copy was lost, ``cause`` how ("node a died")."""
    cause = cause or f"node {dead} died"
    program_id = record["id"]
    facts = node.with_redis(lambda conn: checkpoints.facts(conn, program_id))
    data = node.with_redis(lambda conn: checkpoints.snapshot(conn, program_id))
    if not facts or data is None:
        return _lost(node, record, f"{cause} and the program had no checkpoint")
    try:
        node.trusted_snapshot(data, f"the checkpoint of {program_id}")
    except (Untrusted, SnapshotCorrupt) as error:
        node.log(f"refused: {error.message}")
        return _lost(node, record, f"{cause} and its checkpoint was refused: {error.message}")
    now = time.time()
    age = round(now - facts["taken"], 1)
    recovered = {"from": dead, "cause": cause, "at": now, "checkpoint_taken": facts["taken"],
                 "checkpoint_age_s": age, "checkpoint_node": facts.get("node")}
    record = {**record, "status": "recovering", "node": node.name, "epoch": epoch,
              "recovered": recovered}
    node.with_redis(lambda conn: registry.save_program(conn, record))
    node.log(f"{program_id} ({record.get('name')}): {cause}; resuming it here from its "
             f"checkpoint of {age:.1f} s before")
    path = os.path.join(node.incoming, f"{program_id}-failover-{epoch}.json")
    with open(path, "wb") as handle:
        handle.write(data)
    from framemig.node.migrate import ADOPT_TIMEOUT, program_files

    program = ManagedProgram(node, record)
    node.adopting.add(program_id)
    try:
        program.start_restore(path, timeout=ADOPT_TIMEOUT, standby=node.take_standby(),
                              program_dir=program_files(node, record))
    except RestoreRefused as refusal:
        return _lost(node, record, f"its checkpoint cannot continue on {node.name}: {refusal}")
    finally:
        node.adopting.discard(program_id)
    marker = node.with_redis(lambda conn: logs.replay_marker(
        conn, program_id, node.name, dead, facts["log_id"], age))
    node.add(program)
    if facts["paused"]:
        program.status, program.unreleased, program.running = "paused", True, True
    else:
        program.go()
    program.record["checkpoint"] = {"taken": facts["taken"], "size": facts["size"],
                                    "pause_ms": facts["pause_ms"]}
    program.save()
    node.with_redis(lambda conn: checkpoints.store(
        conn, program_id, node.name, epoch, data, marker, 0.0, paused=facts["paused"],
        taken=facts["taken"]))
    node_checkpoints.schedule(node, program)
    program.announce("program_recovered", source=dead, checkpoint_age_s=age)


def _lost(node, record: dict, reason: str) -> None:
    record = {**record, "status": "lost", "reason": reason, "ended_at": time.time()}
    node.with_redis(lambda conn: registry.save_program(conn, record))
    node.with_redis(lambda conn: logs.append(conn, record["id"], "lost", reason.encode(),
                                             node.name))
    node.with_redis(lambda conn: protocol.announce(conn, "program_lost", program=record["id"],
                                                   reason=reason))
    node.log(f"{record['id']} ({record.get('name')}) is lost: {reason}")
