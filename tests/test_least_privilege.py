"""Least privilege on the bus (issue 13, part 4): a fleet set up as the README says — a
redis-server on TLS only (certificates made here), its default user off, ACL users for
nodes and operators — where each program gets a Redis user of its own, allowed its data
streams and nothing else, and no password is on any command line."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import psutil
import pytest
import redis

from framemig.node import credentials
from tests.fleet_harness import Fleet, free_port, wait_until

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

# what the README tells an administrator to set up (as redis.conf lines)
NODE_RULES = ("~framemig:* &framemig:* +@all -@dangerous +info "
              "+acl|setuser +acl|deluser +acl|getuser +acl|users")
OPERATOR_RULES = "~framemig:* &framemig:* +@all -@dangerous"

ATTACKER = r'''
import json, os, sys
from urllib.parse import urlsplit
import redis
import framemig

own = os.environ.get("FRAMEMIG_REDIS_URL", "")
conn = redis.Redis.from_url(own)
tried = {}

def attempt(what, *command):
    try:
        conn.execute_command(*command)
        tried[what] = "allowed"
    except redis.exceptions.NoPermissionError:
        tried[what] = "NOPERM"
    except redis.RedisError as error:
        tried[what] = f"{type(error).__name__}: {error}"

attempt("publish a command on a node's channel", "PUBLISH", "framemig:node:b:commands", "{}")
attempt("subscribe to the events", "SUBSCRIBE", "framemig:events")
attempt("read a bundle", "GET", "framemig:bundle:x")
attempt("write a bundle", "SET", "framemig:bundle:x", "{}")
attempt("set a migration's state", "HSET", "framemig:migration:m1", "state", "running")
attempt("write a snapshot", "SET", "framemig:snapshot:m1", "{}")
attempt("read a checkpoint", "HGETALL", "framemig:checkpoint:x")
attempt("read a program's output", "XRANGE", "framemig:logs:x", "-", "+")
attempt("a script that sets a migration's state", "EVAL",
        "return redis.call('SET', KEYS[1], 'running')", 1, "framemig:migration:m2")
attempt("list the ACL users", "ACL", "LIST")
attempt("make a user", "ACL", "SETUSER", "mallory", "on", ">x", "~*", "+@all")
attempt("list the keys", "KEYS", "*")
attempt("flush", "FLUSHALL")
conn.close()
peek = {}
for what in ("environ", "cmdline"):  # the node's, as the same OS user
    try:
        with open(f"/proc/{os.getppid()}/{what}", "rb") as handle:
            peek[what] = handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError as error:
        peek[what] = f"denied: {error.strerror}"
print(json.dumps({"tried": tried, "peek": peek, "password": urlsplit(own).password,
                  "env": sorted(k for k in os.environ if "REDIS" in k)}), flush=True)

inbox = framemig.reader("lp-in", start="0")
outbox = framemig.publisher("lp-out")
for message in inbox:
    if message.data.get("stop"):
        break
    url = urlsplit(os.environ["FRAMEMIG_REDIS_URL"])
    outbox.publish({"n": message.data["n"], "node": os.environ["FRAMEMIG_NODE"],
                    "user": url.username})
    print("echoed", message.data["n"], url.password, flush=True)
'''


def _openssl(*args, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(directory: Path) -> None:
    """A CA, and a server certificate it signed for 127.0.0.1 and localhost."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=framemig test CA", cwd=directory)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=directory)
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext",
             cwd=directory)


