"""What a checkpoint costs the program: how long it stands still, per checkpoint, for
states of 1 KB, 1 MB and 10 MB, on a real node over a local Redis.

The pause runs from the program's stop at its safe point to the moment it goes on: the
capture and write of the snapshot, and the drain of its output up to that point (the
log position stored with the checkpoint). Storing the snapshot in Redis happens after
the program goes on, so it is reported beside the pause, not in it. Each state is
checkpointed on demand (``framemig checkpoint ID``) with the automatic ones turned off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from common import spread
from migration import PROGRAM, cli

SIZES = {"1 KB": 1_000, "1 MB": 1_000_000, "10 MB": 10_000_000}
QUICK_SIZES = {"1 KB": 1_000, "100 KB": 100_000}


def measure(repeats: int, quick: bool, workdir: Path, env, progress=None) -> list[dict]:
    from framemig.node.localfleet import LocalFleet

    program = workdir / "checkpointed.py"
    program.write_text(PROGRAM)
    fleet = LocalFleet(str(workdir), env=env)
    rows = []
    try:
        fleet.start_node("bench-cp")
        for label, target in (QUICK_SIZES if quick else SIZES).items():
            ready = workdir / f"cp-ready-{target}"
            done = cli(fleet, "run", program, "--on", "bench-cp", "--checkpoint-every", "0",
                       "--json", "--", target, ready)
            if done.returncode:
                raise RuntimeError(f"framemig run failed: {done.stderr}")
            program_id = json.loads(done.stdout)["id"]
            fleet._wait(ready.exists, f"the {label} program to build its state", 600)
            pauses, sizes = [], []
            count = max(3, repeats)
            for n in range(count):
                if progress:
                    progress(f"checkpoint of {label} ({n + 1}/{count})")
                done = cli(fleet, "checkpoint", program_id, "--json")
                if done.returncode:
                    raise RuntimeError(f"framemig checkpoint failed: {done.stderr}")
                reply = json.loads(done.stdout)
                pauses.append(reply["pause_ms"])
                sizes.append(reply["size"])
            cli(fleet, "kill", program_id)
            rows.append({"state": label, "pause_ms": spread(pauses),
                         "snapshot_bytes": max(sizes), "checkpoints": count})
            os.unlink(ready)
    finally:
        fleet.stop()
    return rows
