"""framemig dump PID: capture running programs from outside, at random moments too.

A program a test dumps runs until the test tells it to stop (a file appears), so a slow
machine cannot make it end before the dump arrives; only the random-moment chains take
programs that end on their own, and they accept an end that came first.
"""

import json
import random
import re
import time

import pytest

from tests.harness import DUMPED, PROGRAMS, VERSIONS, Live, Run, dump_after


def restore_chain(env, program, seed, hops, versions):
    """exec, then dump/restore ``hops`` times at random moments, then let it finish."""
    rng = random.Random(seed)
    runs = []
    snapshot = None
    for n in range(hops):
        version = versions[n % len(versions)]
        out = env.tmp / f"snap{n}.json"
        delay = rng.uniform(0.05, 0.35)
        if snapshot is None:
            run, dump = dump_after(env, version, program, delay, out)
        else:
            live = env.popen(version, "restore", snapshot)
            time.sleep(delay)
            dump = env.framemig(version, "dump", live.pid, "-o", out)
            stdout, stderr = live.communicate(timeout=60)
            run = Run(stdout, stderr, live.returncode)
        runs.append(run)
        if dump.returncode != 0:
            assert run.returncode == 0, f"dump failed and the program too: {dump!r} {run!r}"
            return runs, True  # it finished before the dump arrived
        assert run.returncode == DUMPED, f"hop {n}: {run!r}"
        snapshot = out
    runs.append(env.framemig(versions[hops % len(versions)], "restore", snapshot))
    return runs, False


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_moments_across_versions(env, seed):
    program = PROGRAMS / "sleeper.py"
    want = env.plain(program)
    runs, _ = restore_chain(env, program, seed, hops=4, versions=VERSIONS[seed % 3:] + VERSIONS[:seed % 3])
    assert b"".join(r.stdout for r in runs) == want.stdout
    assert runs[-1].returncode == 0


def readings_plainly(env, output: bytes) -> bytes:
    """sleeper.py run plainly up to the last reading ``output`` shows."""
    last = re.findall(rb"^reading (\d+) ", output, flags=re.M)[-1]
    return env.plain(PROGRAMS / "sleeper.py", str(int(last) + 1)).stdout


def test_leave_running_keeps_the_program_going(env):
    program, stop = PROGRAMS / "sleeper.py", env.tmp / "stop"
    live = Live(env, "3.11", program, stop)
    try:
        live.wait_for(b"reading 3")
        dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json",
                            "--leave-running")
        assert dump.returncode == 0, dump
        stop.touch()  # it went on: it ends when told, not by the dump
        whole = live.finish()
    finally:
        live.kill()
    assert whole.stdout == readings_plainly(env, whole.stdout) and whole.returncode == 0
    rest = env.framemig("3.12", "restore", env.tmp / "s.json")  # told to stop already
    assert rest.returncode == 0
    assert readings_plainly(env, rest.stdout).endswith(rest.stdout)
    assert rest.stdout.startswith(b"reading")


def test_tight_loop_is_stopped_and_continues(env):
    program, stop = PROGRAMS / "refuse" / "busy.py", env.tmp / "stop"
    dump, first = Live(env, "3.11", program, stop).dump(env.tmp / "s.json",
                                                        after=b"progress 2000000")
    reply = json.loads(dump.stdout)
    assert reply["ok"] and reply["size"] > 0 and reply["where"].startswith("busy.py:")
    assert first.returncode == DUMPED
    stop.touch()  # the restored copy stops at its next progress line
    rest = env.framemig("3.13", "restore", env.tmp / "s.json")
    steps = re.search(rb"^done (\d+) ", rest.stdout, flags=re.M).group(1).decode()
    assert first.stdout + rest.stdout == env.plain(program, steps).stdout


def test_dump_reports_where_and_timings(env):
    live = Live(env, "3.12", PROGRAMS / "sleeper.py", env.tmp / "stop")
    try:
        live.wait_for(b"reading 1")
        dump = env.framemig("3.12", "dump", live.pid, "-o", env.tmp / "s.json")
        assert dump.returncode == 0, dump
        live.finish()
    finally:
        live.kill()
    text = dump.stdout.decode()
    assert "sleeper.py:" in text and "safe point" in text and "capture" in text


def test_on_restore_hooks_run_before_the_program_continues(env):
    program, stop = PROGRAMS / "refuse" / "hooks_prog.py", env.tmp / "stop"
    live = Live(env, "3.11", program, stop)
    try:
        live.wait_for(b"frame 2")
        dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json")
        assert dump.returncode == 0, dump
        first = live.finish()
    finally:
        live.kill()
    assert first.returncode == DUMPED
    stop.touch()
    rest = env.framemig("3.13", "restore", env.tmp / "s.json")
    assert rest.stdout.endswith(b"reopened 1\n")
    assert env.plain(program).stdout.endswith(b"reopened 0\n")