class TLSRedis:
    """A redis-server on TLS only, its users in its config file (on no command line):
    ``default`` off, ``admin`` (the test's), ``framemig-node``, ``framemig-operator``,
    and ``framemig-node-noacl`` (a node user that may not make users)."""

    def __init__(self, directory: Path):
        directory.mkdir()
        make_certificates(directory)
        self.directory = directory
        self.ca = directory / "ca.crt"
        self.port = free_port()
        self.passwords = {user: secrets.token_hex(16) for user in
                          ("admin", "framemig-node", "framemig-operator",
                           "framemig-node-noacl")}
        config = directory / "redis.conf"
        config.write_text("\n".join([
            "port 0", f"tls-port {self.port}", f"tls-cert-file {directory}/server.crt",
            f"tls-key-file {directory}/server.key", f"tls-ca-cert-file {self.ca}",
            "tls-auth-clients no", 'save ""', "appendonly no", f"dir {directory}",
            "user default off",
            f"user admin on >{self.passwords['admin']} ~* &* +@all",
            f"user framemig-node on >{self.passwords['framemig-node']} {NODE_RULES}",
            f"user framemig-operator on >{self.passwords['framemig-operator']} "
            f"{OPERATOR_RULES}",
            f"user framemig-node-noacl on >{self.passwords['framemig-node-noacl']} "
            f"~framemig:* &framemig:* +@all -@dangerous +info", ""]))
        config.chmod(0o600)
        self.process = subprocess.Popen(["redis-server", str(config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, "the TLS redis-server to answer", timeout=15)
        self.password = self.passwords["framemig-operator"]  # (Fleet: REDIS_URL, not --redis)
        self.url = self.url_for("framemig-operator")  # what the fleet's CLI uses

    def url_for(self, user: str, password: bool = True) -> str:
        auth = f"{user}:{self.passwords[user]}" if password else user
        return f"rediss://{auth}@127.0.0.1:{self.port}/0?ssl_ca_certs={self.ca}"

    def client(self, user: str = "admin") -> redis.Redis:
        return redis.Redis.from_url(self.url_for(user))

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("redis-server ended (does it support TLS?)")
        try:
            return self.client().ping()
        except (redis.RedisError, OSError):
            return False

    def program_users(self) -> list[str]:
        names = (u.decode() if isinstance(u, bytes) else u for u in self.client().acl_users())
        return sorted(u for u in names if u.startswith(credentials.USER_PREFIX))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def tls_redis(tmp_path):
    server = TLSRedis(tmp_path / "tls-redis")
    yield server
    server.stop()


def _entries(conn: redis.Redis, stream: str) -> list[dict]:
    return [json.loads(fields[b"j"]) for _, fields in conn.xrange(f"framemig:stream:{stream}")]


def _send(conn: redis.Redis, data: dict) -> None:
    conn.xadd("framemig:stream:lp-in", {"j": json.dumps(data)})


def test_a_program_gets_only_its_streams(tls_redis, env, tmp_path):
    admin = tls_redis.client()
    fleet = Fleet(env, tls_redis)  # the CLI: the operator's user, in REDIS_URL
    try:
        # node a: its whole URL in its environment; node b: the URL without the
        # password on its command line, the password in a file
        env.extra["REDIS_URL"] = tls_redis.url_for("framemig-node")
        fleet.start_node("a", "3.11", wait=False)
        env.extra["REDIS_URL"] = tls_redis.url
        password_file = tmp_path / "node-password"
        password_file.write_text(tls_redis.passwords["framemig-node"] + "\n")
        password_file.chmod(0o600)
        fleet.start_node("b", "3.11", "--redis", tls_redis.url_for("framemig-node", False),
                         "--redis-password-file", password_file, wait=False)
        fleet.wait_for(lambda: fleet.names() == {"a", "b"}, "nodes a and b to register")

        program = tmp_path / "attacker.py"
        program.write_text(ATTACKER)
        program_id = fleet.run(program, "a")
        fleet.wait_lines(program_id, 1)
        first = json.loads(fleet.output(program_id).splitlines()[0])
        refused = {what: outcome for what, outcome in first["tried"].items()
                   if outcome != "NOPERM"}
        assert refused == {}, refused
        assert "FRAMEMIG_REDIS_URL" in first["env"]  # its own
        assert not {"REDIS_URL", "FRAMEMIG_REDIS_PASSWORD_FILE"} & set(first["env"])
        node_password = tls_redis.passwords["framemig-node"]
        assert "framemig node" in first["peek"]["cmdline"]  # (it did read it)
        assert node_password not in first["peek"]["cmdline"]
        if os.geteuid() != 0:  # the node is undumpable (root reads any process's anyway)
            assert first["peek"]["environ"].startswith("denied")
        [user_on_a] = tls_redis.program_users()
        assert user_on_a.startswith(f"{credentials.USER_PREFIX}{program_id}-")

        # its own streams work, and go on working with the target's user after a move
        _send(admin, {"n": 1})
        wait_until(lambda: _entries(admin, "lp-out"), "the program to echo entry 1")
        moved = fleet.cli("migrate", program_id, "--to", "b")
        assert moved.returncode == 0, moved
        wait_until(lambda: tls_redis.program_users() != [user_on_a],
                   "the user of the copy on a to be dropped")
        [user_on_b] = tls_redis.program_users()
        _send(admin, {"n": 2})
        wait_until(lambda: len(_entries(admin, "lp-out")) == 2, "the program to echo entry 2")
        echoes = _entries(admin, "lp-out")
        assert [(e["n"], e["node"], e["user"]) for e in echoes] == \
            [(1, "a", user_on_a), (2, "b", user_on_b)]

        # no password of anyone's on any command line
        lines = fleet.output(program_id).decode().splitlines()
        program_passwords = {first["password"], *(line.split()[2] for line in lines[1:])}
        secrets_ = set(tls_redis.passwords.values()) | program_passwords
        assert len(program_passwords) == 2
        top = fleet.cli("top", "--once")  # the operator's user is enough for top
        assert top.returncode == 0 and b"attacker.py" in top.stdout, top
        for process in psutil.process_iter(["cmdline"]):
            shown = " ".join(process.info["cmdline"] or ())
            assert not [s for s in secrets_ if s in shown], shown

        # its user goes when it ends
        _send(admin, {"stop": True})
        fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("status") == "exited",
                       f"{program_id} to end")
        wait_until(lambda: tls_redis.program_users() == [], "the program's user to go")
        logs = fleet.node_logs()
        assert "share the node's Redis credentials" not in logs and "Traceback" not in logs
    finally:
        fleet.stop()


def test_the_password_from_a_file(tls_redis, env, tmp_path):
    """An operator's password in a file, its user in the URL: nothing secret on the
    command line. A file that cannot be read is one line, 78."""
    password_file = tmp_path / "operator-password"
    password_file.write_text(tls_redis.passwords["framemig-operator"] + "\n")
    env.extra["FRAMEMIG_REDIS_PASSWORD_FILE"] = str(password_file)
    listed = env.framemig("3.11", "nodes", "--json", "--redis",
                          tls_redis.url_for("framemig-operator", False))
    assert listed.returncode == 0 and json.loads(listed.stdout)["nodes"] == [], listed
    env.extra["FRAMEMIG_REDIS_PASSWORD_FILE"] = str(tmp_path / "missing")
    missing = env.framemig("3.11", "ps", "--redis", tls_redis.url_for("framemig-operator",
                                                                      False))
    assert missing.returncode == 78 and missing.stderr.count(b"\n") == 1, missing
    assert b"cannot read the Redis password file" in missing.stderr


def test_a_node_whose_user_cannot_make_users_says_so_once(tls_redis):
    said = []
    url = tls_redis.url_for("framemig-node-noacl")
    users = credentials.ProgramUsers(url, "0123456789ab", said.append)
    users.setup(redis.Redis.from_url(url))
    assert not users.enabled and len(said) == 1
    assert "programs share the node's Redis credentials" in said[0] and "no permissions" in said[0]
    assert users.url_for(tls_redis.client(), "p1") == (url, None)


def test_users_of_copies_gone_are_swept(tls_redis):
    admin = tls_redis.client()
    node = tls_redis.client("framemig-node")
    mine = credentials.ProgramUsers(tls_redis.url_for("framemig-node"), "aaaaaaaaaaaa",
                                    lambda line: None)
    mine.setup(node)
    assert mine.enabled
    url, own = mine.url_for(node, "p1")
    assert redis.Redis.from_url(url).xadd("framemig:stream:s", {"j": "{}"})
    for user in ("framemig-prog-p2-deadbeef0000-1",  # its node died
                 "framemig-prog-p3-cafecafecafe-4",  # its node froze, and still owns it
                 "framemig-prog-p4-bbbbbbbbbbbb-1",  # its node lives
                 "framemig-prog-p5-aaaaaaaaaaaa-9"):  # this node's, never dropped (Redis away)
        admin.execute_command("ACL", "SETUSER", user, "on", ">x")
    admin.hset("framemig:owner:p3", mapping={"node": "c", "instance": "cafecafecafe",
                                             "epoch": 1})
    dropped = mine.sweep(node, [{"name": "b", "instance": "bbbbbbbbbbbb"}], force=True)
    assert sorted(dropped) == ["framemig-prog-p2-deadbeef0000-1",
                               "framemig-prog-p5-aaaaaaaaaaaa-9"]
    assert tls_redis.program_users() == sorted([own, "framemig-prog-p3-cafecafecafe-4",
                                                "framemig-prog-p4-bbbbbbbbbbbb-1"])
    # a Redis that restarted empty forgot the user: the node makes it again
    admin.execute_command("ACL", "DELUSER", own)
    assert mine.restore(node) == 1
    assert redis.Redis.from_url(url).xadd("framemig:stream:s", {"j": "{}"})
    mine.drop(node, own)
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(url).ping()


def test_a_stream_call_waits_for_its_user_to_come_back(tls_redis, monkeypatch):
    """Redis restarted empty forgets a program's user until its node makes it again (at
    its next heartbeat): the program's stream call waits for it, where it used to end the
    program with an AuthenticationError."""
    import threading

    from framemig.bus import streams

    admin = tls_redis.client()
    node = tls_redis.client("framemig-node")
    mine = credentials.ProgramUsers(tls_redis.url_for("framemig-node"), "aaaaaaaaaaaa",
                                    lambda line: None)
    mine.setup(node)
    url, own = mine.url_for(node, "p1")
    monkeypatch.setenv("FRAMEMIG_REDIS_URL", url)
    monkeypatch.setattr(streams, "_connections", {})
    publisher = streams.Publisher("waits")
    publisher.publish({"n": 1})
    admin.execute_command("ACL", "DELUSER", own)  # (its connections go with it)
    admin.execute_command("ACL", "LOG", "RESET")
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(id=publisher.publish({"n": 2})))
    thread.start()
    wait_until(lambda: any(entry.get("username") == own for entry in admin.acl_log()),
               "the program's call to be refused for its user")
    assert mine.restore(node) == 1
    thread.join(timeout=30)
    assert result.get("id"), result
    assert [e["n"] for e in _entries(admin, "waits")] == [1, 2]
