"""Only the fleet commands the fleet: what a Redis user without the fleet key can do to a
node (nothing but be refused), and a node without a key (only with --insecure)."""

import json
import os
import time

from framemig import keys
from framemig.bus import protocol
from tests.fleet_harness import Fleet

EVIL = '''\
import pathlib
pathlib.Path(__file__).resolve().parents[3].joinpath("PWNED").write_text("ran")
'''


def _ask(conn, node: str, message: dict) -> dict:
    """Publish a raw command on ``node``'s channel, as any Redis user can; its reply."""
    assert conn.publish(protocol.node_channel(node), json.dumps(message)) == 1
    got = conn.blpop([protocol.reply_key(message["id"])], timeout=10)
    assert got is not None, f"no reply to {message}"
    return json.loads(got[1])


def _refused(reply: dict, why: str) -> None:
    assert not reply["ok"] and reply["code"] == 87 and why in reply["error"], reply


def test_forged_commands_are_refused(fleet, server, fleet_key, tmp_path, env):
    """The probe's redis-cli attack (a bundle SET, a run PUBLISHed), and the same with a
    wrong key, a stale signature, a replay and a bundle swapped after a signed run."""
    fleet.start_node("a")
    conn = server.client()
    packed = {"files": {"evil.py": __import__("base64").b64encode(EVIL.encode()).decode()},
              "main": "evil.py"}
    conn.set("framemig:bundle:pevil", json.dumps(packed))
    run = {"id": "r1", "command": "run", "sent": time.time(),
           "args": {"program_id": "pevil", "name": "evil.py",
                    "bundle_key": "framemig:bundle:pevil", "args": []}}
    _refused(_ask(conn, "a", run), "unsigned run command refused")

    other = keys.generate(str(tmp_path / "other.key"))
    _refused(_ask(conn, "a", other.sign({**run, "id": "r2"}, "mallory")), "wrong signature")

    stale = fleet_key.sign({**run, "id": "r3"}, "tests")
    stale["ts"] -= 120
    stale[keys.SIG] = fleet_key.mac(keys.canonical(
        {k: v for k, v in stale.items() if k != keys.SIG}))
    _refused(_ask(conn, "a", stale), "stale run command refused")

    ping = fleet_key.sign({"id": "r4", "command": "ping", "args": {}}, "tests")
    assert _ask(conn, "a", ping)["ok"]
    conn.delete(protocol.reply_key("r4"))
    _refused(_ask(conn, "a", ping), "replayed ping command refused")

    # a signed run names its bundle's digest: a bundle swapped in Redis is refused
    swapped = fleet_key.sign({**run, "id": "r5", "args": {
        **run["args"], "bundle_sha256": "0" * 64}}, "tests")
    _refused(_ask(conn, "a", swapped), "changed in Redis")

    assert not list(env.tmp.rglob("PWNED"))
    log = fleet.logs["a"].read_text()
    assert "refused: unsigned run command refused" in log and "Traceback" not in log
    assert "a" in fleet.names()  # up all along


