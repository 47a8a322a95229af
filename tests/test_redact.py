"""A snapshot carries no more than it must (issue 13, part 5).

``framemig dump --redact NAME`` keeps a value out of the snapshot: the program itself puts
a marker in its place as it captures, so the secret is written nowhere, and a restore
refuses to go on until it is given the value back (``--provide``). ``framemig inspect``
names what could be sensitive. Files of the program's directory it has not imported do
not travel. The programs run until the test makes their stop file; the tests wait on
their output, never on a clock.
"""

import json
import secrets

from framemig.snapshot import format as snapshot_format
from tests.harness import DUMPED, Live

PROGRAM = '''\
import os, sys, time

API_KEY = os.environ["API_KEY"]                                  # a secret from outside
os.environ["SESSION_TOKEN"] = "tok-" + os.environ["TOKEN_SEED"]  # one it sets itself
HEADER = "Bearer " + API_KEY if "--header" in sys.argv else None


def make_signer(secret):
    def sign(text):
        return f"{text}:{secret}"
    return sign


class Client:
    def __init__(self, token):
        self.access_token = token


SIGN = make_signer("sig-" + os.environ["SIGN_SEED"])
CLIENT = Client("at-" + os.environ["AT_SEED"])


def work(stop):
    password = "pw-" + os.environ["PW_SEED"]
    print("ready", flush=True)
    while not os.path.exists(stop):
        time.sleep(0.01)
    print("key", API_KEY, "password", password, flush=True)
    print("token", os.environ["SESSION_TOKEN"], "signed", SIGN("x"), flush=True)
    print("client", CLIENT.access_token, "header", HEADER, flush=True)


work(sys.argv[1])
'''

SETTINGS = 'API_KEY = "{secret}"\n'


class App:
    """The program, its unimported settings_local.py, and the secrets it reads."""

    def __init__(self, env):
        self.env = env
        self.dir = env.tmp / "app"
        self.dir.mkdir()
        self.program = self.dir / "prog.py"
        self.program.write_text(PROGRAM)
        self.unimported = "sk-local-" + secrets.token_hex(8)
        (self.dir / "settings_local.py").write_text(SETTINGS.format(secret=self.unimported))
        seeds = {name: secrets.token_hex(8) for name in
                 ("API_KEY", "TOKEN_SEED", "SIGN_SEED", "AT_SEED", "PW_SEED")}
        seeds["API_KEY"] = "sk-test-" + seeds["API_KEY"]
        env.extra.update(seeds)
        self.api_key = seeds["API_KEY"]
        self.token = "tok-" + seeds["TOKEN_SEED"]
        self.signing = "sig-" + seeds["SIGN_SEED"]
        self.password = "pw-" + seeds["PW_SEED"]
        self.access_token = "at-" + seeds["AT_SEED"]
        self.stop = env.tmp / "stop"

    def plain(self, *args) -> bytes:
        """The output of an uninterrupted run (told to stop from the start)."""
        self.stop.touch()
        try:
            run = self.env.plain(self.program, str(self.stop), *args)
        finally:
            self.stop.unlink()
        assert run.returncode == 0, run
        return run.stdout

    def start(self, *args) -> Live:
        live = Live(self.env, "3.11", self.program, self.stop, *args)
        live.wait_for(b"ready")
        return live


