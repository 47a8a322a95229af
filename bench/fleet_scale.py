"""Fleet scale: 1,000 simulated nodes with 10 programs each in a real Redis; how long
``framemig ps`` takes, and one refresh of the monitoring view's data.

The records are what real nodes write (same fields, same sizes); they are rewritten
before each timing so none expires under the clock.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import subprocess
import time
from pathlib import Path

from common import PY, ROOT, framemig_client, spread

NODES, PROGRAMS = 1000, 10


def records(count: int, programs: int) -> list[dict]:
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    now = time.time()
    return [{
        "name": f"sim-{n:04d}", "host": f"pi-{n:04d}", "os": "Linux", "arch": "aarch64",
        "python": "CPython 3.11.7", "python_version": [3, 11, 7], "cpus": 4,
        "memory_total": 1 << 30, "labels": {"room": f"r{n % 20}"}, "pid": 1000 + n,
        "framemig": "0.1.0", "started": started, "status": "up", "heartbeat": now,
        "cpu_percent": (n * 7) % 100, "memory_percent": 40.0, "memory_used": 400 << 20,
        "programs": [{"id": f"p{n:04d}{k}", "name": f"detector-{k}.py", "status": "running",
                      "pid": 20000 + k, "uptime": 3600.0, "migrations": k % 3,
                      "exit_code": None, "cpu_percent": 3.0, "rss": 12 << 20}
                     for k in range(programs)],
    } for n in range(count)]


def measure(repeats: int, quick: bool, workdir: Path, env, progress=None) -> list[dict]:
    framemig_client()  # puts this checkout on the path
    from framemig.bus import protocol, registry

    count = 50 if quick else NODES
    from framemig.node.localfleet import LocalFleet

    fleet = LocalFleet(str(workdir), env=env)
    try:
        conn = fleet.conn
        fleet_records = records(count, PROGRAMS)

        def fill():
            with conn.pipeline(transaction=False) as pipe:
                for record in fleet_records:
                    pipe.set(protocol.node_key(record["name"]), json.dumps(record),
                             ex=registry.NODE_TTL)
                    pipe.zadd(protocol.NODES, {record["name"]: time.time()})
                pipe.execute()

        rows = []
        for label, argv in (("framemig ps", ["ps"]), ("framemig ps --json", ["ps", "--json"]),
                            ("framemig nodes", ["nodes"])):
            if progress:
                progress(f"fleet scale: {label}")
            values = []
            for _ in range(repeats):
                fill()
                started = time.perf_counter()
                done = subprocess.run([PY, "-m", "framemig", *argv, "--redis", fleet.url],
                                      capture_output=True, env=env, cwd=ROOT)
                values.append(time.perf_counter() - started)
                if done.returncode:
                    raise RuntimeError(f"{label} failed: {done.stderr.decode()[-500:]}")
            rows.append({"what": label, "s": spread(values), "nodes": count,
                         "programs": count * PROGRAMS})
        values = []
        for _ in range(repeats):
            fill()
            started = time.perf_counter()
            nodes = registry.nodes(conn)
            registry.programs(conn, nodes)
            values.append(time.perf_counter() - started)
        rows.append({"what": "registry read (nodes + programs)", "s": spread(values),
                     "nodes": count, "programs": count * PROGRAMS})
        if progress:
            progress("fleet scale: framemig top")
        rows.append({"what": "framemig top: one refresh (read, fold, redraw)",
                     "s": spread(asyncio.run(_top_refreshes(conn, fleet.url, fill, repeats))),
                     "nodes": count, "programs": count * PROGRAMS})
        values = []
        for _ in range(repeats):
            fill()
            started = time.perf_counter()
            done = subprocess.run([PY, "-m", "framemig", "top", "--once", "--redis", fleet.url],
                                  capture_output=True, env=env, cwd=ROOT)
            values.append(time.perf_counter() - started)
        rows.append({"what": "framemig top --once", "s": spread(values), "nodes": count,
                     "programs": count * PROGRAMS})
        return rows
    finally:
        fleet.stop()



async def _top_refreshes(conn, url: str, fill, repeats: int) -> list[float]:
    """The live view, headless at 160x50: each refresh reads the registry, folds it into
    the view and redraws the changed cells (the first one fills the tables)."""
    from framemig.ui.app import TopApp

    app = TopApp(conn, url, refresh=3600)
    values = []
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(repeats + 1):
            fill()
            started = time.perf_counter()
            app.view.refresh()
            app.draw(None)
            await pilot.pause()
            values.append(time.perf_counter() - started)
    return values[1:]  # the first fills empty tables: a start-up cost, not a refresh
