"""The fleet commands: nodes, ps, run, pause, resume, kill, migrate, logs."""

from __future__ import annotations

import datetime
import json
import os
import signal
import sys
import time

import click

from framemig import units
from framemig.bus import bundle, logs, placement, protocol, registry
from framemig.bus.protocol import Command
from framemig.cli.fleet import connect, json_option, print_columns, redis_option
from framemig.cli.output import emit_json, expected_failures
from framemig.errors import CommandFailed, NoSuchNode, NoSuchProgram
from framemig.units import ago, size


@click.command("nodes")
@redis_option
@json_option
@expected_failures
def nodes_command(redis_url, as_json):
    """List the live nodes of the fleet."""
    conn = connect(redis_url, quiet=as_json)
    found = registry.nodes(conn)
    if as_json:
        emit_json({"nodes": found})
        return
    rows = []
    now = time.time()
    for node in found:
        started = node.get("started")
        up = ago(now - _timestamp(started)) if started else "-"
        labels = ",".join(f"{k}={v}" for k, v in node.get("labels", {}).items())
        status = node.get("status", "up") + (" insecure" if node.get("insecure") else "")
        rows.append((node["name"], status, node.get("host", ""),
                     node.get("arch", ""), node.get("python", ""),
                     f"{node.get('cpu_percent', 0):.0f}%", f"{node.get('memory_percent', 0):.0f}%",
                     str(len(node.get("programs", []))), labels or "-", up))
    print_columns(f"{len(found)} node(s)", ("node", "status", "host", "arch", "python", "cpu",
                                            "memory", "programs", "labels", "up"), rows)


def _timestamp(iso: str) -> float:
    return datetime.datetime.fromisoformat(iso).timestamp()


@click.command("ps")
@redis_option
@json_option
@expected_failures
def ps_command(redis_url, as_json):
    """List every program of the fleet."""
    conn = connect(redis_url, quiet=as_json)
    programs = registry.programs(conn)
    if as_json:
        emit_json({"programs": programs})
        return
    rows = []
    now = time.time()
    for program in programs:
        checkpoint = program.get("checkpoint") or {}
        rows.append((program["id"], program["name"], program["node"], status_text(program, now),
                     f"{program.get('cpu_percent', 0):.0f}%", size(program.get("rss", 0), short=True),
                     ago(program.get("uptime", 0)), str(program.get("migrations", 0)),
                     ago(now - checkpoint["taken"]) if checkpoint.get("taken") else "-"))
    print_columns(f"{len(programs)} program(s)", ("id", "name", "node", "status", "cpu",
                                                   "memory", "uptime", "migrations",
                                                   "checkpoint"), rows)


RECENT = 600  # seconds a failover is still mentioned in ps


def status_text(program: dict, now: float) -> str:
    """What ``ps`` says of a program: ``running``, ``exited (0)``, ``lost``,
    ``recovering``, ``resumed from checkpoint 3.2s old (a died)``..."""
    status = program["status"]
    if status == "exited":
        return _ended(program.get("exit_code"))
    recovered = program.get("recovered")
    if status == "running" and recovered and now - recovered.get("at", 0) < RECENT:
        return (f"resumed from checkpoint {recovered['checkpoint_age_s']:.1f}s old "
                f"({_cause(recovered)})")
    if status == "recovering" and recovered:
        return f"recovering ({_cause(recovered)})"
    if status == "orphaned":
        return f"orphaned ({program.get('node', '?')} gone)"
    return status


def _cause(recovered: dict) -> str:
    cause = recovered.get("cause") or f"node {recovered['from']} died"
    return cause.removeprefix("node ")


