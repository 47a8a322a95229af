"""framemig's benchmarks: run-time overhead, safe-point latency, snapshot size and time.

Each figure is measured in the same run as its baseline (plain ``python``, ``pickle``),
repeated, and reported as median and spread. ``--quick`` makes everything small (the
test suite runs it so this code cannot rot). Results go to a table and to
bench/results.json with a description of the machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
PY = sys.executable

# program -> (argument for a full run, argument for --quick)
OVERHEAD = {
    "nbody.py": ("150000", "2000"),
    "fannkuch.py": ("9", "6"),
    "spectral_norm.py": ("200", "20"),
    "nqueens.py": ("8", "6"),
    "richards_like.py": ("400", "40"),
}

GOALS = {"overhead": 1.03, "rss": 1.10, "latency_running_ms": 1.0,
         "latency_sleeping_ms": 10.0, "time_vs_pickle": 2.0, "size_vs_pickle": 1.5}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def run_measured(argv: list[str], env=None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KB) and stdout of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{argv} failed with {process.returncode}")
    return elapsed, usage.ru_maxrss, stdout.decode()


def inner_elapsed(stdout: str) -> float:
    return float(next(line.split()[1] for line in stdout.splitlines()
                      if line.startswith("elapsed")))


def overhead(repeats: int, quick: bool, env) -> list[dict]:
    rows = []
    for name, (full, small) in OVERHEAD.items():
        argument = small if quick else full
        program = str(PROGRAMS / name)
        plain, under = {"wall": [], "inner": [], "rss": []}, {"wall": [], "inner": [], "rss": []}
        for _ in range(repeats):  # interleaved, so drift hits both alike
            for sink, argv in ((plain, [PY, program, argument]),
                               (under, [PY, "-m", "framemig", "exec", program, argument])):
                wall, rss, out = run_measured(argv, env)
                sink["wall"].append(wall)
                sink["inner"].append(inner_elapsed(out))
                sink["rss"].append(rss)
        rows.append({
            "program": name,
            "plain_s": spread(plain["inner"]), "exec_s": spread(under["inner"]),
            "ratio": statistics.median(under["inner"]) / statistics.median(plain["inner"]),
            "wall_ratio": statistics.median(under["wall"]) / statistics.median(plain["wall"]),
            "rss_ratio": statistics.median(under["rss"]) / statistics.median(plain["rss"]),
        })
    return rows


LATENCY_PROGRAMS = {
    "running (tight loop)": "n = 0\nwhile True:\n    n = (n + 1) % 1000003\n",
    "running (900-deep recursion)": (
        "def down(k):\n    if k == 0:\n        n = 0\n        while True:\n"
        "            n = (n + 1) % 1000003\n    return down(k - 1)\ndown(900)\n"),
    "sleeping in time.sleep": "import time\nwhile True:\n    time.sleep(10)\n",
}


def latency(repeats: int, workdir: Path, env) -> list[dict]:
    sys.path.insert(0, str(HERE.parent))
    from framemig.runtime import client

    rows = []
    for label, source in LATENCY_PROGRAMS.items():
        program = workdir / "latency.py"
        program.write_text(source)
        process = subprocess.Popen([PY, "-m", "framemig", "exec", str(program)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            values = []
            for n in range(repeats):
                ticket = client.ask(process.pid, "leave", str(workdir / f"lat{n}.json"))
                ticket.close()
                reply = ticket.reply
                values.append((reply["safe_point_at"] - reply["sent"]) * 1000)
                time.sleep(0.05)
        finally:
            process.kill()
            process.wait()
        goal = GOALS["latency_sleeping_ms" if "sleep" in label else "latency_running_ms"]
        rows.append({"state": label, "ms": spread(values), "goal_ms": goal})
    return rows


STATE_PROGRAM = """
import json, pickle, sys, time

class Reading:
    def __init__(self, n):
        self.n, self.label, self.value = n, f"sensor-{n}", n * 0.5

target = int(sys.argv[1])
state, size = [], 0
while size < target:
    n = len(state)
    state.append({"id": n, "name": f"item {n}", "values": [n, n + 1.5, n * 3],
                  "reading": Reading(n), "blob": bytes(range(n % 64))})
    size += 200
start = time.perf_counter()
data = pickle.dumps(state)
dumped = time.perf_counter()
pickle.loads(data)
loaded = time.perf_counter()
print(json.dumps({"pickle_bytes": len(data), "pickle_dump_ms": (dumped - start) * 1000,
                  "pickle_load_ms": (loaded - dumped) * 1000}), flush=True)
