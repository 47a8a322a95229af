"""Moving a running program from this node to another, and taking one over.

The source freezes its copy at a safe point and captures it (``hold``), offers the
snapshot through Redis, and keeps its copy frozen until the target has rebuilt its own,
frozen too. Then the source commits, the target lets its copy run, and only when the
target says it runs does the source end its copy. Any failure before that — the target
refuses, dies, or is too slow — aborts, and the source's copy simply goes on. The states
and who may change them are in :mod:`framemig.bus.migration`.
"""

from __future__ import annotations

import os
import shutil
import time

from framemig import env
from framemig.bus import bundle, checkpoints, migration, ownership, protocol, registry
from framemig.bus.protocol import Command
from framemig.errors import (
    CommandFailed,
    FramemigError,
    NoSafePoint,
    NoSuchNode,
    RolledBack,
    SnapshotCorrupt,
    Untrusted,
)
from framemig.node.programs import ManagedProgram, RestoreRefused
from framemig.runtime import client

POLL = 0.002  # seconds between looks at a migration's state while it runs
ADOPT_TIMEOUT = 60.0  # for the target to be ready, and then to be running


def fault_point(node, step: str) -> None:
    """For the fault-injection tests (tests/faults/): with FRAMEMIG_FAULT_PAUSE naming
    ``step``, the node stops there — it writes ``fault-<step>`` in its work directory and
    waits until the file is gone — so a test can kill or stop a party at exactly that
    step. Nothing happens without the variable."""
    wanted = os.environ.get("FRAMEMIG_FAULT_PAUSE")
    if not wanted or step not in wanted.split(","):
        return
    marker = os.path.join(node.workdir, f"fault-{step.replace(':', '-')}")
    with open(marker, "w") as handle:
        handle.write(str(os.getpid()))
    while os.path.exists(marker):
        time.sleep(0.01)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def source(node, args, answer):
    program_id, target = args.get("program_id"), args.get("target")
    if not program_id or not target:
        raise CommandFailed("migrate needs program_id and target")
    if target == node.name:
        raise CommandFailed(f"program {program_id} already runs on {node.name}")
    if node.with_redis(lambda conn: registry.node(conn, target)) is None:
        raise NoSuchNode(f"no live node named {target!r}")
    program = node.program(program_id)
    return migrate_locked(node, program, target, float(args.get("timeout", 5.0)))


def migrate_locked(node, program: ManagedProgram, target: str, timeout: float = 5.0) -> dict:
    with program.lock:
        return _migrate(node, program, target, timeout)


def _migrate(node, program: ManagedProgram, target: str, timeout: float) -> dict:
    started = time.monotonic()
    path = os.path.join(node.workdir, f"outgoing-{program.id}-{int(time.time() * 1000)}.json")
    was = program.status
    ticket = _hold(program, path, timeout)
    held = time.monotonic()
    program.status = "migrating"
    program.announce("program_migrating", to=target)
    reply = ticket.reply
    capture_ms = reply.get("capture_ms", 0.0) + reply.get("write_ms", 0.0)
    safe_point_ms = max(0.0, _ms(held - started) - capture_ms)
    program.drain()
    fault_point(node, "source-captured")
    with open(path, "rb") as handle:
        data = node.signed_snapshot(handle.read())
    os.unlink(path)
    migration_id = protocol.new_id()
    record = {**program.record, "migrations": program.record.get("migrations", 0) + 1,
              "paused": was == "paused"}  # and it stays paused there
    node.with_redis(lambda conn: migration.offer(
        conn, migration_id, data, source=node.name, target=target, program=program.id,
        size=len(data), safe_point_ms=safe_point_ms, capture_ms=capture_ms,
        python_from=env.describe()))
    offered = time.monotonic()
    try:
        node.with_redis(lambda conn: protocol.send(
            conn, target, Command.ADOPT, {"migration_id": migration_id, "record": record},
            timeout=30))
        outcome = _settle(node, migration_id, target, program.id)
    except FramemigError as error:
        node.with_redis(lambda conn: migration.move(
            conn, migration_id, "aborted", "offered", "ready", "committed"))
        outcome = f"the target did not take it: {error.message}"
    facts = node.with_redis(lambda conn: migration.state(conn, migration_id))
    if outcome != "running":
        if not _decide(ticket, "abort"):
            ticket.close()
            program.status = "lost"
            program.save()
            program.announce("program_lost", reason=f"its process ended while held; "
                             f"the migration to {target} failed ({outcome})")
            raise CommandFailed(f"migration of {program.id} to {target} failed ({outcome}), "
                                f"and its copy on {node.name} ended while it waited: the "
                                f"program is lost")
        ticket.close()
        program.status = was if was == "paused" else "running"
        if was == "paused" and not program.unreleased:  # it stays paused: hold it again
            program.paused = client.ask(program.process.pid, "pause")
        node.with_redis(lambda conn: migration.acknowledge(conn, migration_id))
        program.save()
        program.announce("program_migration_failed", to=target, reason=outcome)
        raise RolledBack(f"migration of {program.id} to {target} failed ({outcome}); "
                         f"it goes on on {node.name}")
    program.moved_away = True
    _decide(ticket, "commit")  # (a copy that ended meanwhile had nothing more to do)
    ticket.close()
    program.paused = None
    program.status = "moved"
    node.changed()
    lost = _confirmed(node, migration_id, target, program.id)
    if lost:
        died = lost.endswith("died before its copy ran")
        kept = died and node.with_redis(lambda conn: checkpoints.facts(conn, program.id))
        raise CommandFailed(f"{program.id} moved to {target}, but {lost}: " + (
            "it resumes from its last checkpoint on a node that lives (failover)" if kept
            else "the program is lost"))
    finished = time.monotonic()
    phases = {
        "safe_point_ms": safe_point_ms, "capture_ms": capture_ms,
        "transfer_ms": round(_ms(offered - held) + _number(facts, "transfer_ms"), 1),
        "restore_ms": _number(facts, "restore_ms"),
        "switch_ms": _number(facts, "switch_ms"),
        "total_ms": _ms(finished - started),
    }
    node.with_redis(lambda conn: protocol.announce(
        conn, "program_migrated", program=program.id, node=target, source=node.name,
        phases=phases, size=len(data)))
    return {"id": program.id, "from": node.name, "to": target, "size": len(data),
            "phases": phases, "python_from": env.describe(),
            "python_to": facts.get("python_to")}


