"""The seed's scene: a camera, a motion detector on a Raspberry Pi 3, and one command that
moves the detector to a Pi Zero, which carries on from the next frame.

    make demo                 # the scene and its evidence, in under a minute
    make demo DEMO_KEEP=1     # ... then leaves it running: watch it with framemig top

Three nodes stand in for the devices, each on its own CPython (camera 3.11, pi3 3.12,
pizero 3.13), on a private redis-server unless --redis names one. Everything started here
is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from interpreters import python
from rich.console import Console
from rich.table import Table

from framemig.bus import bundle, logs, protocol
from framemig.bus.protocol import Command, stream_key
from framemig.node.localfleet import LocalFleet

HERE = Path(__file__).parent
DEVICES = {"camera": "3.11", "pi3": "3.12", "pizero": "3.13"}
LINE = re.compile(r"frame\s+(\d+)\s.*\son (\S+)$")
console = Console(highlight=False)


class Scene:
    def __init__(self, fleet: LocalFleet):
        self.fleet, self.conn = fleet, fleet.conn
        self.frames: list[tuple[int, str]] = []  # (sequence number, node) as printed
        self.migrations: list[dict] = []
        self.cpu: dict[str, dict[str, float]] = {}

    def run(self, program: str, node: str, *args) -> str:
        reply = bundle.submit(self.conn, node, str(HERE / program), list(args), timeout=60)
        console.print(f"[dim]$ framemig run demo/{program} --on {node}[/]  -> {reply['id']}")
        return reply["id"]

    def follow(self, program_id: str) -> threading.Thread:
        def pump():
            pending = b""
            for stream, data, _ in logs.read(self.conn, program_id, follow=True):
                if stream != "out":
                    continue
                pending += data
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    text = line.decode(errors="replace")
                    match = LINE.search(text)
                    if match:
                        self.frames.append((int(match[1]), match[2]))
                    style = "bold red" if "ALARM" in text else ""
                    console.print(f"  {text}", style=style)
        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        return thread

    def cpu_of(self, names: list[str], seconds: float) -> dict[str, float]:
        """CPU % of each node with its programs (process tree), over ``seconds``."""
        def used(name):
            root = psutil.Process(self.fleet.nodes[name].pid)
            total = 0.0
            for process in [root, *root.children(recursive=True)]:
                try:
                    times = process.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    pass
            return total
        before = {name: used(name) for name in names}
        time.sleep(seconds)
        return {name: round((used(name) - before[name]) / seconds * 100, 1) for name in names}

    def migrate(self, program_id: str, source: str, target: str) -> dict:
        console.print(f"\n[b]$ framemig migrate {program_id} --to {target}[/]   "
                      f"({source}, CPython {DEVICES[source]} -> {target}, CPython "
                      f"{DEVICES[target]})")
        started = time.perf_counter()
        reply = protocol.send(self.conn, source, Command.MIGRATE,
                              {"program_id": program_id, "target": target, "timeout": 10},
                              timeout=120)
        reply["command_ms"] = round((time.perf_counter() - started) * 1000, 1)
        phases = reply["phases"]
        console.print(f"[b green]moved {source} -> {target}[/] in {phases['total_ms']:.0f} ms: "
                      + ", ".join(f"{k[:-3].replace('_', ' ')} {v:.1f} ms"
                                  for k, v in phases.items() if k != "total_ms") + "\n")
        self.migrations.append(reply)
        return reply

    def published(self) -> list[int]:
        entries = self.conn.xrange(stream_key("camera"))
        return [json.loads(fields[b"j"])["seq"] for _, fields in entries]


def evidence(scene: Scene, route: list[str]) -> dict:
    seqs = [seq for seq, _ in scene.frames]
    published = scene.published()
    first, last = (seqs[0], seqs[-1]) if seqs else (0, -1)
    expected = [s for s in published if first <= s <= last]
    handoffs = []
    for n in range(1, len(scene.frames)):
        (before, there), (after, here) = scene.frames[n - 1], scene.frames[n]
        if here != there:
            handoffs.append({"from": there, "to": here, "last_before": before,
                             "first_after": after})
    return {
        "route": route, "frames_processed": len(seqs), "first": first, "last": last,
        "handoffs": handoffs,
        "lost": sorted(set(expected) - set(seqs)),
        "twice": sorted({s for s in seqs if seqs.count(s) > 1}),
        "out_of_order": sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a),
        "migrations": [{"from": m["from"], "to": m["to"], "python_from": m["python_from"],
                        "python_to": m["python_to"], "size": m["size"], **m["phases"],
                        "command_ms": m["command_ms"]} for m in scene.migrations],
        "cpu": scene.cpu,
    }


def show(result: dict) -> None:
    table = Table(title="Evidence", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for n, hand in enumerate(result["handoffs"]):
        move = result["migrations"][n] if n < len(result["migrations"]) else {}
        table.add_row(f"migration {n + 1}", f"{hand['from']} -> {hand['to']} "
                      f"({move.get('python_from')} -> {move.get('python_to')}), "
                      f"snapshot {move.get('size', 0) / 1024:.1f} KB")
        table.add_row("  last frame before", f"{hand['last_before']} on {hand['from']}")
        ok = hand["first_after"] == hand["last_before"] + 1
        table.add_row("  first frame after", f"{hand['first_after']} on {hand['to']} "
                      + ("[green](the next one)[/]" if ok else "[red](NOT the next one)[/]"))
        if move:
            table.add_row("  phases", f"safe point {move['safe_point_ms']:.1f} ms, capture "
                          f"{move['capture_ms']:.1f} ms, transfer {move['transfer_ms']:.1f} ms, "
                          f"restore {move['restore_ms']:.1f} ms, switch {move['switch_ms']:.1f}"
                          f" ms; total {move['total_ms']:.1f} ms")
    table.add_row("frames processed", f"{result['frames_processed']} "
                  f"({result['first']}..{result['last']})")
    lost, twice = len(result["lost"]), len(result["twice"])
    table.add_row("frames lost", f"[{'green' if lost == 0 else 'red'}]{lost}[/]")
    table.add_row("frames processed twice", f"[{'green' if twice == 0 else 'red'}]{twice}[/]")
    for moment, figures in result["cpu"].items():
        table.add_row(f"CPU {moment}", ", ".join(f"{name} {value:.1f}%"
                                                   for name, value in figures.items()))
    console.print(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", metavar="URL", help="use this Redis (default: a private one)")
    parser.add_argument("--migrations", type=int, default=1,
                        help="moves of the detector: pi3 -> pizero, then back and forth")
    parser.add_argument("--watch", type=float, default=4.0,
                        help="seconds of detection before and after each migration")
    parser.add_argument("--json", metavar="FILE", help="also write the evidence as JSON")
    parser.add_argument("--keep", action="store_true", default=bool(os.environ.get("DEMO_KEEP")),
                        help="leave it all running until Ctrl-C (also: DEMO_KEEP=1)")
    args = parser.parse_args(argv)
    pythons = {name: python(version) for name, version in DEVICES.items()}
    workdir = tempfile.mkdtemp(prefix="framemig-demo-")
    interrupted = []

    def on_signal(signum, frame):
        interrupted.append(signum)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    console.rule("[b]framemig demo: a motion detector moves from a Pi 3 to a Pi Zero")
    fleet = None
    try:
        fleet = LocalFleet(workdir, url=args.redis)
        console.print(f"Redis: {fleet.url}" + ("" if args.redis else " (private, started here)"))
        for name in DEVICES:
            fleet.start_node(name, pythons[name], wait=False)
        for name in DEVICES:
            fleet.wait_for_node(name)
            console.print(f"node [b]{name}[/] up on CPython {DEVICES[name]}")
        scene = Scene(fleet)
        streamer = scene.run("video_streamer.py", "camera")
        detector = scene.run("motion_detector.py", "pi3")
        follower = scene.follow(detector)
        route, where = ["pi3"], "pi3"
        time.sleep(max(0.0, args.watch - 1.0))
        for n in range(args.migrations):
            target = "pizero" if where == "pi3" else "pi3"
            cpu = scene.cpu_of(["pi3", "pizero"], 1.0)
            scene.cpu.setdefault("before (pi3, pizero)" if n == 0 else f"before move {n + 1}",
                                 cpu)
            scene.migrate(detector, where, target)
            where = target
            route.append(where)
            time.sleep(max(0.0, args.watch - 1.0))
            scene.cpu["after" if n == 0 else f"after move {n + 1}"] = scene.cpu_of(
                ["pi3", "pizero"], 1.0)
        if args.keep:
            console.print(f"\n[b]Left running.[/] Watch and migrate by hand:\n"
                          f"  .venv/bin/framemig top --redis {fleet.url}\n"
                          f"Ctrl-C here stops everything.")
            while True:
                time.sleep(3600)
        protocol.send(fleet.conn, "camera", Command.KILL, {"program_id": streamer},
                      timeout=30)
        _drain(scene, detector, where)
        protocol.send(fleet.conn, where, Command.KILL, {"program_id": detector}, timeout=30)
        follower.join(timeout=10)
        result = evidence(scene, route)
        show(result)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
        good = not result["lost"] and not result["twice"] and all(
            h["first_after"] == h["last_before"] + 1 for h in result["handoffs"])
        return 0 if good else 1
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted: stopping everything the demo started[/]")
        return 130
    finally:
        if fleet is not None:
            fleet.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _drain(scene: Scene, detector: str, node: str, timeout: float = 10.0) -> None:
    """Let the detector finish the frames the streamer published before it stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        published = scene.published()
        if published and scene.frames and scene.frames[-1][0] >= published[-1]:
            return
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
