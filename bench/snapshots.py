"""Capture and restore time and snapshot size against the floor: pickle of the same state.

The state mixes what programs hold: dicts, lists of numbers, instances of a program class,
strings and bytes. Its nominal size is the size of its pickle. The numpy rows hold one
float64 array, against np.save + np.load of it.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from common import PY, framemig_client

# One item of a state: a dict, a list, an instance of a program class, strings, bytes.
ITEM_SOURCE = """
class Reading:
    def __init__(self, n):
        self.n, self.label, self.value = n, f"sensor-{n}", n * 0.5

def item(n):
    return {"id": n, "name": f"item {n}", "values": [n, n + 1.5, n * 3],
            "reading": Reading(n), "blob": bytes(range(n % 256)) * 2}
"""

STATE_PROGRAM = """
import json, pickle, sys, time
""" + ITEM_SOURCE + """
target = int(sys.argv[1])
per_item = len(pickle.dumps([item(n) for n in range(1000)])) / 1000
state = [item(n) for n in range(max(1, int(target / per_item)))]
start = time.perf_counter()
data = pickle.dumps(state)
dumped = time.perf_counter()
pickle.loads(data)
loaded = time.perf_counter()
print(json.dumps({"pickle_bytes": len(data), "pickle_dump_ms": (dumped - start) * 1000,
                  "pickle_load_ms": (loaded - dumped) * 1000}), flush=True)
del data
time.sleep(600)
print("resumed", len(state), flush=True)
"""

# A numpy array of float64 against numpy's own floor, np.save + np.load (issue 11: numpy
# travels in a compact form, at close to memory speed).
NUMPY_PROGRAM = """
import io, json, sys, time
import numpy as np
state = np.random.default_rng(1).random(max(1, int(sys.argv[1]) // 8))
start = time.perf_counter()
buffer = io.BytesIO()
np.save(buffer, state)
dumped = time.perf_counter()
buffer.seek(0)
np.load(buffer)
loaded = time.perf_counter()
print(json.dumps({"pickle_bytes": buffer.tell(), "pickle_dump_ms": (dumped - start) * 1000,
                  "pickle_load_ms": (loaded - dumped) * 1000}), flush=True)
del buffer
time.sleep(600)
print("resumed", state.size, flush=True)
"""

SIZES = {"1 KB": 1_000, "1 MB": 1_000_000, "10 MB": 10_000_000, "100 MB": 100_000_000}
QUICK_SIZES = {"1 KB": 1_000, "100 KB": 100_000}
NUMPY_SIZES = {"numpy 100 MB": 100_000_000}
QUICK_NUMPY_SIZES = {"numpy 100 KB": 100_000}


def write_program(workdir: Path, text: str = STATE_PROGRAM, name: str = "state.py") -> Path:
    program = workdir / name
    program.write_text(text)
    return program


def _has_numpy() -> bool:
    return subprocess.run([PY, "-c", "import numpy"], capture_output=True).returncode == 0


def measure(quick: bool, workdir: Path, env, progress=None) -> list[dict]:
    client = framemig_client()
    cases = [(label, target, write_program(workdir))
             for label, target in (QUICK_SIZES if quick else SIZES).items()]
    if _has_numpy():  # np.save + np.load is the floor of these rows
        cases += [(label, target, write_program(workdir, NUMPY_PROGRAM, "array.py"))
                  for label, target in (QUICK_NUMPY_SIZES if quick else NUMPY_SIZES).items()]
    rows = []
    for label, target, program in cases:
        if progress:
            progress(f"snapshot of {label}")
        # loaded ahead, as a node does for its programs: a bare framemig exec loads the
        # capture machinery on the first request instead (about 40 ms, once)
        process = subprocess.Popen([PY, "-m", "framemig", "exec", str(program), str(target)],
                                   env=dict(env, FRAMEMIG_PRELOAD="1"),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        baseline = json.loads(process.stdout.readline())
        out = workdir / f"state-{target}.json"
        ticket = client.ask(process.pid, "exit", str(out), 600.0)
        ticket.close()
        reply = ticket.reply
        process.wait()
        report = workdir / "report.json"
        restore_env = dict(env, FRAMEMIG_REPORT=str(report))
        # --trust-unsigned: the bench asked for this capture itself (through the client
        # API, which signs nothing); the signature's cost is dump's, not restore's
        restored = subprocess.Popen([PY, "-m", "framemig", "restore", "--trust-unsigned",
                                     str(out)], env=restore_env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 600
        while not report.exists() and time.monotonic() < deadline:
            if restored.poll() is not None:
                raise RuntimeError(f"framemig restore ended: {restored.stderr.read()!r}")
            time.sleep(0.01)
        restored.kill()
        restored.wait()
        facts = json.loads(report.read_text())
        report.unlink()
        restore_ms = facts["read_ms"] + facts["restore_ms"]
        ours_ms = reply["capture_ms"] + reply["write_ms"] + restore_ms
        floor_ms = baseline["pickle_dump_ms"] + baseline["pickle_load_ms"]
        rows.append({
            "state": label, "snapshot_bytes": reply["size"],
            "pickle_bytes": baseline["pickle_bytes"],
            "size_ratio": reply["size"] / baseline["pickle_bytes"],
            "capture_ms": reply["capture_ms"], "write_ms": reply["write_ms"],
            "read_ms": facts["read_ms"], "rebuild_ms": facts["restore_ms"],
            "restore_ms": restore_ms, "pickle_dump_ms": baseline["pickle_dump_ms"],
            "pickle_load_ms": baseline["pickle_load_ms"], "pickle_ms": floor_ms,
            "time_ratio": ours_ms / floor_ms,
            **({"floor": "np.save/np.load"} if program.name == "array.py" else {}),
        })
        out.unlink()
    return rows
