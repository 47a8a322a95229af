"""Run-time overhead of ``framemig exec`` against plain ``python``, and peak memory.

The programs are the pure-Python benchmarks of the pyperformance suite, run as pyperf
workers in a single process: each reports its own loop times, so interpreter start-up
(which framemig does lengthen, by its imports) is kept apart from the steady state that
the goal is about. Plain and framemig runs are interleaved so drift hits both alike.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from common import PY, run_measured, spread

# benchmark -> loops per value, chosen so that a value takes about 0.1-0.3 s here
BENCHMARKS = {
    "chaos": 3, "deltablue": 50, "fannkuch": 1, "float": 2, "go": 2, "hexiom": 30,
    "nbody": 2, "nqueens": 2, "raytrace": 1, "richards": 4, "spectral_norm": 2,
    "pyflate": 1,
}
QUICK = {"nbody": 1, "richards": 1}


def benchmarks_dir() -> Path:
    try:
        import pyperformance
    except ImportError:
        raise SystemExit("pyperformance is not installed: pip install -e '.[bench]' "
                         "(make bench does)") from None
    return Path(pyperformance.__file__).parent / "data-files" / "benchmarks"


def _run(argv: list[str], out: Path, env, cwd) -> tuple[float, int]:
    """Median seconds per loop that the benchmark measured itself, and peak RSS (KB)."""
    _, rss, _ = run_measured(argv, env, cwd)
    data = json.loads(out.read_text())
    out.unlink()
    values = [v for run in data["benchmarks"][0]["runs"] for v in run.get("values", [])]
    return statistics.median(values), rss


def measure(repeats: int, quick: bool, workdir: Path, env, progress=None) -> list[dict]:
    root = benchmarks_dir()
    values, warmups = (2, 0) if quick else (5, 1)
    rows = []
    for name, loops in (QUICK if quick else BENCHMARKS).items():
        if progress:
            progress(f"overhead: {name}")
        script = root / f"bm_{name}" / "run_benchmark.py"
        out = workdir / f"{name}.json"
        worker = [str(script), "--worker", "-l", str(loops), "-n", str(values),
                  "-w", str(warmups), "-o", str(out)]
        plain, under = {"s": [], "rss": []}, {"s": [], "rss": []}
        for _ in range(repeats):
            for sink, argv in ((plain, [PY, *worker]),
                               (under, [PY, "-m", "framemig", "exec", *worker])):
                seconds, rss = _run(argv, out, env, script.parent)
                sink["s"].append(seconds)
                sink["rss"].append(rss)
        rows.append({
            "program": name, "plain_s": spread(plain["s"]), "exec_s": spread(under["s"]),
            "ratio": statistics.median(under["s"]) / statistics.median(plain["s"]),
            "plain_rss_kb": statistics.median(plain["rss"]),
            "exec_rss_kb": statistics.median(under["rss"]),
            "rss_ratio": statistics.median(under["rss"]) / statistics.median(plain["rss"]),
        })
    return rows
