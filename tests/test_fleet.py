"""The fleet: node daemons on a real Redis, programs run, watched, paused and migrated
between nodes on different CPython versions, and the ways a migration can fail.

The programs run until the test tells them to stop (a file appears), so a slow machine
cannot make one end before a command reaches it; the tests wait for what they need to
see (a line printed, a state reached), never for a fixed time.
"""

import json
import os
import signal
import subprocess
import threading
import time

import pytest
import redis

from framemig.bus import protocol
from tests.fleet_harness import Fleet, RedisServer, wait_gone
from tests.harness import PROGRAMS

FLEET = PROGRAMS / "fleet"


def plain_output(env, program, *args):
    return env.plain(program, *args).stdout


def uninterrupted(env, program, output: bytes) -> bytes:
    """What ``program`` (counter.py, bigstate.py) prints run plainly for as many steps as
    ``output`` shows: a moved program must have printed exactly that."""
    steps = sum(1 for line in output.splitlines() if line.startswith((b"step ", b"tick ")))
    assert steps > 0, output
    return plain_output(env, program, str(steps))


def logged_lines(fleet, program_id) -> list[dict]:
    """The program's whole output as JSON log entries, once it has ended."""
    return [json.loads(line) for line in fleet.cli("logs", program_id, "-f", "--json")
            .stdout.splitlines()]


def test_nodes_register_with_their_facts(fleet):
    fleet.start_node("pi3", "3.11", "--label", "room=kitchen")
    fleet.start_node("zero", "3.13")
    records = {n["name"]: n for n in fleet.node_records()}
    assert records["pi3"]["python"].endswith("3.11.7") or "3.11" in records["pi3"]["python"]
    assert "3.13" in records["zero"]["python"]
    assert records["pi3"]["labels"] == {"room": "kitchen"}
    for record in records.values():
        assert record["cpus"] >= 1 and record["memory_total"] > 0
        assert {"host", "os", "arch", "started", "cpu_percent", "memory_percent"} <= set(record)
    shown = fleet.cli("nodes")
    assert b"pi3" in shown.stdout and b"room=kitchen" in shown.stdout


def test_run_ps_and_logs(env, fleet, tmp_path):
    fleet.start_node("a", "3.11")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "counter.py", "a", stop)
    record = fleet.program(program_id)
    assert record["node"] == "a" and record["name"] == "counter.py"
    assert record["migrations"] == 0 and record["pid"]
    fleet.wait_lines(program_id, 3)
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f")
    assert logs.stdout == uninterrupted(env, FLEET / "counter.py", logs.stdout)
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "exited", "exit")
    assert fleet.program(program_id)["exit_code"] == 0
    assert b"exited (0)" in fleet.cli("ps").stdout


def test_migrate_across_three_versions(env, fleet, tmp_path):
    fleet.start_node("n311", "3.11")
    fleet.start_node("n312", "3.12")
    fleet.start_node("n313", "3.13")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "counter.py", "n311", stop)
    printed = fleet.wait_lines(program_id, 3)
    first = fleet.cli("migrate", program_id, "--to", "n312", "--json")
    assert first.returncode == 0, (first, fleet.node_logs())
    reply = json.loads(first.stdout)
    assert reply["to"] == "n312" and reply["size"] > 0
    assert "3.11" in reply["python_from"] and "3.12" in reply["python_to"]
    assert set(reply["phases"]) >= {"safe_point_ms", "capture_ms", "transfer_ms",
                                    "restore_ms", "total_ms"}
    fleet.wait_lines(program_id, printed + 3)  # it runs on n312
    second = fleet.cli("migrate", program_id, "--to", "n313")
    assert second.returncode == 0, (second, fleet.node_logs())
    assert b"restore" in second.stdout and b"n312 -> n313" in second.stdout
    record = fleet.program(program_id)
    assert record["node"] == "n313" and record["migrations"] == 2
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f")
    assert logs.stdout == uninterrupted(env, FLEET / "counter.py", logs.stdout)
    assert {e["node"] for e in logged_lines(fleet, program_id) if e["stream"] == "out"} == \
        {"n311", "n312", "n313"}
    history = json.loads(fleet.server.client().get(protocol.program_key(program_id)))["history"]
    assert [(h["from"], h["to"]) for h in history] == [("n311", "n312"), ("n312", "n313")]