class _Unreleased:
    """The hold of a program that arrived paused and has not run here since: its copy is
    the restored one, held before its first line, and its snapshot the one it came in."""

    def __init__(self, program: ManagedProgram):
        self.program = program
        self.reply = {"capture_ms": 0.0, "write_ms": 0.0}

    def close(self) -> None:
        pass


def _decide(ticket, decision: str) -> bool:
    """Tell the held copy; False if it is no longer there to be told."""
    if isinstance(ticket, _Unreleased):
        if decision == "commit":
            ticket.program.cancel()
        return ticket.program.alive()
    try:
        client.decide(ticket, decision)
    except (FramemigError, OSError):
        return False
    return True


def _hold(program: ManagedProgram, path: str, timeout: float) -> client.Ticket:
    """Freeze the program at a safe point with a snapshot at ``path``."""
    if program.status == "paused" and program.unreleased:
        shutil.copyfile(program.snapshot, path)
        return _Unreleased(program)
    if program.status == "paused":
        ticket = program.paused
        client.decide(ticket, "capture", out=path)
        return ticket
    if program.status != "running":
        raise CommandFailed(f"program {program.id} is {program.status}")
    try:
        return client.ask(program.process.pid, "hold", path, timeout=timeout)
    except NoSafePoint as error:
        if program.process.poll() is not None:
            raise CommandFailed(f"program {program.id} ended before it could be moved") \
                from None
        raise error


def _settle(node, migration_id: str, target: str, program_id: str) -> str:
    """Drive the migration to its end on the source's side: "running" or why not.

    Before *committed* the source may give up (the target is slow, gone, or Redis lost
    the migration: the target cannot run without *committed*). Once it has committed, the
    target may be running the program: the source gives up only when the target's node
    is gone (its copy died with it), or says, alive, that it does not run the program."""
    deadline = time.monotonic() + ADOPT_TIMEOUT
    last_check = 0.0
    committed = False
    since = time.time() + 0.2  # a target's record to be believed is written after this
    while True:
        state = node.with_redis(lambda conn: migration.state(conn, migration_id))
        current = state.get("state")
        if current == "running":
            return "running"
        if current == "ready":
            committed = node.with_redis(lambda conn: migration.move(
                conn, migration_id, "committed", "ready")) or committed
            continue
        if current == "refused":
            node.with_redis(lambda conn: migration.move(conn, migration_id, "aborted",
                                                        "refused"))
            return f"refused by {target}: {state.get('reason', 'no reason given')}"
        if current == "aborted":
            return "aborted"
        if current is None and not committed:
            return ("its state in Redis was set by someone without the fleet key"
                    if "forged" in state else "Redis lost the migration before it was committed")
        now = time.monotonic()
        if now - last_check > 0.5:
            last_check = now
            record = node.with_redis(lambda conn: registry.node(conn, target))
            if committed or current in (None, "committed"):
                why = _target_outcome(record, target, program_id, since)
                if why == "running":
                    return "running"
                if why is not None and (current is None or node.with_redis(
                        lambda conn: migration.move(conn, migration_id, "aborted",
                                                    "committed"))):
                    return why
            elif record is None or now > deadline:
                why = f"{target} is gone" if record is None else \
                    f"{target} did not finish in time"
                if node.with_redis(lambda conn: migration.move(
                        conn, migration_id, "aborted", "offered", "ready")):
                    return why
        time.sleep(POLL)


