"""The fleet commands: nodes, ps, run, pause, resume, kill, migrate, logs."""

from __future__ import annotations

import datetime
import json
import os
import signal
import sys
import time

import click

from framemig.bus import bundle, logs, protocol, registry
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
        rows.append((node["name"], node.get("status", "up"), node.get("host", ""),
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
    for program in programs:
        status = program["status"]
        if status == "exited":
            status = _ended(program.get("exit_code"))
        rows.append((program["id"], program["name"], program["node"], status,
                     f"{program.get('cpu_percent', 0):.0f}%", size(program.get("rss", 0), short=True),
                     ago(program.get("uptime", 0)), str(program.get("migrations", 0))))
    print_columns(f"{len(programs)} program(s)", ("id", "name", "node", "status", "cpu",
                                                   "memory", "uptime", "migrations"), rows)


@click.command("run")
@click.argument("program", type=click.Path(exists=True))
@click.option("--on", "node", required=True, metavar="NODE", help="The node to run it on.")
@redis_option
@json_option
@click.argument("args", nargs=-1)
@expected_failures
def run_command(program, node, redis_url, as_json, args):
    """Run PROGRAM (a file, or a directory with __main__.py) on NODE; the sources travel.

    Arguments for the program come after --: framemig run prog.py --on pi3 -- -v 3
    """
    conn = connect(redis_url, quiet=as_json)
    if registry.node(conn, node) is None:
        raise NoSuchNode(f"no live node named {node!r}")
    try:
        reply = bundle.submit(conn, node, program, list(args))
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
@click.option("--to", "target", required=True, metavar="NODE", help="The node to move it to.")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for a safe point.")
@redis_option
@json_option
@expected_failures
def migrate_command(program_id, target, timeout, redis_url, as_json):
    """Move program ID to another node, from exactly where it is."""
    conn = connect(redis_url, quiet=as_json)
    source = registry.owner(conn, program_id)
    if registry.node(conn, target) is None:
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
        for stream, data, node in logs.read(conn, program_id, follow):
            if as_json:
                text = data.decode("utf-8", "replace")
                click.echo(json.dumps({"stream": stream, "text": text, "node": node}))
                continue
            if stream == "exit":
                continue
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