def _duration(ctx, param, value):
    if value is None:
        return None
    try:
        return units.seconds(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a duration (5s, 2m, 0)") from None


def _requirements(ctx, param, value):
    try:
        return placement.parse_requirements(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def choose(conn, require: dict, exclude=(), among=None) -> str:
    """The best node for a program (bus/placement.py), or NoSuchNode saying why none."""
    nodes = registry.nodes(conn)
    cordoned = registry.cordoned(conn)
    fit = placement.candidates(nodes, require, exclude=exclude, among=among,
                               cordoned=cordoned)
    if not fit:
        raise NoSuchNode(f"no node to run it on: "
                         f"{placement.why_none(nodes, require, exclude, cordoned)}")
    return fit[0]["name"]


@click.command("run")
@click.argument("program", type=click.Path(exists=True))
@click.option("--on", "node", metavar="NODE",
              help="The node to run it on (default: the best one that qualifies).")
@click.option("--require", multiple=True, metavar="KEY=VALUE", callback=_requirements,
              help="Run it, move it and resume it only on nodes with this label (or arch, "
                   "os, python, host); repeatable.")
@click.option("--checkpoint-every", "every", metavar="DURATION", callback=_duration,
              help="Save its state into Redis this often, for failover (default: the "
                   "node's, 30s; 0: never).")
@redis_option
@json_option
@click.argument("args", nargs=-1)
@expected_failures
def run_command(program, node, require, every, redis_url, as_json, args):
    """Run PROGRAM (a file, or a directory with __main__.py) on a node; the sources travel.

    Arguments for the program come after --: framemig run prog.py --on pi3 -- -v 3
    """
    conn = connect(redis_url, quiet=as_json)
    if node is None:
        node = choose(conn, require)
    elif registry.node(conn, node) is None:
        raise NoSuchNode(f"no live node named {node!r}")
    options = {"require": require}
    if every is not None:
        options["checkpoint_every"] = every
    try:
        reply = bundle.submit(conn, node, program, list(args), **options)
    except (OSError, ValueError) as exc:
        raise CommandFailed(str(exc)) from None
    if as_json:
        emit_json({"ok": True, **reply})
    else:
        name = os.path.basename(os.path.abspath(program))
        click.echo(f"{reply['id']} ({name}) runs on {node} (pid {reply['pid']})")


def _simple(command: Command, verb: str, help_text: str):
    @click.command(command.value, help=help_text)
    @click.argument("program_id", metavar="ID")
    @redis_option
    @json_option
    @expected_failures
    def simple(program_id, redis_url, as_json):
        conn = connect(redis_url, quiet=as_json)
        node = registry.owner(conn, program_id)
        reply = protocol.send(conn, node, command, {"program_id": program_id})
        if as_json:
            emit_json({"ok": True, **reply})
            return
        where = f" at {reply['where']}" if reply.get("where") else ""
        click.echo(f"{program_id} {verb} on {node}{where}")
    return simple


pause_command = _simple(Command.PAUSE, "paused", "Stop program ID at a safe point.")
resume_command = _simple(Command.RESUME, "resumed", "Let a paused program go on.")
kill_command = _simple(Command.KILL, "killed", "End program ID.")


@click.command("migrate")
@click.argument("program_id", metavar="ID")
@click.option("--to", "target", metavar="NODE",
              help="The node to move it to (default: the best other one that qualifies).")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for a safe point.")
@redis_option
@json_option
@expected_failures
def migrate_command(program_id, target, timeout, redis_url, as_json):
    """Move program ID to another node, from exactly where it is."""
    conn = connect(redis_url, quiet=as_json)
    source = registry.owner(conn, program_id)
    if target is None:
        record = registry.program(conn, program_id) or {}
        target = choose(conn, record.get("require") or {}, exclude={source})
    elif registry.node(conn, target) is None:
        raise NoSuchNode(f"no live node named {target!r}")
    reply = protocol.send(conn, source, Command.MIGRATE,
                          {"program_id": program_id, "target": target, "timeout": timeout},
                          timeout=timeout + 130)
    if as_json:
        emit_json({"ok": True, **reply})
        return
    phases = reply["phases"]
    click.echo(
        f"{program_id} moved {source} -> {target} ({reply.get('python_from')} -> "
        f"{reply.get('python_to')}), snapshot {size(reply['size'], short=True)}: safe point "
        f"{phases['safe_point_ms']:.1f} ms, capture {phases['capture_ms']:.1f} ms, transfer "
        f"{phases['transfer_ms']:.1f} ms, restore {phases['restore_ms']:.1f} ms, "
        f"total {phases['total_ms']:.1f} ms")


@click.command("logs")
@click.argument("program_id", metavar="ID")
@click.option("-f", "--follow", is_flag=True, help="Keep printing output as it comes.")
@redis_option
@json_option
@expected_failures
def logs_command(program_id, follow, redis_url, as_json):
    """Print the output of program ID, wherever it ran (one stream across migrations).

    With --json, one JSON object per chunk: stream (out, err, exit), text, node.
    """
    conn = connect(redis_url, quiet=True)
    if registry.program(conn, program_id) is None:
        raise NoSuchProgram(f"no program {program_id} in the fleet")
    out, err = sys.stdout.buffer, sys.stderr.buffer
    try:
        for stream, data, node in logs.read(conn, program_id, follow, replayed=as_json):
            if as_json:
                text = data.decode("utf-8", "replace")
                click.echo(json.dumps({"stream": stream, "text": text, "node": node}))
                continue
            if stream == "exit":
                continue
            if stream == "failover":
                data = (logs.describe_marker(data) + "\n").encode()
                stream = "err"
            elif stream == "lost":
                data = f"-- framemig: the program is lost: {data.decode()} --\n".encode()
                stream = "err"
            target = err if stream == "err" else out
            target.write(data)
            target.flush()
    except KeyboardInterrupt:
        pass


def _ended(code) -> str:
    """``exited (0)``, ``failed (1)``, ``killed (SIGKILL)``: how a program ended."""
    if not isinstance(code, int) or code == 0:
        return f"exited ({code})"
    if code > 0:
        return f"failed ({code})"
    try:
        return f"killed ({signal.Signals(-code).name})"
    except ValueError:
        return f"killed ({-code})"
