"""Keeping the fleet available: ``checkpoint``, ``drain``, ``uncordon``, ``rm``."""

from __future__ import annotations

import concurrent.futures

import click

from framemig.bus import checkpoints, protocol, registry
from framemig.bus.protocol import Command
from framemig.cli.fleet import connect, json_option, redis_option
from framemig.cli.output import emit_json, err_console, expected_failures
from framemig.errors import CommandFailed, ExitCode, FramemigError, NoSuchNode, NoSuchProgram
from framemig.node import drain
from framemig.units import size


@click.command("checkpoint")
@click.argument("program_id", metavar="ID")
@redis_option
@json_option
@expected_failures
def checkpoint_command(program_id, redis_url, as_json):
    """Save program ID's state into Redis now (it goes on running): a failover resumes it
    from there if its node dies."""
    conn = connect(redis_url, quiet=as_json)
    node = registry.owner(conn, program_id)
    reply = protocol.send(conn, node, Command.CHECKPOINT, {"program_id": program_id})
    if as_json:
        emit_json({"ok": True, **reply})
        return
    click.echo(f"{program_id} checkpointed on {node}: {size(reply['size'], short=True)}, "
               f"paused {reply['pause_ms']:.1f} ms (checkpoint {reply['count']})")


@click.command("drain")
@click.argument("node")
@click.option("--to", "targets", multiple=True, metavar="NODE",
              help="Move its programs only to these nodes (repeatable; default: any).")
@click.option("--parallel", type=click.IntRange(1, 32), default=drain.PARALLEL,
              show_default=True, help="Migrations in flight at once.")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for each program's safe point.")
@redis_option
@json_option
@expected_failures
def drain_command(node, targets, parallel, timeout, redis_url, as_json):
    """Move every program off NODE and cordon it: it takes no new programs until
    `framemig uncordon NODE`. Exits 0 only if every program moved."""
    conn = connect(redis_url, quiet=as_json)
    nodes = registry.nodes(conn)
    names = {n["name"] for n in nodes}
    if node not in names:
        raise NoSuchNode(f"no live node named {node!r}")
    for target in targets:
        if target not in names:
            raise NoSuchNode(f"no live node named {target!r}")
    conn.sadd(registry.CORDONED, node)
    cordoned = registry.cordoned(conn)
    record = next(n for n in nodes if n["name"] == node)
    programs = [p for p in record.get("programs", []) if p["status"] in ("running", "paused")]
    records = {p["id"]: registry.program(conn, p["id"]) or {} for p in programs}
    results = []
    say = (lambda text: None) if as_json else err_console().print

    def move(index: int, program: dict) -> dict:
        target = drain.targets_for(nodes, records[program["id"]], node, among=targets or None,
                                   cordoned=cordoned, index=index)
        if target is None:
            return {"id": program["id"], "ok": False, "error": "no node can take it",
                    "code": int(ExitCode.NO_SUCH_NODE)}
        try:
            reply = protocol.send(conn, node, Command.MIGRATE, {
                "program_id": program["id"], "target": target, "timeout": timeout},
                timeout=timeout + 130)
        except FramemigError as error:
            return {"id": program["id"], "to": target, "ok": False, "error": error.message,
                    "code": int(error.code)}
        return {"id": program["id"], "to": target, "ok": True,
                "total_ms": reply["phases"]["total_ms"]}

    say(f"draining {node}: {len(programs)} program(s), {parallel} at a time; cordoned")
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        futures = [pool.submit(move, i, p) for i, p in enumerate(programs)]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            result = future.result()
            results.append(result)
            if result["ok"]:
                say(f"[{done}/{len(programs)}] {result['id']} -> {result['to']} "
                    f"({result['total_ms']:.0f} ms)")
            else:
                say(f"[{done}/{len(programs)}] [red]{result['id']} stays on {node}: "
                    f"{result['error']}[/]")
    failed = [r for r in results if not r["ok"]]
    if as_json:
        emit_json({"ok": not failed, "node": node, "moved": results})
    elif not failed:
        click.echo(f"{node} drained: {len(results)} program(s) moved; it stays cordoned "
                   f"(framemig uncordon {node})")
    if failed:
        raise CommandFailed(f"{len(failed)} of {len(results)} program(s) could not leave "
                            f"{node}; it stays cordoned", code=ExitCode(failed[0]["code"]))


@click.command("uncordon")
@click.argument("node")
@redis_option
@json_option
@expected_failures
def uncordon_command(node, redis_url, as_json):
    """Let NODE take programs again after a drain."""
    conn = connect(redis_url, quiet=as_json)
    was = conn.srem(registry.CORDONED, node)
    if as_json:
        emit_json({"ok": True, "node": node, "was_cordoned": bool(was)})
    else:
        click.echo(f"{node} takes programs again" if was else f"{node} was not cordoned")


@click.command("rm")
@click.argument("program_ids", metavar="ID...", nargs=-1, required=True)
@redis_option
@json_option
@expected_failures
def rm_command(program_ids, redis_url, as_json):
    """Forget programs that have ended or are lost: their records, output and
    checkpoints. A program still running is refused (kill it first)."""
    conn = connect(redis_url, quiet=as_json)
    for program_id in program_ids:
        record = registry.program(conn, program_id)
        if record is None:
            raise NoSuchProgram(f"no program {program_id} in the fleet")
        alive = registry.node(conn, record.get("node", ""))
        if alive is not None:
            protocol.send(conn, record["node"], Command.FORGET, {"program_id": program_id})
        elif record.get("status") in registry.ALIVE + ("recovering",) and \
                checkpoints.facts(conn, program_id):
            raise CommandFailed(f"program {program_id} is about to be resumed from its "
                                f"checkpoint (its node {record.get('node')} died); kill it "
                                f"once it runs")
        registry.forget_program(conn, program_id)
    if as_json:
        emit_json({"ok": True, "removed": list(program_ids)})
    else:
        click.echo(f"removed {', '.join(program_ids)}")