def _confirmed(node, migration_id: str, target: str, program_id: str) -> str | None:
    """After *running*: wait until the target says its copy runs (None), or why not."""
    deadline = time.monotonic() + ADOPT_TIMEOUT
    since = time.time()
    while time.monotonic() < deadline:
        state = node.with_redis(lambda conn: migration.state(conn, migration_id))
        if state.get("started"):
            return None
        if state.get("lost"):
            return state["lost"]
        record = node.with_redis(lambda conn: registry.node(conn, target))
        if record is None:
            return f"{target} died before its copy ran"
        if not state:  # Redis forgot the migration: the target's record says
            why = _target_outcome(record, target, program_id, since)
            if why == "running":
                return None
            if why is not None:
                return why
        time.sleep(POLL * 5)
    return None  # it said *running*; what became of it later is its node's to tell


def _number(facts: dict, name: str) -> float:
    """A measurement another node wrote (0 if it is not a number: it is only reported)."""
    try:
        value = float(facts.get(name, 0))
    except ValueError:
        return 0.0
    return value if value == value and abs(value) < 1e12 else 0.0


def _target_outcome(record: dict | None, target: str, program_id: str,
                    since: float) -> str | None:
    """After *committed*: "running" if the target says it runs the program, a reason to
    take it back if the target is gone or says it has no copy, None while it cannot
    tell (its record older than ``since``, or still adopting)."""
    if record is None:
        return f"{target} is gone"
    mine = next((p for p in record.get("programs", []) if p.get("id") == program_id), None)
    if mine is not None and mine.get("status") in ("running", "paused"):
        return "running"
    if float(record.get("heartbeat", 0)) < since or program_id in record.get("adopting", ()):
        return None
    return f"{target} has no copy of it"


def target(node, args, answer):
    migration_id, record = args.get("migration_id"), args.get("record")
    if not migration_id or not isinstance(record, dict) or "id" not in record:
        raise CommandFailed("adopt needs migration_id and record")
    node.adopting.add(record["id"])  # (before the answer: the source may look at once)
    answer(accepted=True)
    try:
        _adopt(node, migration_id, record)
    finally:
        node.adopting.discard(record["id"])
        node.changed()