def test_pause_and_resume(env, fleet, tmp_path):
    fleet.start_node("a")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "counter.py", "a", stop)
    paused = fleet.cli("pause", program_id)
    assert paused.returncode == 0 and b"paused on a at counter.py" in paused.stdout
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "paused", "paused status")
    before = fleet.output(program_id)
    time.sleep(0.6)  # not a wait for something: the time in which nothing may happen
    assert fleet.output(program_id) == before  # it does not move while paused
    assert fleet.cli("resume", program_id).returncode == 0
    fleet.wait_lines(program_id, len(before.splitlines()) + 2)
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f")
    assert logs.stdout == uninterrupted(env, FLEET / "counter.py", logs.stdout)


def test_a_paused_program_can_be_migrated(env, fleet, tmp_path):
    """... and stays paused where it arrives (it used to go on by itself), twice over: the
    second move sends on the snapshot it came in, as it has not run since."""
    fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.13")
    fleet.start_node("c", "3.12")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "counter.py", "a", stop)
    fleet.wait_lines(program_id, 2)
    assert fleet.cli("pause", program_id).returncode == 0
    printed = len(fleet.output(program_id).splitlines())
    for target in ("b", "c"):
        moved = fleet.cli("migrate", program_id, "--to", target)
        assert moved.returncode == 0, (moved, fleet.node_logs())
        record = fleet.program(program_id)
        assert (record["node"], record["status"]) == (target, "paused"), record
    assert len(fleet.output(program_id).splitlines()) == printed  # it never ran meanwhile
    assert fleet.cli("pause", program_id).returncode == 0  # paused already: said alike
    assert fleet.cli("resume", program_id).returncode == 0
    fleet.wait_lines(program_id, printed + 2)  # on c
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f")
    assert logs.stdout == uninterrupted(env, FLEET / "counter.py", logs.stdout)


def test_rollback_when_the_target_refuses(env, fleet, tmp_path):
    fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.12")
    lines = "".join(f"line {n}\n" for n in range(10))
    reference = tmp_path / "reference.txt"
    reference.write_text(lines + "stop\n")
    want = plain_output(env, FLEET / "file_reader.py", str(reference))
    data = tmp_path / "lines.txt"
    data.write_text(lines)
    writer = data.open("a")
    program_id = fleet.run(FLEET / "file_reader.py", "a", str(data))
    fleet.wait_lines(program_id, 1)  # it has the file open
    data.unlink()  # the open file cannot be opened again on the target
    moved = fleet.cli("migrate", program_id, "--to", "b")
    assert moved.returncode == 85, moved
    assert b"refused by b" in moved.stderr and b"goes on on a" in moved.stderr
    record = fleet.program(program_id)
    assert record["node"] == "a" and record["status"] == "running"
    writer.write("stop\n")  # to the file it still has open
    writer.close()
    logs = logged_lines(fleet, program_id)
    text = "".join(entry["text"] for entry in logs if entry["stream"] == "out")
    assert text.encode() == want, (logs[-3:], fleet.node_logs())


@pytest.mark.timeout(900)  # capturing and sending a big state takes minutes when starved
def test_rollback_when_the_target_dies_during_restore(env, fleet, tmp_path):
    fleet.start_node("a", "3.11")
    target = fleet.start_node("b", "3.13")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "bigstate.py", "a", stop)
    result = {}
    migrate = threading.Thread(
        target=lambda: result.update(run=fleet.cli("migrate", program_id, "--to", "b")))
    migrate.start()

    # the snapshot written where b restores it (b's standby restore process is there
    # all along, so it is no sign)
    fleet.wait_for(lambda: list((fleet.workdir("b") / "incoming").glob("*.json"))
                   or not migrate.is_alive(), "the target to start restoring", timeout=300)
    assert migrate.is_alive(), result
    target.kill()
    migrate.join()  # the command has a timeout of its own
    moved = result["run"]
    assert moved.returncode == 85, moved
    assert b"b is gone" in moved.stderr or b"did not take it" in moved.stderr
    assert fleet.program(program_id)["node"] == "a"
    stop.touch()
    logs = fleet.cli("logs", program_id, "-f")
    assert logs.stdout == uninterrupted(env, FLEET / "bigstate.py", logs.stdout)


