"""What cannot travel is refused in one line, with its own exit code, and the program
keeps running unharmed; bad input to restore and inspect is refused the same way."""

import json
import os
import subprocess
import sys

import pytest

from tests.harness import PROGRAMS, Live

REFUSE = PROGRAMS / "refuse"


def assert_one_line(run, code, *fragments):
    text = run.stderr.decode()
    assert run.returncode == code, run
    assert text.count("\n") == 1 and "Traceback" not in text, text
    for fragment in fragments:
        assert fragment in text, text


def refused_then_finishes(env, program, code, *fragments, args=(), timeout=None):
    """The program ticks until told to stop (a file appears): the refusal cannot come
    after its end; then it is told, and it must end as if nothing had happened."""
    stop = env.tmp / "stop"
    live = Live(env, "3.11", program, *args, stop)
    try:
        live.wait_for(b"tick 3")
        out = env.tmp / "never.json"
        extra = ["--timeout", str(timeout)] if timeout else []
        dump = env.framemig("3.11", "dump", live.pid, "-o", out, *extra)
        assert_one_line(dump, code, *fragments)
        assert not out.exists() and not list(env.tmp.glob(".never.json*"))
        stop.touch()
        finished = live.finish()
    finally:
        live.kill()
    assert finished.returncode == 0, finished
    ticks = finished.stdout.splitlines()
    assert ticks == [b"tick %d" % n for n in range(len(ticks))], finished


def test_socket(env):
    refused_then_finishes(env, REFUSE / "socket_holder.py", 67,
                          "socket_holder.py:", "in read_loop: local 'sock' is a socket")


def test_pipe_open_for_writing(env, tmp_path):
    # (a file open for writing travels: tests/test_world.py)
    refused_then_finishes(env, REFUSE / "file_writer.py", 67, "global 'log'",
                          "is an open file without a path", args=(str(tmp_path),))


def test_other_thread(env):
    # refused at once (it used to wait out the timeout and say 66); the timeout is long
    # enough for a starved program to answer at all
    refused_then_finishes(env, REFUSE / "thread_runner.py", 67, "thread 'worker' is running",
                          timeout=60)


def test_c_frame_on_the_stack_waits_then_gives_up(env):
    stop = env.tmp / "stop"
    live = Live(env, "3.11", REFUSE / "c_callback.py", stop)
    try:
        live.wait_for(b"sorting")  # said from inside sorted(), which waits for the file
        dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json",
                            "--timeout", "3")
        assert_one_line(dump, 66, "no safe point", "sorted")
        stop.touch()
        finished = live.finish()
    finally:
        live.kill()
    assert finished.returncode == 0 and b"[19, 18" in finished.stdout


def test_unknown_pid(env):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert_one_line(env.framemig("3.11", "dump", dead.pid, "-o", env.tmp / "s.json"), 64,
                    f"no process with PID {dead.pid}")


def test_process_not_run_by_framemig(env):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        run = env.framemig("3.11", "dump", other.pid, "-o", env.tmp / "s.json")
        assert_one_line(run, 65, f"process {other.pid}", "not started by framemig")
        assert other.poll() is None  # and it was not signalled
    finally:
        other.kill()
        other.wait()


def test_json_errors(env):
    run = env.framemig("3.11", "dump", "999999", "-o", env.tmp / "s.json", "--json")
    assert run.returncode == 64
    assert json.loads(run.stdout) == {"ok": False, "code": 64,
                                      "error": "no process with PID 999999"}


@pytest.fixture
def snapshot(env):
    path = env.tmp / "good.json"
    program = PROGRAMS / "exit_status.py"
    run = env.framemig("3.11", "exec", "--dump-at", f"{program}:7#2", "--dump-to", path, program)
    assert run.returncode == 75
    return path


def _rewrite(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


BAD_INPUTS = {
    "missing": (68, "no such snapshot file", lambda p: p.unlink()),
    "truncated": (69, "truncated", lambda p: p.write_bytes(p.read_bytes()[:-50])),
    "not json": (69, "not a framemig snapshot", lambda p: p.write_bytes(b"\x00\x01binary")),
    "other json": (69, "not a framemig snapshot", lambda p: p.write_text('{"a": 1}')),
    "empty": (69, "is empty", lambda p: p.write_text("")),
    "corrupted value": (69, "checksum", lambda p: _rewrite(
        p, lambda d: d["body"]["stack"][0].update(line=12345))),
    "unknown version": (70, "format 99", lambda p: _rewrite(p, lambda d: d.update(format=99))),
    "tampered source": (71, "does not match its hash", lambda p: _rewrite(
        p, lambda d: d["body"]["sources"]["exit_status.py"].update(
            text="print('evil')\n"))),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.parametrize("command", ["restore", "inspect"])
def test_bad_snapshots(env, snapshot, case, command):
    code, fragment, damage = BAD_INPUTS[case]
    damage(snapshot)
    emit = env.tmp / "emitted"
    extra = ["--emit", emit] if command == "restore" else []
    run = env.framemig("3.12", command, snapshot, *extra)
    assert_one_line(run, code, fragment)
    assert run.stdout == b""
    assert not emit.exists()


def test_program_not_found(env):
    run = env.framemig("3.11", "exec", env.tmp / "nope.py")
    assert_one_line(run, 76, "nope.py")


def test_syntax_error_is_reported_like_python(env, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("print('x'\n")
    plain = env.plain(bad)
    run = env.framemig("3.11", "exec", bad)
    assert run.returncode == plain.returncode == 1
    assert b"SyntaxError" in run.stderr and run.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]


def test_no_traceback_leaks_from_usage_errors(env):
    run = env.framemig("3.11", "dump", "notapid", "-o", "x.json")
    assert run.returncode == 2 and b"Traceback" not in run.stderr
    assert os.path.exists(env.tmp / "run") or True
