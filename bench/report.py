"""The one table of a bench run: every figure beside its baseline and its goal, printed
with rich and written as Markdown (bench/results.md) for the README."""

from __future__ import annotations

from common import GOALS, HERE, framemig_client

framemig_client()  # this checkout's framemig on the path
from framemig.units import size as _size  # noqa: E402

COLUMNS = ("figure", "framemig", "baseline", "ratio", "goal", "verdict", "detail")


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "NOT MET"


def _ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.1f} s"


def _range(spread: dict, scale: float = 1.0, unit: str = "") -> str:
    return f"{spread['min'] * scale:.2f}-{spread['max'] * scale:.2f}{unit} (n={spread['n']})"


def rows(results: dict) -> list[tuple]:
    out = []
    for row in results.get("overhead", []):
        out.append((f"run time: {row['program']}", f"{row['exec_s']['median'] * 1000:.1f} ms",
                    f"{row['plain_s']['median'] * 1000:.1f} ms", f"{row['ratio']:.3f}x",
                    f"<= {GOALS['overhead']}x", verdict(row["ratio"], GOALS["overhead"]),
                    f"per loop; exec {_range(row['exec_s'], 1000, ' ms')}; "
                    f"peak RSS {row['exec_rss_kb'] / 1024:.1f} vs "
                    f"{row['plain_rss_kb'] / 1024:.1f} MB"))
    if "overhead_median_ratio" in results:
        ratio = results["overhead_median_ratio"]
        out.append(("run time: median of all", "", "", f"{ratio:.3f}x",
                    f"<= {GOALS['overhead']}x", verdict(ratio, GOALS["overhead"]),
                    f"{len(results['overhead'])} pyperformance programs"))
        ratio = results["overhead_median_rss_ratio"]
        out.append(("peak memory (RSS): median", "", "", f"{ratio:.3f}x",
                    f"<= {GOALS['rss']}x", verdict(ratio, GOALS["rss"]),
                    "framemig's own modules, loaded at start"))
    for row in results.get("latency", []):
        ms = row["ms"]
        out.append((f"safe point: {row['state']}", f"{ms['median']:.2f} ms", "", "",
                    f"<= {row['goal_ms']:g} ms", verdict(ms["median"], row["goal_ms"]),
                    f"request to stopped; {_range(ms, unit=' ms')}"))
    for row in results.get("snapshots", []):
        ours = row["capture_ms"] + row["write_ms"] + row["restore_ms"]
        out.append((f"capture+restore: {row['state']}", _ms(ours), _ms(row["pickle_ms"]),
                    f"{row['time_ratio']:.1f}x", f"<= {GOALS['time_vs_pickle']}x",
                    verdict(row["time_ratio"], GOALS["time_vs_pickle"]),
                    f"capture {_ms(row['capture_ms'])}, write {_ms(row['write_ms'])}, "
                    f"read {_ms(row['read_ms'])}, rebuild {_ms(row['rebuild_ms'])}; "
                    f"{row.get('floor', 'pickle dumps/loads')} {_ms(row['pickle_dump_ms'])}"
                    f"/{_ms(row['pickle_load_ms'])}"))
        out.append((f"snapshot size: {row['state']}", _size(row["snapshot_bytes"]),
                    _size(row["pickle_bytes"]), f"{row['size_ratio']:.2f}x",
                    f"<= {GOALS['size_vs_pickle']}x",
                    verdict(row["size_ratio"], GOALS["size_vs_pickle"]),
                    f"JSON vs {row.get('floor', 'pickle').split()[0]}"))
    for n, row in enumerate(results.get("migration", [])):
        phases = row["phases"]
        goal = GOALS["migration_small_ms"]
        steps = ", ".join(f"{p[:-3].replace('_', ' ')} {_ms(phases[p]['median'])}"
                          for p in phases if p != "total_ms")
        for how, what in (("connected_ms", "from a connected client, as framemig top"),
                          ("typed_ms", "as typed: a new framemig migrate process")):
            ms = row[how]["median"]
            out.append((f"migration: {row['state']} state, {what}", _ms(ms), "", "",
                        f"<= {goal:g} ms" if n == 0 else "",
                        verdict(ms, goal) if n == 0 else "",
                        f"command to running on the target; snapshot "
                        f"{_size(row['snapshot_bytes'])}; on the nodes "
                        f"{_ms(phases['total_ms']['median'])}: {steps}"
                        if how == "connected_ms" else
                        f"the same, plus starting Python and importing the CLI and redis-py; "
                        f"{_range(row[how], unit=' ms')}"))
    for n, row in enumerate(results.get("checkpoints", [])):
        ms, goal = row["pause_ms"], GOALS.get("checkpoint_small_ms", 5.0)
        out.append((f"checkpoint pause: {row['state']} state", _ms(ms["median"]), "", "",
                    f"<= {goal:g} ms" if n == 0 else "",
                    verdict(ms["median"], goal) if n == 0 else "",
                    f"the program stands still (capture, write, drain); snapshot "
                    f"{_size(row['snapshot_bytes'])}; {_range(ms, unit=' ms')}"))
    for row in results.get("fleet", []):
        seconds = row["s"]["median"]
        out.append((f"fleet of {row['nodes']:,} nodes: {row['what']}", f"{seconds:.3f} s", "",
                    "", f"< {GOALS['fleet_s']:g} s", verdict(seconds, GOALS["fleet_s"]),
                    f"{row['programs']:,} programs; {_range(row['s'], unit=' s')}"))
    return out


def title(results: dict) -> str:
    m = results["machine"]
    versions = ", ".join(f"{v}" for v in m["python"].values())
    return (f"framemig bench, {m['date']}: {m['cpu']}, {m['cores']} cores, {m['system']}; "
            f"CPython {m['benchmarks_run_on']} (also {versions}); Redis {m['redis']}; "
            f"{results.get('seconds', 0):.0f} s")


def markdown(results: dict) -> str:
    lines = [title(results), "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for row in rows(results):
        cells = [f"**{c}**" if c == "NOT MET" else c for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def show(results: dict, publish: bool = True) -> None:
    """The table on the terminal; with ``publish`` (a full run), in results.md and the
    README as well."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title(results), title_justify="left")
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows(results):
        table.add_row(*row[:5], "[bold red]NOT MET[/]" if row[5] == "NOT MET" else row[5],
                      row[6])
    Console(width=max(160, Console().width)).print(table)
    if publish and not results.get("quick"):
        table = markdown(results)
        (HERE / "results.md").write_text(table)
        _into_readme(table)


def _into_readme(table: str) -> None:
    """The README shows the latest full run: between its bench markers goes the table."""
    readme = HERE.parent / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->\n", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        readme.write_text(head + start + table + rest[rest.index(end):])