def _adopt(node, migration_id: str, record: dict) -> None:
    started = time.monotonic()

    def refuse(reason: str) -> None:
        node.with_redis(lambda conn: migration.move(conn, migration_id, "refused", "offered",
                                                    reason=reason))

    data = node.with_redis(lambda conn: migration.snapshot(conn, migration_id))
    if data is None:
        return refuse("the snapshot is no longer in Redis")
    try:
        node.trusted_snapshot(data, f"the snapshot of migration {migration_id}")
    except (Untrusted, SnapshotCorrupt) as error:
        node.log(f"refused: {error.message}")
        return refuse(error.message)
    path = os.path.join(node.incoming, f"{migration_id}.json")
    with open(path, "wb") as handle:
        handle.write(data)
    program_dir = program_files(node, record)
    transferred = time.monotonic()
    program = ManagedProgram(node, record)
    try:
        program.start_restore(path, timeout=ADOPT_TIMEOUT, standby=node.take_standby(),
                              program_dir=program_dir)
    except RestoreRefused as refusal:
        return refuse(str(refusal))
    ready = time.monotonic()
    facts = {"transfer_ms": _ms(transferred - started), "restore_ms": _ms(ready - transferred),
             "python_to": env.describe()}
    if not node.with_redis(lambda conn: migration.move(conn, migration_id, "ready",
                                                       "offered", **facts)):
        return program.cancel()
    fault_point(node, "target-ready")
    source_node = node.with_redis(lambda conn: migration.state(conn, migration_id)).get("source")
    deadline = time.monotonic() + ADOPT_TIMEOUT
    while True:
        current = node.with_redis(lambda conn: migration.state(conn, migration_id)).get("state")
        if current in (None, "aborted") or time.monotonic() > deadline and node.with_redis(
                lambda conn: migration.move(conn, migration_id, "aborted", "ready")):
            return program.cancel()  # (None: Redis lost it before the source committed)
        if current == "committed" or (current == "ready" and node.with_redis(
                lambda conn: registry.node(conn, source_node)) is None):
            # committed by the source, or the source died holding its copy: ours runs
            break
        time.sleep(POLL)
    fault_point(node, "target-committed")
    if not program.alive():  # our copy died after it said ready: the source's goes on
        node.with_redis(lambda conn: migration.move(conn, migration_id, "aborted",
                                                    "committed", "ready"))
        return program.cancel()
    # *running* first, then our copy goes: a node stopped in between holds its copy
    # frozen (the source's has ended), where the other order would run two copies
    if not node.with_redis(lambda conn: migration.move(
            conn, migration_id, "running", "committed", "ready",
            switch_ms=_ms(time.monotonic() - ready))):
        return program.cancel()  # the source took the program back (it thought us gone)
    fault_point(node, "target-running")
    epoch = _take_ownership(node, record, source_node)
    if not epoch:  # a failover resumed it elsewhere meanwhile: that copy is the program
        return program.cancel()
    record = {**record, "epoch": epoch}
    program.record = record
    from framemig.node import checkpoints as node_checkpoints

    node_checkpoints.arrived(node, program, data, paused=bool(record.get("paused")))
    record = program.record
    if record.get("paused"):  # it was paused: it stays so, held before its first line
        program.status, program.unreleased = "paused", True
        program.running = True  # its process is the program's: its end is the program's
        node.with_redis(lambda conn: conn.hset(protocol.migration_key(migration_id),
                                               "started", str(time.time())))
        return _take_over(node, program, record, migration_id, facts)
    try:
        program.go()
    except (OSError, FramemigError) as error:
        # the restored copy died before its first line: the program is ours, and the
        # snapshot it came in is its checkpoint — rebuild it from that, once more
        from framemig.node import failover

        node.log(f"{program.id}: its restored copy ended before it ran ({error}); "
                 f"restoring it again")
        program.running = False
        failover.recover_or_lose(node, record, node.name, epoch,
                         f"its copy on {node.name} died as it arrived")
        node.with_redis(lambda conn: conn.hset(protocol.migration_key(migration_id),
                                               "started", str(time.time())))
        return None
    node.with_redis(lambda conn: conn.hset(protocol.migration_key(migration_id), "started",
                                           str(time.time())))
    _take_over(node, program, record, migration_id, facts)


def _take_ownership(node, record: dict, source_node: str) -> int:
    """The program is ours from the source at the epoch it had; the new epoch, or 0 if
    another node took it meanwhile. An owner Redis has forgotten (it restarted empty) is
    written again, one epoch on."""
    old = int(record.get("epoch", 0))
    epoch = node.with_redis(lambda conn: ownership.transfer(
        conn, record["id"], source_node, old, node.name, node.instance))
    if not epoch and node.with_redis(lambda conn: ownership.reclaim(
            conn, record["id"], node.name, node.instance, old + 1)):
        epoch = old + 1
    return epoch


def program_files(node, record: dict) -> str | None:
    """Unpack the program's bundle (its files as they were sent with ``run``, kept in
    Redis while it lives) into this node's directory for it, and return that directory:
    the program runs from there, so a module it imports only now is found even though
    the directory it came from is on another machine. None if there is no bundle (the
    restore then uses the carried sources alone, as for a snapshot from elsewhere)."""
    key = record.get("bundle_key")
    if not key:
        return None
    try:
        directory = node.program_dir(record["id"])
        packed = node.with_redis(lambda conn: bundle.fetch(  # (renews its expiry)
            conn, key, record.get("bundle_sha256")))
        if packed is None:
            return None
        bundle.unpack(packed, directory)
    except (FramemigError, OSError, ValueError, KeyError, TypeError) as error:
        from framemig.node.daemon import log

        log(f"{record['id']}: its files are not unpacked here ({error}); it runs from the "
            f"sources its snapshot carries")
        return None
    return directory


def _take_over(node, program: ManagedProgram, record: dict, migration_id: str,
               facts: dict) -> None:
    state = node.with_redis(lambda conn: migration.state(conn, migration_id))
    history = list(record.get("history", []))
    history.append({
        "from": state.get("source"), "to": node.name, "at": time.time(),
        "python_from": state.get("python_from"), "python_to": facts["python_to"],
        "size": int(_number(state, "size")),
        "safe_point_ms": _number(state, "safe_point_ms"),
        "capture_ms": _number(state, "capture_ms"),
        "transfer_ms": facts["transfer_ms"], "restore_ms": facts["restore_ms"],
    })
    program.record = {**record, "history": history}
    with node.programs_lock:
        node.programs[program.id] = program
    program.save()
    node.with_redis(lambda conn: migration.acknowledge(conn, migration_id))
    program.announce("program_arrived", source=state.get("source"))
