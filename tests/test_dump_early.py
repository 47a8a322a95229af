"""A process that framemig exec or restore started is framemig's from its first instant: a
dump that comes while it still loads (a large snapshot takes a while) waits for it."""

import subprocess
import sys
import time

from tests.harness import DUMPED, Live

# A few MB of strings in the program's globals: restoring them takes a noticeable time.
PROGRAM = '''\
import os
import time

STOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stop")
data = [f"entry {i:07d} of the large state" for i in range(120_000)]
print("ready", len(data), flush=True)
waited = 0
while not os.path.exists(STOP):
    time.sleep(0.01)
    waited += 1
print("checksum", sum(len(s) for s in data), data[-1], flush=True)
'''


def test_dump_of_a_restore_that_is_still_loading(env):
    program = env.tmp / "large_state.py"
    program.write_text(PROGRAM)
    (env.tmp / "stop").touch()
    want = env.plain(program)
    (env.tmp / "stop").unlink()

    live = Live(env, "3.11", program)
    try:
        live.wait_for(b"ready")
        first_snapshot = env.tmp / "first.json"
        dump = env.framemig("3.11", "dump", live.pid, "-o", first_snapshot, "--timeout", "60")
        assert dump.returncode == 0, dump
        first = live.finish()
    finally:
        live.kill()
    assert first.returncode == DUMPED, first
    assert first_snapshot.stat().st_size > 2_000_000

    # dump the restoring process at once: it is still reading and decoding the snapshot
    restoring = env.popen("3.11", "restore", first_snapshot)
    try:
        second_snapshot = env.tmp / "second.json"
        dump = env.framemig("3.11", "dump", restoring.pid, "-o", second_snapshot,
                            "--timeout", "60")
        if dump.returncode != 0:
            restoring.kill()  # it would wait for the stop file forever
        stdout, stderr = restoring.communicate(timeout=120)
    finally:
        if restoring.poll() is None:
            restoring.kill()
            restoring.communicate()
    assert dump.returncode == 0, (dump, stderr)
    assert restoring.returncode == DUMPED, stderr
    assert stdout == b""

    (env.tmp / "stop").touch()
    rest = env.framemig("3.11", "restore", second_snapshot)
    assert rest.returncode == 0, rest
    assert first.stdout + stdout + rest.stdout == want.stdout


def test_dump_of_an_exec_that_just_started(env):
    program = env.tmp / "large_state.py"
    program.write_text(PROGRAM)
    (env.tmp / "stop").touch()
    want = env.plain(program, version="3.12")
    (env.tmp / "stop").unlink()
    process = env.popen("3.12", "exec", program)
    try:
        dump = env.framemig("3.12", "dump", process.pid, "-o", env.tmp / "s.json",
                            "--timeout", "60")
        if dump.returncode != 0:
            process.kill()  # it would wait for the stop file forever
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert dump.returncode == 0, (dump, stderr)
    assert process.returncode == DUMPED, stderr
    (env.tmp / "stop").touch()
    rest = env.framemig("3.12", "restore", env.tmp / "s.json")
    assert rest.returncode == 0, rest
    assert stdout + rest.stdout == want.stdout


def test_a_process_that_is_not_framemig_is_refused_at_once(env):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = time.monotonic()
        dump = env.framemig("3.11", "dump", other.pid, "-o", env.tmp / "s.json",
                            "--timeout", "60")
        took = time.monotonic() - started
    finally:
        other.kill()
        other.wait()
    assert dump.returncode == 65, dump
    assert b"not started by framemig" in dump.stderr
    assert took < 30  # not the 60 s timeout: nothing to wait for


def test_a_restore_that_fails_while_starting_is_reported(env):
    """A dump waiting for a restore that never becomes ready ends when the process does."""
    broken = env.tmp / "broken.json"
    broken.write_text("{not json")
    process = env.popen("3.11", "restore", broken)
    try:
        dump = env.framemig("3.11", "dump", process.pid, "-o", env.tmp / "s.json",
                            "--timeout", "60")
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 69
    # it ended before it was ready: no such process
    assert dump.returncode == 64, dump
