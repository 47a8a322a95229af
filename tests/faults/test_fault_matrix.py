"""Issue 12, the whole matrix: every step of the migration protocol × every party that
can fail there. A migration from node a (3.11) to node b (3.12) is stopped at one step
(FRAMEMIG_FAULT_PAUSE); one party is killed there — the source node, the target node,
the target's restore process, the program's copy — or redis-server restarts empty; then
the migration goes on. Node c (3.13) stands by to take over from a checkpoint.

Whatever happened, afterwards:
- exactly one copy of the program counts (tests/programs/fleet/counter.py appends its
  process id at each step: one writer, never two), or the program is honestly reported
  ended (only where the fault killed the program itself) — never lost while a checkpoint
  exists, never two;
- `migrate` told the truth: success only if the program did move, otherwise one line
  and never "internal error" (77);
- `logs` reads as one uninterrupted run (replays after a failover are marked and left
  out), except after Redis lost everything.

`make test` runs one cell per party (FRAMEMIG_FAULTS_SLOW unset); `make test-faults` runs
every cell.
"""

import os
import signal
import threading

import psutil
import pytest

from tests.faults.common import SLOW, WITNESS, uninterrupted, writers
from tests.fleet_harness import wait_gone

STEPS = ("source-captured", "target-ready", "target-committed", "target-running")
FAULTS = ("kill-source-node", "kill-target-node", "kill-target-restore", "kill-program",
          "restart-redis")
SHORT = {("kill-source-node", "target-ready"), ("kill-target-node", "target-running"),
         ("kill-target-restore", "target-committed"), ("kill-program", "source-captured"),
         ("restart-redis", "target-committed")}
ENDED = ("exited", "failed", "killed")


def cells() -> list:
    return [pytest.param(fault, step, id=f"{fault}@{step}",
                         marks=[] if SLOW or (fault, step) in SHORT else
                         [pytest.mark.skip(reason="make test-faults only")])
            for fault in FAULTS for step in STEPS]


def restores_on(fleet, node: str) -> list[psutil.Process]:
    return [child for child in psutil.Process(fleet.nodes[node].pid).children(recursive=True)
            if "restore" in " ".join(child.cmdline())]


def inflict(fault: str, fleet, server, program_id: str) -> None:
    if fault == "kill-source-node":
        fleet.nodes["a"].kill()
    elif fault == "kill-target-node":
        fleet.nodes["b"].kill()
    elif fault == "kill-target-restore":
        doomed = restores_on(fleet, "b")
        for child in doomed:
            child.kill()
        assert all(wait_gone(child.pid) for child in doomed)
    elif fault == "kill-program":
        pid = (fleet.program(program_id) or {}).get("pid")
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            assert wait_gone(pid)
    elif fault == "restart-redis":
        server.stop()
        server.start()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("fault, step", cells())
def test_one_fault_at_one_step(env, fleet, server, tmp_path, fault, step):
    env.extra["FRAMEMIG_FAULT_PAUSE"] = step
    fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.12")
    fleet.start_node("c", "3.13")
    stop = tmp_path / "stop"
    program_id = fleet.run_with(WITNESS, "a", stop, "--checkpoint-every", "1s")
    fleet.wait_for(lambda: ((fleet.program(program_id) or {}).get("checkpoint") or {})
                   .get("count", 0) >= 1, "a first checkpoint")
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(
        run=fleet.cli("migrate", program_id, "--to", "b", timeout=300)))
    thread.start()
    paused_at = "a" if step.startswith("source") else "b"
    marker = fleet.workdir(paused_at) / f"fault-{step}"
    fleet.wait_for(marker.exists, f"node {paused_at} to stop at {step}")
    inflict(fault, fleet, server, program_id)
    marker.unlink()
    thread.join(timeout=400)
    assert not thread.is_alive(), "migrate did not end"
    told = result["run"]
    context = (fault, step, told, fleet.node_logs())
    assert told.returncode != 77, context
    if told.returncode != 0:
        assert told.stderr.decode().count("\n") == 1 and b"Traceback" not in told.stderr, \
            context

    def settled():
        record = fleet.program(program_id) or {}
        if record.get("status") in ENDED + ("lost",):
            return record
        if record.get("status") == "running" and record.get("node") in fleet.names():
            return record
        return None
    record = fleet.wait_for(settled, "the program to settle", timeout=120)
    if record["status"] != "running":
        # only a fault that killed the program itself may end it; lost never (checkpoints)
        assert fault == "kill-program" and record["status"] in ENDED, (record, context)
        assert told.returncode != 0 or record.get("migrations", 0) >= 1, (record, context)
        return
    assert len(writers(stop)) == 1, ("two copies count", record, context)
    if told.returncode == 0:
        assert record.get("migrations", 0) >= 1, ("'moved' but it never did", record,
                                                   context)
    stop.touch()
    fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("status") == "exited",
                   "the program to end", timeout=120)
    if fault == "restart-redis":
        return  # its earlier output went with Redis
    logs = fleet.cli("logs", program_id).stdout
    steps = sum(1 for line in logs.splitlines() if line.startswith(b"step "))
    assert logs == uninterrupted(steps), (logs[-600:], context)

