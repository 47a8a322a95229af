"""Issue 12: checkpoints, failover when a node dies, fencing, drain, and programs'
lifecycle as ps tells it. Real redis-server, real node processes, real programs."""

import json
import os
import signal

import psutil

from tests.fleet_harness import wait_gone
from tests.harness import PROGRAMS

FLEET = PROGRAMS / "fleet"
COUNTER = FLEET / "counter.py"


def checkpointed(fleet, program_id: str, count: int = 1) -> dict:
    """Wait until the program has had ``count`` checkpoints; its facts."""
    def facts():
        found = (fleet.program(program_id) or {}).get("checkpoint") or {}
        return found if found.get("count", 0) >= count else None
    return fleet.wait_for(facts, f"{program_id}'s checkpoint {count}", timeout=60)


def unbroken(env, fleet, program_id: str, stop) -> bytes:
    """Stop the counter; its output, replayed spans left out, is one uninterrupted run's."""
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f", timeout=120)
    steps = sum(1 for line in logs.stdout.splitlines() if line.startswith(b"step "))
    assert steps > 0, logs
    assert logs.stdout == env.plain(COUNTER, str(steps)).stdout, (logs, fleet.node_logs())
    return logs.stderr


def copies(program_id_pid_cmd: str) -> list[int]:
    """PIDs of the processes running the counter whose stop file is named so."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            line = " ".join(process.info["cmdline"] or [])
        except psutil.Error:
            continue
        if program_id_pid_cmd in line and process.status() != psutil.STATUS_ZOMBIE:
            found.append(process.pid)
    return found


def test_a_dead_node_s_program_resumes_from_its_checkpoint(env, fleet, tmp_path):
    """Node a is SIGKILLed: b (the only other node) resumes the counter from its last
    checkpoint, on another CPython; ps says so; logs show one unbroken count with the
    failover marked; nothing of a's copy survives."""
    doomed = fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.12")
    stop = tmp_path / "stop"
    program_id = fleet.run(COUNTER, "a", stop)
    assert fleet.cli("run", "--help").returncode == 0
    checkpoint = json.loads(fleet.cli("checkpoint", program_id, "--json").stdout)
    assert checkpoint["ok"] and checkpoint["size"] > 0, checkpoint
    fleet.wait_lines(program_id, 5)
    pid = fleet.program(program_id)["pid"]
    doomed.kill()
    assert wait_gone(pid), "a program outlived its node"
    resumed = fleet.wait_for(
        lambda: (p := fleet.program(program_id)) and p["node"] == "b" and
        p["status"] == "running" and p, "the program to resume on b", timeout=60)
    assert resumed["recovered"]["from"] == "a", resumed
    table = fleet.cli("ps").stdout.decode()
    assert "resumed from checkpoint" in table and "(a died)" in table, table
    before = len(fleet.output(program_id).splitlines())
    fleet.wait_lines(program_id, before + 2)
    told = unbroken(env, fleet, program_id, stop)
    assert b"node a died; resumed on b from a checkpoint" in told, told


def test_periodic_checkpoints_and_a_failover_without_one(env, fleet, tmp_path):
    """--checkpoint-every makes checkpoints by itself; a program with checkpoints off whose
    node dies is reported lost — by ps, by kill (80) and in its logs — never "running";
    rm forgets it."""
    doomed = fleet.start_node("a")
    fleet.start_node("b")
    kept = fleet.run_with(COUNTER, "a", tmp_path / "stop1", "--checkpoint-every", "0.5s")
    unkept = fleet.run_with(COUNTER, "a", tmp_path / "stop2", "--checkpoint-every", "0")
    checkpointed(fleet, kept, 2)
    assert not (fleet.program(unkept) or {}).get("checkpoint")
    doomed.kill()
    fleet.wait_for(lambda: (fleet.program(unkept) or {}).get("status") == "lost",
                   "the program without a checkpoint to be lost", timeout=60)
    fleet.wait_for(lambda: (fleet.program(kept) or {}).get("node") == "b",
                   "the checkpointed program to resume on b", timeout=60)
    told = fleet.cli("kill", unkept)
    assert told.returncode == 80 and b"is lost: node a died and the program had no " \
        b"checkpoint" in told.stderr, told
    assert b"the program is lost" in fleet.cli("logs", unkept).stderr
    removed = fleet.cli("rm", unkept)
    assert removed.returncode == 0, removed
    assert fleet.program(unkept) is None
    assert fleet.cli("logs", unkept).returncode == 81


