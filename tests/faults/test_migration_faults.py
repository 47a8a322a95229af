"""Issue 12: a program is never lost and never doubled. Each test stops a migration at one
step of its protocol (the node waits at a fault point: FRAMEMIG_FAULT_PAUSE, see
framemig/node/migrate.py), does something bad to one party there — kills the program,
the target's restore process, or restarts Redis empty — lets the migration go on, and
then checks that exactly one copy runs, that its output is unbroken, and that `migrate`
says what happened.

Real redis-server, real node processes, real programs (tests/programs/fleet/counter.py,
which counts until a file appears).
"""

import os
import signal
import threading

import psutil
import pytest

from tests.fleet_harness import wait_gone
from tests.harness import PROGRAMS

COUNTER = PROGRAMS / "fleet" / "counter.py"


def fault_marker(fleet, node: str, step: str):
    return fleet.workdir(node) / f"fault-{step}"


def start_migration(fleet, program_id: str, target: str) -> tuple[threading.Thread, dict]:
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(
        run=fleet.cli("migrate", program_id, "--to", target)))
    thread.start()
    return thread, result


def migration_stopped_at(env, fleet, tmp_path, step: str, node: str, target_version: str):
    """A counter running on node a, being moved to node b (on ``target_version``), with
    ``node`` stopped at fault point ``step``. Returns (program id, stop file, migrate
    thread, its result, the fault marker: unlink it to let the node go on)."""
    env.extra["FRAMEMIG_FAULT_PAUSE"] = step
    fleet.start_node("a", "3.11")
    fleet.start_node("b", target_version)
    stop = tmp_path / "stop"
    program_id = fleet.run(COUNTER, "a", stop)
    fleet.wait_lines(program_id, 3)
    thread, result = start_migration(fleet, program_id, "b")
    marker = fault_marker(fleet, node, step)
    fleet.wait_for(marker.exists, f"node {node} to stop at {step}")
    return program_id, stop, thread, result, marker


def goes_on(env, fleet, program_id: str, stop) -> None:
    """It prints two more lines where it runs now, and its whole output is unbroken."""
    before = len(fleet.output(program_id).splitlines())
    fleet.wait_lines(program_id, before + 2)
    unbroken(env, fleet, program_id, stop)


def unbroken(env, fleet, program_id: str, stop) -> None:
    """Stop the program and check its whole output is that of one uninterrupted run."""
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f", timeout=120).stdout
    steps = sum(1 for line in logs.splitlines() if line.startswith(b"step "))
    assert steps > 0, logs
    assert logs == env.plain(COUNTER, str(steps)).stdout, (logs[-400:], fleet.node_logs())


def test_program_killed_after_its_capture_still_moves(env, fleet, tmp_path):
    """The held copy dies once the snapshot is taken: the snapshot goes on to the target
    and runs there; `migrate` says it moved (it said "internal error ... No such
    process")."""
    program_id, stop, thread, result, marker = migration_stopped_at(
        env, fleet, tmp_path, "source-captured", "a", "3.12")
    pid = fleet.program(program_id)["pid"]
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid)
    marker.unlink()
    thread.join()
    moved = result["run"]
    assert moved.returncode == 0, (moved, fleet.node_logs())
    fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("node") == "b",
                   "the program to run on b")
    goes_on(env, fleet, program_id, stop)


def test_target_copy_killed_when_ready_rolls_back(env, fleet, tmp_path):
    """The target's restored copy dies after it said ready: the source's copy goes on
    (it was lost, and `migrate` said "moved")."""
    program_id, stop, thread, result, marker = migration_stopped_at(
        env, fleet, tmp_path, "target-ready", "b", "3.13")
    node_b = psutil.Process(fleet.nodes["b"].pid)
    restores = [child for child in node_b.children(recursive=True)
                if "restore" in " ".join(child.cmdline())]
    assert restores, "no restore process on b"
    for child in restores:  # the copy, and the standby for the next one
        child.kill()
    assert all(wait_gone(child.pid) for child in restores)
    marker.unlink()
    thread.join()
    moved = result["run"]
    assert moved.returncode == 85, (moved, fleet.node_logs())
    assert b"goes on on a" in moved.stderr, moved
    record = fleet.program(program_id)
    assert record["node"] == "a" and record["status"] == "running", record
    goes_on(env, fleet, program_id, stop)


def test_redis_restarted_empty_mid_migration_rolls_back(env, fleet, server, tmp_path):
    """Redis restarts, empty, while the target holds its ready copy: the migration is
    forgotten; the target drops its copy (it never ran), the source learns from the
    target's own record that it has none and goes on, and the fleet knows the program
    again (it was frozen 600 s, then two copies ran)."""
    program_id, stop, thread, result, marker = migration_stopped_at(
        env, fleet, tmp_path, "target-ready", "b", "3.12")
    server.stop()
    server.start()
    marker.unlink()
    thread.join()
    moved = result["run"]
    assert moved.returncode != 0, (moved, fleet.node_logs())
    fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("status") == "running",
                   "the program to be known again, running on a", timeout=30)
    assert fleet.program(program_id)["node"] == "a"
    before = len(fleet.output(program_id).splitlines())
    fleet.wait_lines(program_id, before + 2)
    stop.touch()
    fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("status") == "exited",
                   "the program to end on a")


def test_a_command_against_a_frozen_redis_fails_in_time(fleet, server):
    """A frozen redis-server accepts connections and never answers: a command says so
    (78) within its timeout instead of hanging (it hung past 30 s)."""
    server.process.send_signal(signal.SIGSTOP)
    try:
        listed = fleet.cli("ps", timeout=60)
    finally:
        server.process.send_signal(signal.SIGCONT)
    assert listed.returncode == 78, listed
    assert listed.stderr.decode().count("\n") == 1, listed


SLOW = os.environ.get("FRAMEMIG_FAULTS_SLOW") == "1"


@pytest.mark.skipif(not SLOW, reason="make test-faults only")
@pytest.mark.timeout(900)
def test_thirty_two_migrations_at_once_to_one_node(env, fleet, tmp_path):
    """32 programs moved to one node at the same moment all arrive (14 of 32 used to be
    rolled back: the target's adopt timed out), each once."""
    fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.12")
    stop = tmp_path / "stop"
    programs = [fleet.run(COUNTER, "a", stop) for _ in range(32)]
    results: dict = {}
    threads = [threading.Thread(target=lambda p=p: results.update(
        {p: fleet.cli("migrate", p, "--to", "b", "--timeout", "60", timeout=600)}))
        for p in programs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = {p: r for p, r in results.items() if r.returncode != 0}
    assert not failed, (list(failed.values())[:2], fleet.node_logs())
    assert {fleet.program(p)["node"] for p in programs} == {"b"}
    stop.touch()
    for program_id in programs:
        logs = fleet.cli("logs", program_id, "-f", timeout=120).stdout
        steps = sum(1 for line in logs.splitlines() if line.startswith(b"step "))
        assert logs == env.plain(COUNTER, str(steps)).stdout, logs[-300:]
