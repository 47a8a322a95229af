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
