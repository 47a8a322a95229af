"""What the keys of ``framemig top`` do: the same commands as the CLI's, sent from the
view's own connection, each returning one line for the status bar. Failures are raised
as FramemigError with a message for people; the view shows it, it never swallows it."""

from __future__ import annotations

from framemig.bus import logs, protocol, registry
from framemig.bus.protocol import Command

MIGRATE_TIMEOUT = 5.0  # seconds to reach a safe point, as `framemig migrate`


def pause(conn, program_id: str) -> str:
    node = registry.owner(conn, program_id)
    reply = protocol.send(conn, node, Command.PAUSE, {"program_id": program_id})
    where = f" at {reply['where']}" if reply.get("where") else ""
    return f"{program_id} paused on {node}{where}"


def resume(conn, program_id: str) -> str:
    node = registry.owner(conn, program_id)
    protocol.send(conn, node, Command.RESUME, {"program_id": program_id})
    return f"{program_id} resumed on {node}"


def kill(conn, program_id: str) -> str:
    node = registry.owner(conn, program_id)
    protocol.send(conn, node, Command.KILL, {"program_id": program_id})
    return f"{program_id} killed on {node}"


def migrate(conn, program_id: str, target: str) -> str:
    node = registry.owner(conn, program_id)
    reply = protocol.send(conn, node, Command.MIGRATE,
                          {"program_id": program_id, "target": target,
                           "timeout": MIGRATE_TIMEOUT}, timeout=MIGRATE_TIMEOUT + 130)
    return f"{program_id} moved {node} -> {target}: " + phases_text(reply["phases"])


def phases_text(phases: dict) -> str:
    total = phases.get("total_ms", 0.0)
    steps = ", ".join(f"{name[:-3].replace('_', ' ')} {phases[name]:.0f}"
                      for name in ("safe_point_ms", "capture_ms", "transfer_ms", "restore_ms",
                                   "switch_ms") if name in phases)
    return f"{total:.0f} ms ({steps})"


def detail(conn, program_id: str, lines: int = 200) -> tuple[list[str], list[dict]]:
    """The program's recent output (one list of lines, across nodes) and its migrations."""
    text, pending = [], b""
    for stream, data, node in logs.tail(conn, program_id, lines):
        if stream == "exit":
            text.extend(pending.decode(errors="replace").splitlines())
            text.append(f"[exited with {data.decode()} on {node}]")
            pending = b""
        else:
            pending += data  # entries are pipe reads: lines may straddle them
    text.extend(pending.decode(errors="replace").splitlines())
    record = registry.program(conn, program_id) or {}
    return text[-lines:], record.get("history", [])