def until_printed(process, text: bytes, already: bytes = b"") -> bytes:
    """Read ``process``'s output until ``text`` has been printed (``already`` counts)."""
    seen = b""
    while text not in already + seen:
        line = process.stdout.readline()
        assert line, f"it ended before printing {text!r}: {seen!r}"
        seen += line
    return seen


def test_timers_captured_between_timers(env, tmp_path):
    program, stop = tmp_path / "slow_timers.py", tmp_path / "stop"
    program.write_text(  # ticks until told to stop, or N times
        "import os, sys\n"
        "import framemig\n"
        "seen = []\n"
        "def tick():\n"
        "    seen.append(len(seen))\n"
        "    print('tick', len(seen), flush=True)\n"
        "    until = sys.argv[1]\n"
        "    if len(seen) == int(until) if until.isdigit() else os.path.exists(until):\n"
        "        framemig.clear(handle)\n"
        "handle = framemig.set_interval(tick, 0.1)\n"
        "framemig.set_timeout(print, 1.45, 'timeout fired')\n")
    live = Live(env, "3.11", program, stop)
    try:
        live.wait_for(b"tick 2")
        dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json")
        assert dump.returncode == 0, dump
        first = live.finish()
    finally:
        live.kill()
    restored = env.popen("3.12", "restore", env.tmp / "s.json")
    try:
        rest = until_printed(restored, b"timeout fired", first.stdout)  # both timers ran
        stop.touch()
        rest += restored.communicate(timeout=60)[0]
    finally:
        if restored.poll() is None:
            restored.kill()
            restored.communicate()
    assert restored.returncode == 0
    ticks = str(len(re.findall(rb"^tick ", first.stdout + rest, flags=re.M)))
    assert first.stdout + rest == env.plain(program, ticks).stdout


def test_dump_during_sleep_inside_a_library(env, tmp_path):
    program, stop = tmp_path / "scheduled.py", tmp_path / "stop"
    program.write_text(  # sched, a pure-Python library, runs the jobs until told to stop
        "import os, sched, sys, time\n"
        "scheduler = sched.scheduler(time.monotonic, time.sleep)\n"
        "def job(n):\n"
        "    print('job', n, flush=True)\n"
        "    if not os.path.exists(sys.argv[1]):\n"
        "        scheduler.enter(0.3, 1, job, (n + 1,))\n"
        "scheduler.enter(0, 1, job, (0,))\n"
        "scheduler.run()\n"
        "print('done', flush=True)\n")
    dump, first = Live(env, "3.11", program, stop).dump(env.tmp / "s.json", after=b"job 1")
    assert first.returncode == DUMPED
    assert "sched.py:" in json.loads(dump.stdout)["where"]  # inside the library
    stop.touch()
    rest = env.framemig("3.11", "restore", env.tmp / "s.json")
    lines = (first.stdout + rest.stdout).decode().splitlines()
    assert lines == [f"job {n}" for n in range(len(lines) - 1)] + ["done"], lines


def test_no_capture_inside_the_standard_library(env, tmp_path):
    """The standard library's code is another version's on another interpreter (3.13's
    re._compile uses a _cache2 3.11's re has not): a capture waits until it returns to
    the program, however much of the time the program spends there."""
    program, stop = tmp_path / "wrapping.py", tmp_path / "stop"
    program.write_text(
        "import difflib, os, sys, textwrap\n"
        "words = ' '.join(f'word{i % 97}' for i in range(4000))\n"
        "n = 0\n"
        "while not os.path.exists(sys.argv[1]):\n"
        "    lines = textwrap.wrap(words, 37 + n % 5)\n"
        "    ratio = difflib.SequenceMatcher(None, lines[0], lines[1]).ratio()\n"
        "    print(n, len(lines), round(ratio, 3), flush=True)\n"
        "    n += 1\n")
    dump, first = Live(env, "3.13", program, stop).dump(env.tmp / "s.json", lines=3)
    assert first.returncode == DUMPED
    assert json.loads(dump.stdout)["where"].startswith("wrapping.py:"), dump.stdout
    stop.touch()
    rest = env.framemig("3.11", "restore", env.tmp / "s.json")
    assert rest.returncode == 0, rest
    printed = (first.stdout + rest.stdout).decode().splitlines()
    assert [int(line.split()[0]) for line in printed] == list(range(len(printed)))