def test_a_client_without_the_key_is_refused(fleet, env, tmp_path):
    fleet.start_node("a")
    program = tmp_path / "idle.py"
    program.write_text("import time\nwhile True:\n    time.sleep(0.05)\n")
    program_id = fleet.run(program, "a")
    env.extra[keys.KEY_ENV] = ""
    env.extra["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    kill = fleet.cli("kill", program_id)
    assert kill.returncode == 87, kill
    assert kill.stderr.count(b"\n") == 1 and b"unsigned kill command refused" in kill.stderr
    del env.extra[keys.KEY_ENV]
    assert fleet.program(program_id)["status"] == "running"


def test_a_node_needs_a_key_or_insecure(env, server, tmp_path):
    env.extra[keys.KEY_ENV] = ""
    env.extra["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    refused = env.framemig("3.11", "node", "--redis", server.url, "--name", "k",
                           timeout=60)
    assert refused.returncode == 86, refused
    assert b"no fleet key" in refused.stderr and b"--insecure" in refused.stderr
    assert refused.stderr.count(b"\n") == 1

    loose = tmp_path / "loose.key"
    keys.generate(str(loose))
    os.chmod(loose, 0o644)
    bad = env.framemig("3.11", "node", "--redis", server.url, "--name", "k",
                       "--key", loose, timeout=60)
    assert bad.returncode == 86 and b"readable by others" in bad.stderr, bad

    fleet = Fleet(env, server)
    try:
        fleet.start_node("open", "3.11", "--insecure")
        record = next(n for n in fleet.node_records() if n["name"] == "open")
        assert record["insecure"] is True
        assert b"up insecure" in fleet.cli("nodes").stdout
        # an insecure node takes unsigned commands: that is what the flag says
        conn = server.client()
        reply = _ask(conn, "open", {"id": "u1", "command": "ping", "args": {}})
        assert reply["ok"] and reply["node"] == "open"
    finally:
        fleet.stop()


def test_keygen(env, tmp_path):
    path = tmp_path / "k" / "fleet.key"
    made = env.framemig("3.11", "keygen", path)
    assert made.returncode == 0 and b"written to" in made.stdout, made
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = env.framemig("3.11", "keygen", path)
    assert again.returncode == 86 and b"exists already" in again.stderr
    first = path.read_text()
    assert env.framemig("3.11", "keygen", path, "--force").returncode == 0
    assert path.read_text() != first and keys.read(str(path)).secret


LOOP = '''\
import os
import time
HERE = {here!r}
n = 0
while not os.path.exists(os.path.join(HERE, "stop")):
    n += 1
    time.sleep(0.01)
print("counted", n > 0)
'''


def _forge(path, fleet_key=None):
    """The probe's forged snapshot: the program's carried source changed (a line that
    runs on the next turn of the loop), its hash and the checksum recomputed (signed with
    ``fleet_key`` if given, as a key holder could)."""
    from framemig.snapshot import format as snapshot_format

    body = json.loads(path.read_bytes())["body"]
    for key, entry in body["sources"].items():
        text = entry["text"].replace(
            "    n += 1", "    n += 1; open(os.path.join(HERE, 'PWNED'), 'w').close()")
        body["sources"][key] = {**entry, "text": text,
                                "sha256": snapshot_format.source_hash(text)}
    return snapshot_format.encode(body, fleet_key)


def test_restore_runs_only_signed_snapshots(env, tmp_path, fleet_key):
    """dump signs; restore refuses an unsigned snapshot (unless --trust-unsigned), one
    signed with another key, and a forged one, with 87 and one line, running nothing."""
    from tests.harness import Live

    program = tmp_path / "loop.py"
    program.write_text(LOOP.format(here=str(tmp_path)))
    live = Live(env, "3.11", program)
    try:
        dump = env.framemig("3.11", "dump", live.pid, "-o", tmp_path / "s.json")
        live.finish()
    finally:
        live.kill()
    assert dump.returncode == 0 and f"signed with key {fleet_key.id}".encode() in dump.stdout
    signed = json.loads((tmp_path / "s.json").read_bytes())
    assert signed["key"] == fleet_key.id and signed["signature"].startswith("hmac-sha256:")

    forged = tmp_path / "forged.json"
    forged.write_bytes(_forge(tmp_path / "s.json"))
    refused = env.framemig("3.11", "restore", forged, timeout=60)
    assert refused.returncode == 87 and b"not signed" in refused.stderr, refused
    assert refused.stderr.count(b"\n") == 1 and b"--trust-unsigned" in refused.stderr
    other = keys.generate(str(tmp_path / "other.key"))
    forged.write_bytes(_forge(tmp_path / "s.json", other))
    refused = env.framemig("3.11", "restore", forged, timeout=60)
    assert refused.returncode == 87 and b"another key" in refused.stderr, refused
    assert not (tmp_path / "PWNED").exists()

    # a snapshot a person made without a key is theirs to trust (this one runs its line)
    forged.write_bytes(_forge(tmp_path / "s.json"))
    trusted = env.popen("3.11", "restore", "--trust-unsigned", forged)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "PWNED").exists() and time.monotonic() < deadline:
            assert trusted.poll() is None, trusted.communicate()
            time.sleep(0.05)
        (tmp_path / "stop").touch()
        out, err = trusted.communicate(timeout=60)
    finally:
        if trusted.poll() is None:
            trusted.kill()
    assert trusted.returncode == 0 and out == b"counted True\n", err
    (tmp_path / "PWNED").unlink()
    rest = env.framemig("3.11", "restore", tmp_path / "s.json", timeout=60)
    assert rest.returncode == 0 and rest.stdout == b"counted True\n", rest
    assert not (tmp_path / "PWNED").exists()


def _checkpointed_and_forged(fleet, server, tmp_path) -> tuple[str, bytes]:
    """LOOP running on node a, checkpointed; its id and its checkpoint forged."""
    from framemig.bus import checkpoints

    program = tmp_path / "loop.py"
    program.write_text(LOOP.format(here=str(tmp_path)))
    program_id = fleet.run(program, "a")
    assert fleet.cli("checkpoint", program_id).returncode == 0
    stored = tmp_path / "stored.json"
    stored.write_bytes(checkpoints.snapshot(server.client(), program_id))
    return program_id, _forge(stored)


