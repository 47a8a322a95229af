"""A process that framemig exec or restore started is framemig's from its first instant: a
dump that comes while it still loads (a large snapshot takes a while) waits for it."""

import subprocess
import sys
import time

import pytest

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


# The main thread waits in the import system's module lock (slow.py is being imported by
# another thread) when the request comes: the signal interrupts _ModuleLock.acquire, and
# answering it there by importing (the tracer, the capture) once corrupted the lock's
# bookkeeping: the program died with a KeyError when the import returned.
IMPORTER = '''\
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
loader = threading.Thread(target=__import__, args=("slow",))
loader.start()
while not os.path.exists(os.path.join(HERE, "importing")):
    time.sleep(0.001)
import slow  # waits for the loader's import in the module lock
loader.join()
print("imported", slow.VALUE, flush=True)
n = 0
while not os.path.exists(os.path.join(HERE, "stop")):
    n += 1
    time.sleep(0.01)
print("counted", n > 0, flush=True)
'''

SLOW = '''\
import glob
import importlib._bootstrap as bootstrap
import os
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
open(os.path.join(HERE, "importing"), "w").close()
main = threading.main_thread().ident
while bootstrap._blocking_on.get(main) is None:  # the main thread waits for this import
    time.sleep(0.001)
print("blocked", flush=True)
requests = os.path.join(os.environ["FRAMEMIG_RUN_DIR"], f"{os.getpid()}.req.*.json")
while not glob.glob(requests):  # the request is on its way, then the signal
    time.sleep(0.001)
while glob.glob(requests) and not any(
        thread.name == "framemig-signal-again" for thread in threading.enumerate()):
    time.sleep(0.001)  # until the signal was answered: taken, or put off
VALUE = 42
'''


@pytest.mark.parametrize("version", ["3.11", "3.13"])
def test_dump_while_the_program_waits_for_an_import_lock(env, version):
    program = env.tmp / "importer.py"
    program.write_text(IMPORTER)
    (env.tmp / "slow.py").write_text(SLOW)
    live = Live(env, version, program)
    try:
        live.wait_for(b"blocked")
        dump = env.framemig(version, "dump", live.pid, "-o", env.tmp / "s.json",
                            "--timeout", "30")
        first = live.finish(timeout=30)
    finally:
        live.kill()
    assert dump.returncode == 0, (dump, first)
    assert first.returncode == DUMPED, first
    (env.tmp / "stop").touch()
    rest = env.framemig(version, "restore", env.tmp / "s.json")
    assert rest.returncode == 0, rest
    assert first.stdout.count(b"imported 42") == 1 and rest.stdout == b"counted True\n"