time.sleep(60)
print("resumed", len(state), flush=True)
"""

SIZES = {"1 KB": 1_000, "1 MB": 1_000_000, "10 MB": 10_000_000}
QUICK_SIZES = {"1 KB": 1_000, "100 KB": 100_000}


def snapshots(quick: bool, workdir: Path, env) -> list[dict]:
    sys.path.insert(0, str(HERE.parent))
    from framemig.runtime import client

    program = workdir / "state.py"
    program.write_text(STATE_PROGRAM)
    rows = []
    for label, target in (QUICK_SIZES if quick else SIZES).items():
        process = subprocess.Popen([PY, "-m", "framemig", "exec", str(program), str(target)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        baseline = json.loads(process.stdout.readline())
        out = workdir / f"state-{target}.json"
        ticket = client.ask(process.pid, "exit", str(out), 30.0)
        ticket.close()
        reply = ticket.reply
        process.wait()
        report = workdir / "report.json"
        restore_env = dict(env, FRAMEMIG_REPORT=str(report))
        restored = subprocess.Popen([PY, "-m", "framemig", "restore", str(out)], env=restore_env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not report.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        restored.kill()
        restored.wait()
        restore_ms = json.loads(report.read_text())["restore_ms"]
        report.unlink()
        ours_ms = reply["capture_ms"] + reply["write_ms"] + restore_ms
        floor_ms = baseline["pickle_dump_ms"] + baseline["pickle_load_ms"]
        rows.append({
            "state": label, "snapshot_bytes": reply["size"],
            "pickle_bytes": baseline["pickle_bytes"],
            "size_ratio": reply["size"] / baseline["pickle_bytes"],
            "capture_ms": reply["capture_ms"], "write_ms": reply["write_ms"],
            "restore_ms": restore_ms, "pickle_ms": floor_ms, "time_ratio": ours_ms / floor_ms,
        })
        out.unlink()
    return rows


def machine() -> dict:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for version in ("3.11", "3.12", "3.13"):
        python = os.environ.get(f"FRAMEMIG_PYTHON_{version.replace('.', '_')}")
        if version == f"{sys.version_info.major}.{sys.version_info.minor}":
            python = sys.executable
        if python:
            versions[version] = subprocess.run([python, "-c", "import platform;"
                                                "print(platform.python_version())"],
                                               capture_output=True, text=True).stdout.strip()
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
    return {"cpu": model, "cores": os.cpu_count(), "system": platform.platform(),
            "python": versions, "benchmarks_run_on": platform.python_version(),
            "redis": redis.stdout.split()[2] if redis.returncode == 0 else None,
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "NOT MET"


def show(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m = results["machine"]
    console.print(f"[b]framemig bench[/] on {m['cpu']} ({m['cores']} cores), "
                  f"Python {m['benchmarks_run_on']}, {m['date']}")
    table = Table(title="Run-time overhead: framemig exec vs python (time inside the program)")
    for column in ("program", "python s (median)", "exec s (median)", "ratio", "wall ratio",
                   "peak RSS ratio", "goal"):
        table.add_column(column)
    for row in results["overhead"]:
        table.add_row(row["program"], f"{row['plain_s']['median']:.3f}",
                      f"{row['exec_s']['median']:.3f}", f"{row['ratio']:.3f}",
                      f"{row['wall_ratio']:.3f}", f"{row['rss_ratio']:.2f}",
                      verdict(row["ratio"], GOALS["overhead"]))
    median = results["overhead_median_ratio"]
    table.add_row("[b]median[/]", "", "", f"[b]{median:.3f}[/]", "", "",
                  f"{verdict(median, GOALS['overhead'])} (<= {GOALS['overhead']})")
    console.print(table)
    table = Table(title="Safe-point latency: dump request to program stopped")
    for column in ("state", "median ms", "min ms", "max ms", "goal"):
        table.add_column(column)
    for row in results["latency"]:
        table.add_row(row["state"], f"{row['ms']['median']:.2f}", f"{row['ms']['min']:.2f}",
                      f"{row['ms']['max']:.2f}",
                      f"{verdict(row['ms']['median'], row['goal_ms'])} (<= {row['goal_ms']} ms)")
    console.print(table)
    table = Table(title="Snapshot vs pickle of the same state")
    for column in ("state", "snapshot", "pickle", "size ratio", "capture+write+restore ms",
                   "pickle dump+load ms", "time ratio", "goals"):
        table.add_column(column)
    for row in results["snapshots"]:
        ours = row["capture_ms"] + row["write_ms"] + row["restore_ms"]
        goals = (f"size {verdict(row['size_ratio'], GOALS['size_vs_pickle'])}, "
                 f"time {verdict(row['time_ratio'], GOALS['time_vs_pickle'])}")
        table.add_row(row["state"], f"{row['snapshot_bytes']:,}", f"{row['pickle_bytes']:,}",
                      f"{row['size_ratio']:.2f}", f"{ours:.1f}", f"{row['pickle_ms']:.1f}",
                      f"{row['time_ratio']:.1f}", goals)
    console.print(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        os.environ.update(FRAMEMIG_RUN_DIR=str(workdir / "run"),
                          FRAMEMIG_CACHE_DIR=str(workdir / "cache"))
        env = dict(os.environ)
        results = {"machine": machine(), "goals": GOALS}
        results["overhead"] = overhead(repeats, args.quick, env)
        results["overhead_median_ratio"] = statistics.median(
            row["ratio"] for row in results["overhead"])
        results["latency"] = latency(max(repeats, 3), workdir, env)
        results["snapshots"] = snapshots(args.quick, workdir, env)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    show(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
