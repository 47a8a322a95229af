"""A program's files on the nodes it moves to.

A snapshot carries the sources of the program modules that are loaded, nothing more (an
unimported settings_local.py stays home). A program run on the fleet may import one of
its own modules only after it has moved: the node that takes it over unpacks the
program's bundle (its files as ``framemig run`` sent them, kept in Redis while it lives)
into its own directory for it, and the program runs from there. Here the source node's
copy of the directory is deleted once the program has moved, as if it were on another
machine (it cannot go earlier: the capture on the source needs it).
"""

import json
import shutil

from framemig.bus import protocol
from tests.harness import DUMPED

MAIN = """\
import os, sys, time
from lib.words import FIRST
print(FIRST, flush=True)
while not os.path.exists(sys.argv[1]):  # go
    time.sleep(0.02)
import late_mod
print(late_mod.greet("fleet"), flush=True)
"""
LATE = "from lib.words import LATE\n\ndef greet(who):\n    return f'{LATE}, {who}'\n"
WORDS = "FIRST = 'first'\nLATE = 'late hello'\n"


def make_app(root):
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "__init__.py").write_text("")
    (root / "lib" / "words.py").write_text(WORDS)
    (root / "late_mod.py").write_text(LATE)
    (root / "main.py").write_text(MAIN)
    return root


def plain_run(env, app, tmp_path) -> bytes:
    go = tmp_path / "go-plain"
    go.touch()
    run = env.plain(app / "main.py", go)
    assert run.returncode == 0 and run.stdout == b"first\nlate hello, fleet\n", run
    return run.stdout


def start_and_move(env, fleet, app, go, *, before=None):
    """Run ``app`` on a, move it to b, then delete a's copy of its directory."""
    fleet.start_node("a", "3.11")
    fleet.start_node("b", "3.12")
    program_id = fleet.run(app, "a", go)
    fleet.wait_for(lambda: fleet.cli("logs", program_id).stdout == b"first\n", "its line")
    if before is not None:
        before(program_id)
    moved = fleet.cli("migrate", program_id, "--to", "b", "--json")
    assert moved.returncode == 0, (moved, fleet.node_logs())
    shutil.rmtree(env.tmp / "work-a" / "programs" / program_id)
    return program_id


def finish(fleet, program_id, go):
    go.touch()
    logs = fleet.cli("logs", program_id, "-f")
    fleet.wait_for(lambda: fleet.program(program_id)["status"] == "exited", "the exit")
    return logs.stdout, fleet.program(program_id)


def test_a_late_import_after_a_move_finds_the_module(env, fleet, tmp_path):
    app = make_app(tmp_path / "app")
    want = plain_run(env, app, tmp_path)
    go = tmp_path / "go"
    conn = fleet.server.client()

    def a_while_later(program_id):  # its bundle's expiry is renewed when it moves
        conn.expire(protocol.bundle_key(program_id), 100)

    program_id = start_and_move(env, fleet, app, go, before=a_while_later)
    key = json.loads(conn.get(protocol.program_key(program_id)))["bundle_key"]
    assert key == protocol.bundle_key(program_id)
    assert conn.ttl(key) > 6 * 24 * 3600
    target_dir = env.tmp / "work-b" / "programs" / program_id
    assert (target_dir / "late_mod.py").read_text() == LATE
    assert (target_dir / "lib" / "words.py").read_text() == WORDS
    output, record = finish(fleet, program_id, go)
    assert output == want, (fleet.cli("logs", program_id), fleet.node_logs())
    assert record["exit_code"] == 0 and record["node"] == "b"


def test_without_its_bundle_a_moved_program_runs_as_before(env, fleet, tmp_path):
    """No bundle in Redis any more: the target runs the program from where it was (the
    source's directory, on this machine), and once that is gone a late import fails, as
    it did before bundles travelled."""
    app = make_app(tmp_path / "app")
    go = tmp_path / "go"
    conn = fleet.server.client()
    program_id = start_and_move(
        env, fleet, app, go, before=lambda pid: conn.delete(protocol.bundle_key(pid)))
    assert not (env.tmp / "work-b" / "programs" / program_id).exists()
    output, record = finish(fleet, program_id, go)
    assert output == b"first\n" and record["exit_code"] == 1
    assert b"No module named 'late_mod'" in fleet.cli("logs", program_id).stderr


def test_restore_outside_the_fleet(env, tmp_path):
    """``framemig restore`` runs the program from its directory if it is still there,
    else from the cache (where a late import fails, as it always did), or from the
    directory --program-dir names if the files there are the captured ones."""
    app = make_app(tmp_path / "app")
    want = plain_run(env, app, tmp_path)
    go = tmp_path / "go"
    snap = tmp_path / "snap.json"
    first = env.framemig("3.11", "exec", "--dump-at", f"{app / 'main.py'}:5#3",
                         "--dump-to", snap, app / "main.py", go)
    assert first.returncode == DUMPED and first.stdout == b"first\n", first
    go.touch()

    here = env.framemig("3.12", "restore", snap)
    assert here.returncode == 0 and first.stdout + here.stdout == want, here

    copy = tmp_path / "copy"
    shutil.move(app, copy)
    cached = env.framemig("3.12", "restore", snap)
    assert cached.returncode == 1 and b"No module named 'late_mod'" in cached.stderr, cached

    given = env.framemig("3.12", "restore", snap, "--program-dir", copy)
    assert given.returncode == 0 and first.stdout + given.stdout == want, given

    (copy / "main.py").write_text(MAIN.replace("fleet", "changed"))  # not the captured one
    changed = env.framemig("3.12", "restore", snap, "--program-dir", copy)
    assert changed.returncode == 1 and b"No module named 'late_mod'" in changed.stderr, changed


def test_a_bundle_never_leaves_the_nodes_directory(tmp_path):
    import base64
    from types import SimpleNamespace

    import pytest

    from framemig.bus import bundle
    from framemig.errors import CommandFailed
    from framemig.node.daemon import Node

    def packed(*names):
        data = base64.b64encode(b"x = 1\n").decode()
        return {"main": names[0], "files": {name: data for name in names}}

    node = SimpleNamespace(workdir=str(tmp_path / "work"))
    assert Node.program_dir(node, "p1234567") == str(tmp_path / "work" / "programs" / "p1234567")
    for bad in ("..", "../x", "a/b", "/etc", ""):
        with pytest.raises(CommandFailed):
            Node.program_dir(node, bad)
    home = tmp_path / "work" / "programs" / "p1"
    (tmp_path / "elsewhere").mkdir()
    home.mkdir(parents=True)
    (home / "link").symlink_to(tmp_path / "elsewhere")
    for bad in ("../evil.py", "/tmp/evil.py", "sub/../../evil.py", "link/evil.py"):
        with pytest.raises(ValueError):
            bundle.unpack(packed("main.py", bad), str(home))
        assert not (home / "main.py").exists()  # nothing is written when a name is bad
    assert not list((tmp_path / "elsewhere").iterdir())
    assert bundle.unpack(packed("main.py", "pkg/mod.py"), str(home)) == str(home / "main.py")
    assert (home / "pkg" / "mod.py").read_text() == "x = 1\n"
