"""End-to-end migration over a local Redis between two real nodes, by phase.

The clock runs from the ``framemig migrate`` command (a new process, as a person would
type it) to its answer, which comes when the program runs on the target. The phases are
the ones the nodes measure: safe point, capture, transfer, restore, switch.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from common import PY, ROOT, framemig_client, spread
from snapshots import ITEM_SOURCE, QUICK_SIZES, SIZES

PROGRAM = """
import sys, time
from pathlib import Path
""" + ITEM_SOURCE + """
target, ready = int(sys.argv[1]), Path(sys.argv[2])
state = [item(n) for n in range(max(1, target // 520))]  # 520: pickled bytes per item
ready.write_text("ready")
ticks = 0
while True:
    ticks += 1
    time.sleep(0.01)
"""

PHASES = ("safe_point_ms", "capture_ms", "transfer_ms", "restore_ms", "switch_ms", "total_ms")


def cli(fleet, *args, timeout=900) -> subprocess.CompletedProcess:
    """A framemig command against the fleet's Redis (--redis goes before any --)."""
    args = [str(a) for a in args]
    cut = args.index("--") if "--" in args else len(args)
    return subprocess.run([PY, "-m", "framemig", *args[:cut], "--redis", fleet.url,
                           *args[cut:]], capture_output=True, text=True, env=fleet.env,
                          timeout=timeout, cwd=ROOT)


def measure(repeats: int, quick: bool, workdir: Path, env, progress=None) -> list[dict]:
    """Each state is moved back and forth, alternately by a new ``framemig migrate``
    process (as typed) and by a client already connected (as ``framemig top`` does)."""
    framemig_client()
    from framemig.bus import protocol
    from framemig.bus.protocol import Command
    from framemig.node.localfleet import LocalFleet

    program = workdir / "migrating.py"
    program.write_text(PROGRAM)
    fleet = LocalFleet(str(workdir), env=env)
    conn = fleet.conn
    rows = []
    try:
        fleet.start_node("bench-a")
        fleet.start_node("bench-b")
        for label, target in (QUICK_SIZES if quick else SIZES).items():
            ready = workdir / f"ready-{target}"
            done = cli(fleet, "run", program, "--on", "bench-a", "--json", "--",
                       target, ready)
            if done.returncode:
                raise RuntimeError(f"framemig run failed: {done.stderr}")
            program_id = json.loads(done.stdout)["id"]
            fleet._wait(ready.exists, f"the {label} program to build its state", 600)
            count = 2 if target >= 10_000_000 else max(2, repeats)
            walls = {"typed": [], "connected": []}
            phases, size, where = {p: [] for p in PHASES}, 0, "bench-a"
            for n in range(count):
                if progress:
                    progress(f"migration of {label} ({n + 1}/{count})")
                there = "bench-b" if where == "bench-a" else "bench-a"
                how = "typed" if n % 2 == 0 else "connected"
                started = time.perf_counter()
                if how == "typed":
                    done = cli(fleet, "migrate", program_id, "--to", there, "--timeout", 60,
                               "--json")
                    if done.returncode:
                        raise RuntimeError(f"framemig migrate failed: {done.stderr}")
                    reply = json.loads(done.stdout)
                else:
                    reply = protocol.send(conn, where, Command.MIGRATE,
                                          {"program_id": program_id, "target": there,
                                           "timeout": 60}, timeout=900)
                walls[how].append((time.perf_counter() - started) * 1000)
                size = reply["size"]
                for phase in PHASES:
                    phases[phase].append(reply["phases"].get(phase, 0.0))
                where = there
            cli(fleet, "kill", program_id)
            rows.append({"state": label, "snapshot_bytes": size, "migrations": count,
                         "typed_ms": spread(walls["typed"]),
                         "connected_ms": spread(walls["connected"]),
                         "phases": {p: spread(v) for p, v in phases.items()}})
            os.unlink(ready)
    finally:
        fleet.stop()
    return rows