def test_program_that_ends_during_migration(fleet, tmp_path):
    fleet.start_node("a")
    fleet.start_node("b")
    stop = tmp_path / "stop"
    program_id = fleet.run(FLEET / "c_wait.py", "a", stop)
    pid = fleet.program(program_id)["pid"]
    fleet.wait_for(lambda: b"waiting" in fleet.output(program_id), "it to wait in C code")
    result = {}
    migrate = threading.Thread(target=lambda: result.update(
        run=fleet.cli("migrate", program_id, "--to", "b", "--timeout", "30")))
    migrate.start()
    # the request stays unread while the program is in C code: it has reached the program
    fleet.wait_for(lambda: list((fleet.workdir("a") / "run").glob(f"{pid}.req.*.json"))
                   or not migrate.is_alive(), "the migration to ask the program")
    assert migrate.is_alive(), result
    stop.touch()
    migrate.join()  # the command has a timeout of its own
    moved = result["run"]
    assert moved.returncode != 0
    assert b"ended before" in moved.stderr, moved
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "exited", "exit on a")


def test_a_killed_node_vanishes_and_takes_its_programs(fleet, tmp_path):
    node = fleet.start_node("doomed")
    fleet.start_node("witness")
    # with checkpoints off, nothing can bring it back: it is lost, and said to be
    program_id = fleet.run_with(FLEET / "counter.py", "doomed", tmp_path / "stop",
                                "--checkpoint-every", "0")
    pid = fleet.program(program_id)["pid"]
    node.kill()
    fleet.wait_for(lambda: "doomed" not in fleet.names(), "the dead node to vanish",
                   timeout=15)
    assert wait_gone(pid), "a program outlived its node"
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "lost", "it to be lost")
    for command in ("kill", "migrate"):  # said plainly, not "no live node"
        told = fleet.cli(command, program_id, *(["--to", "witness"] if command == "migrate"
                                                else []))
        assert told.returncode == 80, told
        assert b"lost" in told.stderr and b"doomed" in told.stderr, told


def test_sigterm_stops_programs_and_says_goodbye(fleet, tmp_path):
    node = fleet.start_node("calm")
    program_id = fleet.run(FLEET / "counter.py", "calm", tmp_path / "stop")
    pid = fleet.program(program_id)["pid"]
    events = fleet.server.client().pubsub()
    events.subscribe(protocol.EVENTS)
    confirmed = events.get_message(timeout=10)  # subscribed before the node can say bye
    assert confirmed and confirmed["type"] == "subscribe", confirmed
    node.send_signal(signal.SIGTERM)
    assert node.wait(timeout=20) == 0
    assert wait_gone(pid)
    assert "calm" not in fleet.names()  # at once, not after the expiry
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = events.get_message(timeout=0.2)
        if message and message["type"] == "message":
            seen.append(json.loads(message["data"])["event"])
            if "node_down" in seen:
                break
    assert "node_down" in seen


def test_a_second_node_with_a_live_name_is_refused(env, fleet):
    fleet.start_node("same")
    second = fleet.start_node("same", wait=False)
    assert second.wait(timeout=20) == 82
    text = fleet.logs["same"].read_text()
    assert "already alive" in text and "Traceback" not in text


def test_bad_commands_get_error_replies(fleet, server, fleet_key):
    """Signed with the fleet key, but malformed (unsigned ones: test_security.py)."""
    fleet.start_node("a")
    conn = server.client()

    def ask(payload):
        request_id = "t" + os.urandom(4).hex()
        message = json.loads(payload.replace("ID", request_id))
        body = json.dumps(fleet_key.sign(message, "tests"))
        assert conn.publish(protocol.node_channel("a"), body) == 1
        got = conn.blpop([protocol.reply_key(request_id)], timeout=10)
        assert got is not None, f"no reply to {payload}"
        return json.loads(got[1])

    unknown = ask('{"id": "ID", "command": "explode", "args": {}}')
    assert not unknown["ok"] and "unknown command 'explode'" in unknown["error"]
    missing = ask('{"id": "ID", "command": "pause", "args": {}}')
    assert not missing["ok"] and "program_id" in missing["error"]
    nobody = ask('{"id": "ID", "command": "kill", "args": {"program_id": "nope"}}')
    assert not nobody["ok"] and nobody["code"] == 81
    bad_args = ask('{"id": "ID", "command": "run", "args": []}')
    assert not bad_args["ok"]
    assert conn.publish(protocol.node_channel("a"), "not json at all") == 1
    assert ask('{"id": "ID", "command": "ping"}')["node"] == "a"  # still alive


