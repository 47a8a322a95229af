"""The local demo: one program captured twice and carried across three CPython versions.

    make demo

1. runs demo/sensor_loop.py under `framemig exec` on CPython 3.11;
2. `framemig dump`s it while it sleeps inside a generator, mid-loop;
3. shows the snapshot with `framemig inspect`;
4. restores it on CPython 3.13, dumps it again, restores it on CPython 3.12;
5. checks that the three pieces of output, end to end, equal an uninterrupted run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from interpreters import python
from rich.console import Console
from rich.rule import Rule

from framemig import keys

HERE = Path(__file__).parent
PROGRAM = HERE / "sensor_loop.py"
console = Console()


def framemig(version: str, *args):
    return [python(version), "-m", "framemig", *map(str, args)]


def run_for(version: str, args: list, seconds: float, snapshot: Path) -> bytes:
    """Start a framemig command, let it run ``seconds``, dump it, return its output."""
    console.print(f"[dim]$ framemig {' '.join(map(str, args))}   (CPython {version})[/]")
    process = subprocess.Popen(framemig(version, *args), stdout=subprocess.PIPE)
    output = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        console.print("  " + line.decode().rstrip(), highlight=False)
    console.print(f"[dim]$ framemig dump {process.pid} -o {snapshot.name}[/]")
    dump = subprocess.run(framemig(version, "dump", process.pid, "-o", snapshot),
                          capture_output=True, text=True)
    console.print(f"  [green]{dump.stdout.strip()}[/]" if dump.returncode == 0
                  else f"  [red]{dump.stderr.strip()}[/]")
    rest = process.communicate()[0]
    for line in rest.decode().splitlines():
        console.print("  " + line, highlight=False)
    output.append(rest)
    return b"".join(output)


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        os.environ["FRAMEMIG_RUN_DIR"] = str(work / "run")
        if not os.environ.get(keys.KEY_ENV):  # a key of its own signs the snapshots
            os.environ[keys.KEY_ENV] = keys.generate(str(work / "demo.key")).path
        console.print(Rule("1. run on CPython 3.11, capture it mid-loop"))
        first = run_for("3.11", ["exec", PROGRAM], 0.8, work / "hop1.json")
        console.print(Rule("2. what the snapshot holds"))
        subprocess.run(framemig("3.11", "inspect", work / "hop1.json"))
        console.print(Rule("3. continue on CPython 3.13, capture it again"))
        second = run_for("3.13", ["restore", work / "hop1.json"], 0.8, work / "hop2.json")
        console.print(Rule("4. continue on CPython 3.12 to the end"))
        console.print("[dim]$ framemig restore hop2.json   (CPython 3.12)[/]")
        third = subprocess.run(framemig("3.12", "restore", work / "hop2.json"),
                               capture_output=True).stdout
        for line in third.decode().splitlines():
            console.print("  " + line, highlight=False)
        console.print(Rule("5. evidence"))
        plain = subprocess.run([sys.executable, str(PROGRAM)], capture_output=True).stdout
        same = first + second + third == plain
        console.print(f"exec + restore + restore output == uninterrupted run: "
                      f"{'[green]yes[/]' if same else '[red]NO[/]'} "
                      f"({len((first + second + third).splitlines())} lines)")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