def test_redacted_values_are_written_nowhere_and_given_back(env):
    app = App(env)
    want = app.plain()
    snap = env.tmp / "snap.json"
    live = app.start()
    try:
        dump = env.framemig("3.11", "dump", live.pid, "-o", snap, "--json",
                            "--redact", "API_KEY,password", "--redact", "SESSION_TOKEN",
                            "--redact", "secret")
        assert dump.returncode == 0, dump
        first = live.finish()
    finally:
        live.kill()
    assert first.returncode == DUMPED and first.stdout == b"ready\n", first
    reply = json.loads(dump.stdout)
    assert sorted(reply["redacted"]) == ["API_KEY", "SESSION_TOKEN", "password", "secret"]
    [where] = reply["redacted"]["password"]
    assert where.startswith("local 'password' of prog.py:") and where.endswith(" in work")

    raw = snap.read_bytes()
    for value in (app.api_key, app.password, app.token, app.signing, app.unimported):
        assert value.encode() not in raw, value
    body = snapshot_format.read(str(snap), trust_unsigned=True)
    assert sorted(body["sources"]) == ["prog.py"]  # settings_local.py stays home
    assert body["process"]["environ"]["redacted"] == ["SESSION_TOKEN"]
    assert "SESSION_TOKEN" not in body["process"]["environ"].get("set", {})

    # inspect: what could be sensitive, names only
    shown = env.framemig("3.11", "inspect", snap, "--json")
    assert shown.returncode == 0, shown
    sensitive = json.loads(shown.stdout)["sensitive"]
    redacted = {entry["name"]: entry["where"] for entry in sensitive["redacted"]}
    assert redacted == {"API_KEY": ["global of __main__"],
                        "SESSION_TOKEN": ["environment variable"],
                        "password": ["local of work (prog.py)"],
                        "secret": ["a closure's variable"]}
    assert {"name": "access_token", "where": "attribute of a Client object"} in \
        sensitive["secret_names"]  # not redacted: its value is in the file, inspect says so
    assert sensitive["environment"]["redacted"] == ["SESSION_TOKEN"]
    assert sensitive["paths"]["root"] == str(app.dir)
    assert sensitive["paths"]["sources"] == [str(app.program)]
    people = env.framemig("3.11", "inspect", snap)
    assert people.returncode == 0, people
    text = people.stdout.decode()
    assert "Could be sensitive" in text and "access_token" in text
    for name in ("API_KEY", "SESSION_TOKEN", "password", "secret"):
        assert f"--provide {name}" in " ".join(text.split()), name
    assert app.access_token not in text and app.access_token not in shown.stdout.decode()

    # restore: refused, running nothing, until every value is given back
    app.stop.touch()
    bare = env.framemig("3.12", "restore", snap)
    assert bare.returncode == 2 and bare.stdout == b"", bare
    message = bare.stderr.decode().strip()
    assert len(message.splitlines()) == 1, message
    assert "API_KEY, SESSION_TOKEN, password, secret redacted" in message, message
    wrong = env.framemig("3.12", "restore", snap, "--provide", "NOT_REDACTED=1")
    assert wrong.returncode == 2 and b"NOT_REDACTED" in wrong.stderr, wrong
    rest = env.framemig("3.12", "restore", snap,
                        "--provide", "API_KEY",  # from its environment variable
                        "--provide", f"password={app.password}",
                        "--provide", f"SESSION_TOKEN={app.token}",
                        "--provide", f"secret={app.signing}")
    assert rest.returncode == 0, rest
    assert first.stdout + rest.stdout == want


def test_a_name_that_matches_nothing_or_a_copy_left_refuses_the_dump(env):
    app = App(env)
    want = app.plain("--header")
    snap = env.tmp / "snap.json"
    live = app.start("--header")
    try:
        unknown = env.framemig("3.11", "dump", live.pid, "-o", snap,
                               "--redact", "API_KEY,NO_SUCH_NAME")
        assert unknown.returncode == 2, unknown
        assert len(unknown.stderr.decode().strip().splitlines()) == 1, unknown
        assert b"NO_SUCH_NAME" in unknown.stderr and b"API_KEY" not in unknown.stderr
        # HEADER holds "Bearer " + API_KEY: the secret would still be in the snapshot
        copy = env.framemig("3.11", "dump", live.pid, "-o", snap, "--redact", "API_KEY")
        assert copy.returncode == 67, copy
        assert b"global 'HEADER'" in copy.stderr, copy
        not_text = env.framemig("3.11", "dump", live.pid, "-o", snap, "--redact", "CLIENT")
        assert not_text.returncode == 67 and b"only a str or bytes" in not_text.stderr, \
            not_text
        bad = env.framemig("3.11", "dump", live.pid, "-o", snap, "--redact", "no-name")
        assert bad.returncode == 2, bad
        assert not snap.exists()
        app.stop.touch()  # it went on, untouched, all along
        whole = live.finish()
    finally:
        live.kill()
    assert whole.returncode == 0 and whole.stdout == want, whole


def test_both_redacted_a_copy_travels_as_markers_too(env):
    """Redact the copy as well and the dump goes through; both come back as given."""
    app = App(env)
    want = app.plain("--header")
    snap = env.tmp / "snap.json"
    live = app.start("--header")
    try:
        dump = env.framemig("3.11", "dump", live.pid, "-o", snap,
                            "--redact", "API_KEY,HEADER")
        assert dump.returncode == 0, dump
        assert b"redacted HEADER: global 'HEADER' of __main__" in dump.stdout, dump
        first = live.finish()
    finally:
        live.kill()
    assert app.api_key.encode() not in snap.read_bytes()
    app.stop.touch()
    rest = env.framemig("3.13", "restore", snap, "--provide", "API_KEY",
                        "--provide", f"HEADER=Bearer {app.api_key}")
    assert rest.returncode == 0, rest
    assert first.stdout + rest.stdout == want
