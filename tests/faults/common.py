"""What the fault tests share: the counter program, and how to tell how many copies of
it count and whether its output is that of one uninterrupted run."""

import os
import time

from tests.harness import PROGRAMS

WITNESS = PROGRAMS / "fleet" / "counter.py"  # it says which process counts
SLOW = os.environ.get("FRAMEMIG_FAULTS_SLOW") == "1"


def writers(stop, lines: int = 20, timeout: float = 60.0) -> set[int]:
    """The process ids that counted during the next ``lines`` steps."""
    pids = f"{stop}.pids"
    start = os.path.getsize(pids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(pids) as handle:
            handle.seek(start)
            fresh = handle.read().splitlines()
        if len(fresh) > lines:
            return {int(pid) for pid in fresh[:-1]}
        time.sleep(0.05)
    raise AssertionError(f"nothing counted for {timeout} s")


def uninterrupted(steps: int) -> bytes:
    """counter.py's output for ``steps`` steps (what running it for that long prints)."""
    lines, total = [], 0
    for n in range(steps):
        total += n * n
        lines.append(f"step {n} {total}\n")
    return ("".join(lines) + f"done {total}\n").encode()