def test_a_tampered_checkpoint_is_not_resumed(fleet, server, tmp_path):
    """A checkpoint replaced in Redis by someone without the key: the failover refuses
    it (the program is reported lost, saying why) instead of running it."""
    from framemig.bus import checkpoints

    doomed = fleet.start_node("a")
    fleet.start_node("b")
    program_id, forged = _checkpointed_and_forged(fleet, server, tmp_path)
    conn = server.client()
    conn.hset(checkpoints.key(program_id), "snapshot", forged)
    doomed.kill()
    lost = fleet.wait_for(lambda: (p := fleet.program(program_id)) and
                          p["status"] == "lost" and p, "the program to be lost", timeout=60)
    assert "checkpoint was refused" in json.dumps(lost) and "not signed" in json.dumps(lost)
    assert not list(tmp_path.rglob("PWNED")) and not list(fleet.env.tmp.rglob("PWNED"))
    assert "refused: the checkpoint of" in fleet.logs["b"].read_text()


def test_an_adopt_of_a_forged_snapshot_runs_nothing(fleet, server, fleet_key, tmp_path):
    """The probe's forged adopt: a migration whose snapshot in Redis was replaced by one
    without the fleet key's signature (a re-hashed source). Even a signed adopt for it
    makes the node refuse the migration, saying why, and run nothing."""
    from framemig.bus import migration

    fleet.start_node("a")
    fleet.start_node("b")
    _, forged = _checkpointed_and_forged(fleet, server, tmp_path)
    conn = server.client()
    migration.offer(conn, "mforged", forged, source="a", target="b", program="pforged")
    adopt = fleet_key.sign({"id": "ad1", "command": "adopt", "args": {
        "migration_id": "mforged", "record": {"id": "pforged", "name": "loop.py"}}}, "tests")
    reply = _ask(conn, "b", adopt)
    assert reply["ok"], reply  # (accepted: the node then looks at the snapshot)
    fleet.wait_for(lambda: migration.state(conn, "mforged").get("state") == "refused",
                   "the node to refuse the migration")
    assert "not signed" in migration.state(conn, "mforged").get("reason", "")
    assert fleet.program("pforged") is None
    assert not list(tmp_path.rglob("PWNED")) and not list(fleet.env.tmp.rglob("PWNED"))


def test_ids_that_would_lead_out_of_the_work_dir_are_refused(fleet, server, fleet_key):
    """A key holder's malformed command cannot name a file outside the node's directory:
    program and migration ids (and an adopted record's) must be plain ids."""
    fleet.start_node("a")
    conn = server.client()
    commands = [
        ("run", {"program_id": "../../x", "name": "x.py", "bundle_key": "k"}, "program id"),
        ("run", {"program_id": "/tmp/x", "name": "x.py", "bundle_key": "k"}, "program id"),
        ("adopt", {"migration_id": "../m", "record": {"id": "p1"}}, "migration id"),
        ("adopt", {"migration_id": "m1", "record": {"id": "a/../../b"}}, "program id"),
        ("kill", {"program_id": ["p"]}, "program id"),
    ]
    for number, (command, args, says) in enumerate(commands):
        message = fleet_key.sign({"id": f"i{number}", "command": command, "args": args},
                                 "tests")
        reply = _ask(conn, "a", message)
        assert not reply["ok"] and f"is not a valid {says}" in reply["error"], reply
    assert "Traceback" not in fleet.logs["a"].read_text()
    assert not list(fleet.env.tmp.rglob("x.py"))


def test_a_migration_state_set_by_hand_is_not_believed(env, fleet, server, fleet_key,
                                                       tmp_path):
    """The probe set a migration's state key to "running" with redis-cli: `migrate`
    reported success and the program was lost (the source ended its copy, the target
    held its own forever). A state without the fleet key's seal is no state: the
    migration rolls back and the program goes on where it was, once."""
    from tests.faults.test_migration_faults import goes_on, migration_stopped_at

    program_id, stop, thread, result, marker = migration_stopped_at(
        env, fleet, tmp_path, "target-ready", "b", "3.11")
    conn = server.client()
    [key] = conn.keys(protocol.migration_key("*"))
    assert conn.hget(key, "state") in (b"ready", b"committed")
    conn.hset(key, "state", "running")
    marker.unlink()
    thread.join()
    moved = result["run"]
    assert moved.returncode == 85 and b"goes on on a" in moved.stderr, \
        (moved, fleet.node_logs())
    record = fleet.program(program_id)
    assert record["node"] == "a" and record["status"] == "running", record
    goes_on(env, fleet, program_id, stop)
    assert "Traceback" not in fleet.node_logs()