def test_bad_and_unreachable_urls(env):
    bad = env.framemig("3.11", "nodes", "--redis", "http://example.org")
    assert bad.returncode == 79 and b"not a Redis URL" in bad.stderr
    dead = env.framemig("3.11", "ps", "--redis", "redis://127.0.0.1:1/0")
    assert dead.returncode == 78 and b"cannot reach Redis" in dead.stderr
    assert b"Traceback" not in dead.stderr and dead.stderr.count(b"\n") == 1
    node = env.framemig("3.11", "node", "--redis", "unix:///nonexistent/redis.sock",
                        "--name", "x")
    assert node.returncode == 78 and b"Traceback" not in node.stderr


def test_tcp_url_with_password(env, tmp_path):
    directory = tmp_path / "authredis"
    directory.mkdir()
    server = RedisServer(directory, tcp=True, password="s3cret")
    try:
        fleet = Fleet(env, server)
        fleet.start_node("secure")
        assert fleet.names() == {"secure"}
        wrong = env.framemig("3.11", "nodes", "--redis",
                             server.url.replace("s3cret", "wrong"))
        assert wrong.returncode == 78 and b"credentials" in wrong.stderr
        assert b"s3cret" not in wrong.stderr
        server.client().execute_command("ACL", "SETUSER", "alice", "on", ">pw2", "~*", "&*",
                                        "+@all")
        alice = server.url.replace(":s3cret@", "alice:pw2@")
        listed = env.framemig("3.11", "nodes", "--json", "--redis", alice)
        assert listed.returncode == 0 and json.loads(listed.stdout)["nodes"][0]["name"] == \
            "secure"
        fleet.stop()
    finally:
        server.stop()


def test_the_node_survives_redis_going_away(fleet, server):
    fleet.start_node("steady")
    server.stop()
    fleet.wait_for(lambda: "retrying" in fleet.logs["steady"].read_text(),
                   "the node to notice that Redis is gone")
    server.start()
    fleet.wait_for(lambda: "steady" in fleet.names(), "the node to come back", timeout=30)
    assert fleet.nodes["steady"].poll() is None
    assert "retrying" in fleet.logs["steady"].read_text()


def test_a_private_redis_when_none_is_running(env, tmp_path):
    env.extra["FRAMEMIG_DEFAULT_REDIS"] = "redis://127.0.0.1:1/0"  # nothing listens there
    node = subprocess.Popen(
        [os.environ.get("FRAMEMIG_PYTHON_3_11") or "python", "-m", "framemig", "node",
         "--name", "solo", "--workdir", str(tmp_path / "w")],
        env=env.vars(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        seen = None
        while time.monotonic() < deadline:
            run = env.framemig("3.11", "nodes", "--json")
            if run.returncode == 0 and json.loads(run.stdout)["nodes"]:
                seen = json.loads(run.stdout)["nodes"]
                break
            time.sleep(0.2)
        assert seen and seen[0]["name"] == "solo"
    finally:
        node.send_signal(signal.SIGTERM)
        output = node.communicate(timeout=20)[0]
        env.framemig("3.11", "redis", "stop")
    assert b"started a private one at unix://" in output
    _ = redis


def test_run_a_directory_and_logs_as_json(env, fleet, tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "helper.py").write_text("def greet(n):\n    return f'hello {n}'\n")
    (app / "__main__.py").write_text(  # greets until told to stop
        "import os, sys, time\nfrom helper import greet\nn = 0\n"
        "while not os.path.exists(sys.argv[1]):\n    print(greet(n), flush=True)\n"
        "    n += 1\n    time.sleep(0.05)\n")
    fleet.start_node("a", "3.12")
    fleet.start_node("b", "3.11")
    stop = tmp_path / "stop"
    program_id = fleet.run(app, "a", stop)
    printed = fleet.wait_lines(program_id, 2)
    moved = fleet.cli("migrate", program_id, "--to", "b")
    assert moved.returncode == 0, (moved, fleet.node_logs())
    fleet.wait_lines(program_id, printed + 2)
    stop.touch()
    lines = logged_lines(fleet, program_id)
    text = "".join(entry["text"] for entry in lines if entry["stream"] == "out")
    assert text == "".join(f"hello {n}\n" for n in range(text.count("\n")))
    assert {entry["node"] for entry in lines if entry["stream"] == "out"} == {"a", "b"}
    assert lines[-1]["stream"] == "exit" and lines[-1]["text"] == "0"