def test_a_frozen_node_is_fenced_and_its_copy_ends_when_it_wakes(env, fleet, tmp_path):
    """Node a is SIGSTOPped (its programs are not): its fence stops the program before
    a's lease runs out, b resumes it, and when a wakes its copy ends — never two copies
    running."""
    frozen = fleet.start_node("a")
    fleet.start_node("b")
    stop = tmp_path / "stop"
    program_id = fleet.run_with(COUNTER, "a", stop, "--checkpoint-every", "0.5s")
    checkpointed(fleet, program_id)
    pid = fleet.program(program_id)["pid"]
    frozen.send_signal(signal.SIGSTOP)
    try:
        fleet.wait_for(lambda: psutil.Process(pid).status() == psutil.STATUS_STOPPED,
                       "the fence to stop a's copy", timeout=30)
        fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("node") == "b",
                       "b to resume it", timeout=60)
        assert psutil.Process(pid).status() == psutil.STATUS_STOPPED  # still: one copy
    finally:
        frozen.send_signal(signal.SIGCONT)
    assert wait_gone(pid, timeout=30), "the superseded copy went on"
    before = len(fleet.output(program_id).splitlines())
    fleet.wait_lines(program_id, before + 2)
    unbroken(env, fleet, program_id, stop)


def test_drain_moves_every_program_and_cordons(env, fleet, tmp_path):
    fleet.start_node("a")
    fleet.start_node("b")
    fleet.start_node("c", "3.12")
    stops = [tmp_path / f"stop{n}" for n in range(3)]
    ids = [fleet.run(COUNTER, "a", stop) for stop in stops]
    drained = fleet.cli("drain", "a")
    assert drained.returncode == 0, (drained, fleet.node_logs())
    assert b"a drained: 3 program(s) moved" in drained.stdout, drained
    where = {p["id"]: p["node"] for p in fleet.programs()}
    assert all(where[i] in ("b", "c") for i in ids), where
    assert {where[i] for i in ids} == {"b", "c"}, where  # spread
    fleet.wait_for(lambda: {n["name"]: n["status"] for n in fleet.node_records()}["a"]
                   == "cordoned", "a to show as cordoned")
    refused = fleet.cli("run", COUNTER, "--on", "a", "--", tmp_path / "x")
    assert refused.returncode == 83 and b"cordoned" in refused.stderr, refused
    chosen = json.loads(fleet.cli("run", COUNTER, "--json", "--", tmp_path / "x").stdout)
    assert chosen["node"] != "a", chosen
    assert fleet.cli("uncordon", "a").returncode == 0
    fleet.wait_for(lambda: {n["name"]: n["status"] for n in fleet.node_records()}["a"]
                   == "up", "a to take programs again")
    moved = json.loads(fleet.cli("migrate", ids[0], "--json").stdout)  # no --to: the best
    assert moved["ok"] and moved["to"] != moved["from"], moved
    for program_id, stop in zip(ids, stops):
        unbroken(env, fleet, program_id, stop)
    (tmp_path / "x").touch()


def test_first_sigterm_drains_to_another_node(env, fleet, tmp_path):
    node = fleet.start_node("a")
    fleet.start_node("b")
    stop = tmp_path / "stop"
    program_id = fleet.run(COUNTER, "a", stop)
    fleet.wait_lines(program_id, 3)
    node.send_signal(signal.SIGTERM)
    assert node.wait(timeout=60) == 0, fleet.node_logs()
    assert fleet.program(program_id)["node"] == "b"
    unbroken(env, fleet, program_id, stop)


def test_sigterm_with_nowhere_to_go_ends_programs_gently(env, fleet, tmp_path):
    """The only node stops: its program's finally blocks and atexit handlers run, and
    what the program started ends with it."""
    node = fleet.start_node("alone")
    program_id = fleet.run(FLEET / "graceful.py", "alone", tmp_path / "stop")
    fleet.wait_for(lambda: b"child" in fleet.output(program_id), "the child to start")
    child = int(fleet.output(program_id).split(b"child ")[1].split()[0])
    node.send_signal(signal.SIGTERM)
    assert node.wait(timeout=60) == 0
    output = fleet.output(program_id)
    assert b"finally ran" in output and b"atexit ran" in output, output
    assert wait_gone(child), "the program's child outlived it"


def test_a_killed_node_s_grandchildren_die_too(env, fleet, tmp_path):
    node = fleet.start_node("a")
    program_id = fleet.run(FLEET / "graceful.py", "a", tmp_path / "stop")
    fleet.wait_for(lambda: b"child" in fleet.output(program_id), "the child to start")
    child = int(fleet.output(program_id).split(b"child ")[1].split()[0])
    node.kill()
    assert wait_gone(child), "a grandchild outlived its node"


def test_ps_keeps_ended_programs_and_rm_forgets_them(env, fleet, tmp_path):
    fleet.start_node("a")
    stop = tmp_path / "stop"
    program_id = fleet.run(COUNTER, "a", stop)
    refused = fleet.cli("rm", program_id)
    assert refused.returncode == 83 and b"kill it first" in refused.stderr, refused
    stop.touch()
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "exited", "the exit")
    assert b"exited (0)" in fleet.cli("ps").stdout
    assert fleet.cli("rm", program_id).returncode == 0
    assert fleet.program(program_id) is None
    assert os.path.exists(stop)
