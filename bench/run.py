"""framemig's benchmarks: run-time overhead, safe-point latency, snapshot size and time,
end-to-end migration, fleet scale.

Each figure is measured in the same run as its baseline (plain ``python``, ``pickle``),
repeated, and reported as median and spread. ``--quick`` makes everything small (the
test suite runs it so this code cannot rot). Results go to a table and to
bench/results.json with a description of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import checkpoints
import fleet_scale
import latency
import machine
import migration
import overhead
import report
import snapshots
from common import GOALS, HERE

PARTS = ("overhead", "latency", "snapshots", "migration", "checkpoints", "fleet")


def save(path: str, results: dict) -> None:
    Path(path).write_text(json.dumps(results, indent=2) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", action="append", choices=PARTS,
                        help="run only this part (may be repeated)")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)
    parts = args.only or PARTS
    repeats = 1 if args.quick else args.repeats
    from rich.console import Console
    console = Console(stderr=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as temp, console.status("starting") as status:
        def progress(what: str) -> None:
            status.update(f"[{time.monotonic() - began:5.0f} s] {what}")

        workdir = Path(temp)
        os.environ.update(FRAMEMIG_RUN_DIR=str(workdir / "run"),
                          FRAMEMIG_CACHE_DIR=str(workdir / "cache"))
        env = dict(os.environ)
        results = {"machine": machine.describe(), "goals": GOALS, "quick": args.quick}
        if args.only and Path(args.output).exists():  # the other parts keep their figures
            earlier = json.loads(Path(args.output).read_text())
            if earlier.get("quick") == args.quick:
                results = {**earlier, **results}
        if "overhead" in parts:
            results["overhead"] = overhead.measure(repeats, args.quick, workdir, env, progress)
            results["overhead_median_ratio"] = statistics.median(
                row["ratio"] for row in results["overhead"])
            results["overhead_median_rss_ratio"] = statistics.median(
                row["rss_ratio"] for row in results["overhead"])
            save(args.output, results)  # a later part may fail: keep these
        if "latency" in parts:
            progress("safe-point latency")
            results["latency"] = latency.measure(max(repeats, 3) * 2, workdir, env)
            save(args.output, results)  # a later part may fail: keep these
        if "snapshots" in parts:
            results["snapshots"] = snapshots.measure(args.quick, workdir, env, progress)
            save(args.output, results)  # a later part may fail: keep these
        if "migration" in parts:
            results["migration"] = migration.measure(max(repeats, 3) * 2, args.quick,
                                                     workdir, env, progress)
        if "checkpoints" in parts:
            results["checkpoints"] = checkpoints.measure(repeats, args.quick, workdir, env,
                                                         progress)
            save(args.output, results)
        if "fleet" in parts:
            results["fleet"] = fleet_scale.measure(repeats, args.quick, workdir, env,
                                                   progress)
        results["seconds"] = round(time.monotonic() - began, 1)
    save(args.output, results)
    report.show(results, publish=not args.only)  # the README shows whole runs only
    return 0


if __name__ == "__main__":
    sys.exit(main())
