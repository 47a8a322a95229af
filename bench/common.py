"""What every part of the bench shares: goals, the spread of repeated figures, and a way
to run a process and read its peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
PY = sys.executable

GOALS = {"overhead": 1.03, "rss": 1.10, "latency_running_ms": 1.0,
         "latency_sleeping_ms": 10.0, "time_vs_pickle": 2.0, "size_vs_pickle": 1.5,
         "migration_small_ms": 100.0, "fleet_s": 1.0,
         "checkpoint_small_ms": 5.0}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def run_measured(argv: list[str], env=None, cwd=None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KB, from wait4) and stdout of one process."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, env=env,
                                   cwd=cwd)
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(map(str, argv))} failed with {process.returncode}: "
                               f"{errors.read().decode()[-800:]}")
    return elapsed, usage.ru_maxrss, stdout.decode()


def framemig_client():
    """framemig's own modules, from this checkout."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from framemig.runtime import client
    return client
