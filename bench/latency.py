"""Safe-point latency: from the capture request to the program stopped at a safe point."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from common import GOALS, PY, framemig_client, spread

LATENCY_PROGRAMS = {
    "running (tight loop)": "n = 0\nwhile True:\n    n = (n + 1) % 1000003\n",
    "running (900-deep recursion)": (
        "def down(k):\n    if k == 0:\n        n = 0\n        while True:\n"
        "            n = (n + 1) % 1000003\n    return down(k - 1)\ndown(900)\n"),
    "sleeping in time.sleep": "import time\nwhile True:\n    time.sleep(10)\n",
}


def measure(repeats: int, workdir: Path, env) -> list[dict]:
    client = framemig_client()

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
