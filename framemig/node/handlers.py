"""What a node does for each command. Each handler takes the node, the command's args and
a function to answer early (for work that goes on after the answer), and returns the
answer's data (or None if it answered already)."""

from __future__ import annotations

import time

from framemig import __version__, env
from framemig.bus import bundle, ownership
from framemig.bus.protocol import Command
from framemig.errors import CommandFailed, Untrusted
from framemig.node import checkpoints, migrate
from framemig.node.programs import ManagedProgram
from framemig.runtime import client


def _required(args: dict, *names: str):
    missing = [n for n in names if not args.get(n)]
    if missing:
        raise CommandFailed(f"missing argument(s): {', '.join(missing)}")
    return [args[n] for n in names]


def ping(node, args, answer):
    return {"node": node.name, "framemig": __version__, "python": env.describe()}


def run(node, args, answer):
    program_id, name, key = _required(args, "program_id", "name", "bundle_key")
    directory = node.program_dir(program_id)
    sha256 = args.get("bundle_sha256")
    if node.key is not None and not isinstance(sha256, str):
        raise Untrusted("a run command that does not name its bundle's SHA-256 refused")
    packed = node.with_redis(lambda conn: bundle.fetch(conn, key, sha256))
    if packed is None:
        raise CommandFailed(f"the sources of {program_id} are not in Redis ({key})")
    try:
        main = bundle.unpack(packed, directory)
    except ValueError as error:
        raise CommandFailed(f"the sources of {program_id}: {error}") from None
    # the bundle stays in Redis while the program lives: a node it moves to unpacks it too,
    # so the modules it has not imported yet are there when it does
    if node.cordoned:
        raise CommandFailed(f"node {node.name} is cordoned: it takes no new programs "
                            f"(framemig uncordon {node.name})")
    every = args.get("checkpoint_every")
    require = args.get("require") or {}
    if every is not None and (not isinstance(every, (int, float)) or every < 0):
        raise CommandFailed(f"checkpoint_every must be a number of seconds, not {every!r}")
    if not isinstance(require, dict):
        raise CommandFailed("require must be an object of label: value")
    epoch = node.with_redis(lambda conn: ownership.establish(conn, program_id, node.name,
                                                             node.instance))
    record = {"id": program_id, "name": name, "args": list(args.get("args", [])),
              "created": time.time(), "migrations": 0, "history": [],
              "python": env.describe(), "bundle_key": key, "bundle_sha256": sha256,
              "epoch": epoch,
              "checkpoint_every": every, "require": require}
    program = ManagedProgram(node, record)
    node.add(program)
    with program.lock:
        program.start_exec(main, record["args"])
        checkpoints.schedule(node, program, first=True)
        program.save()
    program.announce("program_started", name=name)
    return {"id": program_id, "pid": program.process.pid, "node": node.name}


def pause(node, args, answer):
    (program_id,) = _required(args, "program_id")
    program = node.program(program_id)
    with program.lock:
        if program.status == "paused":
            return {"id": program_id, "where": _where_paused(program)}
        _require_running(program)
        program.paused = client.ask(program.process.pid, "pause",
                                    timeout=float(args.get("timeout", 5.0)))
        program.status = "paused"
        program.record["paused_at"] = time.time()
        program.save()
    program.announce("program_paused", where=program.paused.reply.get("where"))
    return {"id": program_id, "where": program.paused.reply.get("where")}


def resume(node, args, answer):
    (program_id,) = _required(args, "program_id")
    program = node.program(program_id)
    with program.lock:
        if program.status == "running":  # as pause answers for a paused one
            return {"id": program_id, "held_s": 0.0, "note": "it was running"}
        if program.status != "paused":
            raise CommandFailed(f"program {program_id} is {program.status}, not paused")
        if program.unreleased:  # it came paused from another node: it starts here now
            program.go()
            reply = {"held_s": None}
        else:
            reply = client.decide(program.paused, "resume")
            program.paused.close()
        program.paused = None
        program.status = "running"
        program.save()
    program.announce("program_resumed")
    return {"id": program_id, "held_s": reply.get("held_s")}


def kill(node, args, answer):
    (program_id,) = _required(args, "program_id")
    program = node.program(program_id)
    with program.lock:
        if program.status in ("exited", "moved"):
            raise CommandFailed(f"program {program_id} has already ended")
        program.terminate(grace=float(args.get("grace", 3.0)))
    deadline = time.monotonic() + 10
    while program.status not in ("exited", "moved") and time.monotonic() < deadline:
        time.sleep(0.02)
    return {"id": program_id, "exit_code": program.exit_code}


def checkpoint(node, args, answer):
    (program_id,) = _required(args, "program_id")
    program = node.program(program_id)
    if program.status not in ("running", "paused"):
        raise CommandFailed(f"program {program_id} is {program.status}")
    facts = checkpoints.take(node, program, forced=True)
    if facts is None:
        raise CommandFailed(f"program {program_id} could not be checkpointed now (it is "
                            f"{program.status})")
    if not facts:
        raise CommandFailed(f"program {program_id} runs elsewhere now (its epoch moved on)")
    return {"id": program_id, **facts}


def forget(node, args, answer):
    """Drop an ended program from this node's list (``framemig rm``)."""
    (program_id,) = _required(args, "program_id")
    with node.programs_lock:
        program = node.programs.get(program_id)
        if program is not None and program.status in ("running", "paused", "migrating",
                                                      "held", "starting"):
            raise CommandFailed(f"program {program_id} is {program.status}: kill it first")
        node.programs.pop(program_id, None)
    node.changed()
    return {"id": program_id}


def _where_paused(program) -> str | None:
    if program.paused is not None:
        return program.paused.reply.get("where")
    return None  # arrived paused: where its snapshot stopped it


def _require_running(program) -> None:
    if program.status != "running":
        raise CommandFailed(f"program {program.id} is {program.status}")


HANDLERS = {
    Command.PING: ping,
    Command.RUN: run,
    Command.PAUSE: pause,
    Command.RESUME: resume,
    Command.KILL: kill,
    Command.MIGRATE: migrate.source,
    Command.ADOPT: migrate.target,
    Command.CHECKPOINT: checkpoint,
    Command.FORGET: forget,
}
