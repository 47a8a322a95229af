"""What the monitoring view shows, kept apart from how it is drawn.

A refresh reads the registry (one ZRANGE and one MGET, whatever the fleet's size) and
folds it into what the view remembers: the last minute of each node's CPU and memory for
the sparklines, and nodes that stopped heartbeating, shown as "gone" for a while before
they leave, so a device that drops off is seen to drop off rather than silently vanish.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from framemig.bus import registry

HISTORY = 60  # samples kept for a sparkline: the last minute at one refresh a second
SILENT_AFTER = 3.0  # seconds without a heartbeat before a node counts as gone
GONE_LINGER = 10.0  # seconds a gone node stays on screen
BUSY_CPU = 80.0  # percent

SORT_KEYS = ("node", "name", "cpu", "memory", "uptime", "status")


@dataclass
class NodeRow:
    name: str
    record: dict
    status: str = "up"
    cpu: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    memory: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    last_seen: float = 0.0

    @property
    def programs(self) -> list[dict]:
        return self.record.get("programs", [])


class FleetView:
    def __init__(self, conn):
        self.conn = conn
        self.nodes: dict[str, NodeRow] = {}
        self.filter = ""
        self.sort = "node"
        self.selected_node: str | None = None  # None: the programs of all nodes

    def refresh(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        seen = set()
        for record in registry.nodes(self.conn):
            name = record["name"]
            seen.add(name)
            row = self.nodes.get(name)
            if row is None:
                row = self.nodes[name] = NodeRow(name, record)
            row.record = record
            row.cpu.append(float(record.get("cpu_percent", 0.0)))
            row.memory.append(float(record.get("memory_percent", 0.0)))
            row.status = _status(record, now)
            if row.status != "gone":
                row.last_seen = now
        for name, row in list(self.nodes.items()):
            if name not in seen:
                row.status = "gone"
                if not row.last_seen:
                    row.last_seen = now
            if row.status == "gone" and now - row.last_seen > GONE_LINGER:
                del self.nodes[name]
                if self.selected_node == name:
                    self.selected_node = None

    # --- what the tables show -----------------------------------------------------------------

    def node_rows(self) -> list[NodeRow]:
        rows = sorted(self.nodes.values(), key=lambda r: r.name)
        if self.filter:
            rows = [r for r in rows if self._matches_node(r)]
        return rows

    def program_rows(self) -> list[dict]:
        """One row a program. While it moves, two nodes list it (the source's copy
        migrating, the target's held): the row is the copy that counts."""
        found: dict[str, dict] = {}
        for row in self.nodes.values():
            if self.selected_node is not None and row.name != self.selected_node:
                continue
            for program in row.programs:
                program = {**program, "node": row.name}
                if row.status == "gone":
                    program["status"] = "lost"  # its node is gone: nobody vouches for it
                other = found.get(program["id"])
                if other is None or _weight(program) < _weight(other):
                    found[program["id"]] = program
        found = list(found.values())
        if self.filter:
            needle = self.filter.lower()
            found = [p for p in found if needle in " ".join(
                str(p.get(k, "")) for k in ("id", "name", "node", "status")).lower()]
        return sorted(found, key=_program_key(self.sort))

    def _matches_node(self, row: NodeRow) -> bool:
        needle = self.filter.lower()
        facts = " ".join(str(row.record.get(k, "")) for k in ("name", "host", "arch", "python"))
        return needle in f"{facts} {row.status}".lower() or any(
            needle in f"{p.get('id')} {p.get('name')}".lower() for p in row.programs)

    def next_sort(self) -> str:
        self.sort = SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)]
        return self.sort

    def live_nodes(self, except_node: str | None = None) -> list[str]:
        return [r.name for r in self.node_rows() if r.status != "gone" and r.name != except_node]

    def program(self, program_id: str) -> dict | None:
        return next((p for p in self.program_rows() if p["id"] == program_id), None)


_WEIGHT = {"running": 0, "paused": 1, "migrating": 2, "starting": 3, "exited": 4,
           "lost": 5, "held": 6}


def _weight(program: dict) -> int:
    return _WEIGHT.get(program.get("status"), 4)


def _status(record: dict, now: float) -> str:
    if now - float(record.get("heartbeat", now)) > SILENT_AFTER:
        return "gone"
    if record.get("status") == "stopping":
        return "stopping"
    if float(record.get("cpu_percent", 0.0)) >= BUSY_CPU:
        return "busy"
    return "up"


def _program_key(sort: str):
    if sort == "cpu":
        return lambda p: (-float(p.get("cpu_percent", 0)), p["id"])
    if sort == "memory":
        return lambda p: (-int(p.get("rss", 0)), p["id"])
    if sort == "uptime":
        return lambda p: (-float(p.get("uptime", 0)), p["id"])
    if sort in ("name", "status"):
        return lambda p: (str(p.get(sort, "")), p["id"])
    return lambda p: (p["node"], p["id"])


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values, width: int = 10, top: float = 100.0) -> str:
    """All of ``values`` (the last minute) in ``width`` bars, 0..top: each bar the mean of
    its share of the samples, the newest on the right."""
    values = list(values)
    per_bar = max(1, -(-len(values) // width))
    start = len(values) % per_bar
    means = ([sum(values[:start]) / start] if start else []) + [
        sum(values[i:i + per_bar]) / per_bar for i in range(start, len(values), per_bar)]
    bars = "".join(SPARKS[min(len(SPARKS) - 1, int(v / top * len(SPARKS)))]
                   for v in means[-width:])
    return bars.rjust(width)
