"""One frame of the view as plain text: ``framemig top --once``, for scripts and logs.

Also the cells of both tables, shared with the live view so the two always agree.
"""

from __future__ import annotations

import time

from framemig.ui.fleetview import FleetView, NodeRow, sparkline
from framemig.units import ago, size

NODE_COLUMNS = ("node", "status", "host", "arch", "python", "cpu", "cpu 1m", "mem",
                "mem 1m", "progs")
PROGRAM_COLUMNS = ("id", "name", "node", "status", "cpu", "memory", "uptime", "moves")


def node_cells(row: NodeRow) -> tuple[str, ...]:
    record = row.record
    version = record.get("python_version")
    python = ".".join(map(str, version)) if version else str(record.get("python", ""))
    return (row.name, row.status, str(record.get("host", "")), str(record.get("arch", "")),
            python, f"{record.get('cpu_percent', 0):.0f}%", sparkline(row.cpu),
            f"{record.get('memory_percent', 0):.0f}%", sparkline(row.memory),
            str(len(row.programs)))


def program_cells(program: dict) -> tuple[str, ...]:
    status = program.get("status", "")
    if status == "exited":
        status = f"exited ({program.get('exit_code')})"
    return (program["id"], str(program.get("name", "")), program["node"], status,
            f"{program.get('cpu_percent', 0):.0f}%", size(program.get("rss", 0), short=True),
            ago(program.get("uptime", 0)), str(program.get("migrations", 0)))


def columns(headers: tuple, rows: list[tuple]) -> list[str]:
    """Aligned columns as kubectl prints them: fast for ten thousand rows."""
    widths = [len(h) for h in headers]
    for row in rows:
        for n, cell in enumerate(row):
            widths[n] = max(widths[n], len(cell))
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
    return lines


def headline(view: FleetView, where: str) -> str:
    nodes = view.node_rows()
    up = sum(1 for n in nodes if n.status != "gone")
    programs = sum(len(n.programs) for n in nodes)
    return (f"framemig top {time.strftime('%H:%M:%S')} - {up} node(s) up, {len(nodes) - up} "
            f"gone, {programs} program(s) - {where}")


def render(view: FleetView, where: str) -> str:
    scope = f"of {view.selected_node}" if view.selected_node else "of all nodes"
    lines = [headline(view, where), ""]
    lines += columns(NODE_COLUMNS, [node_cells(r) for r in view.node_rows()])
    lines += ["", f"PROGRAMS {scope}, sorted by {view.sort}"]
    lines += columns(PROGRAM_COLUMNS, [program_cells(p) for p in view.program_rows()])
    return "\n".join(lines) + "\n"
