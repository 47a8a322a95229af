"""The bench code runs (tiny sizes): it must not rot between real runs."""

import json
import subprocess
import sys

from tests.harness import HERE


def test_bench_quick(tmp_path, env):
    output = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(HERE.parent / "bench" / "run.py"), "--quick",
                           "--output", str(output)], capture_output=True, text=True,
                          timeout=300, env=env.vars())
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(output.read_text())
    assert {"machine", "overhead", "latency", "snapshots", "migration", "fleet"} <= set(results)
    assert all(row["ratio"] > 0 for row in results["overhead"])
    assert all(row["ms"]["median"] > 0 for row in results["latency"])
    assert all(row["snapshot_bytes"] > 0 for row in results["snapshots"])
    assert all(row["phases"]["total_ms"]["median"] > 0 for row in results["migration"])
    assert all(row["s"]["median"] > 0 for row in results["fleet"])
    assert "run time: nbody" in done.stdout and "migration: 1 KB" in done.stdout
