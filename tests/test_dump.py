"""framemig dump PID: capture running programs from outside, at random moments too."""

import json
import random
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


def test_leave_running_keeps_the_program_going(env):
    program = PROGRAMS / "sleeper.py"
    want = env.plain(program)
    live = Live(env, "3.11", program)
    live.wait_for(b"reading 3")
    dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json", "--leave-running")
    assert dump.returncode == 0, dump
    whole = live.finish()
    assert whole.stdout == want.stdout and whole.returncode == 0
    rest = env.framemig("3.12", "restore", env.tmp / "s.json")
    assert rest.returncode == 0
    assert want.stdout.endswith(rest.stdout) and rest.stdout.startswith(b"reading")


def test_tight_loop_is_stopped_and_continues(env):
    program = PROGRAMS / "refuse" / "busy.py"
    want = env.plain(program, "6000000")
    live = Live(env, "3.11", program, "6000000")
    live.wait_for(b"progress 2000000")
    dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json", "--json")
    first = live.finish()
    assert dump.returncode == 0, dump
    reply = json.loads(dump.stdout)
    assert reply["ok"] and reply["size"] > 0 and reply["where"].startswith("busy.py:")
    assert first.returncode == DUMPED
    rest = env.framemig("3.13", "restore", env.tmp / "s.json")
    assert first.stdout + rest.stdout == want.stdout


def test_dump_reports_where_and_timings(env):
    live = Live(env, "3.12", PROGRAMS / "sleeper.py")
    live.wait_for(b"reading 1")
    dump = env.framemig("3.12", "dump", live.pid, "-o", env.tmp / "s.json")
    live.finish()
    assert dump.returncode == 0
    text = dump.stdout.decode()
    assert "sleeper.py:" in text and "safe point" in text and "capture" in text


def test_on_restore_hooks_run_before_the_program_continues(env):
    program = PROGRAMS / "refuse" / "hooks_prog.py"
    first, dump = dump_after(env, "3.11", program, 0.5, env.tmp / "s.json")
    assert dump.returncode == 0 and first.returncode == DUMPED
    rest = env.framemig("3.13", "restore", env.tmp / "s.json")
    assert rest.stdout.endswith(b"reopened 1\n")
    assert env.plain(program).stdout.endswith(b"reopened 0\n")


def test_timers_captured_between_timers(env, tmp_path):
    program = tmp_path / "slow_timers.py"
    program.write_text(
        "import framemig\n"
        "seen = []\n"
        "def tick():\n"
        "    seen.append(len(seen))\n"
        "    print('tick', len(seen), flush=True)\n"
        "    if len(seen) == 30:\n"
        "        framemig.clear(handle)\n"
        "handle = framemig.set_interval(tick, 0.1)\n"
        "framemig.set_timeout(print, 1.45, 'timeout fired')\n")  # seconds to spare for dump
    want = env.plain(program)
    live = Live(env, "3.11", program)
    live.wait_for(b"tick 2")
    dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json")
    first = live.finish()
    assert dump.returncode == 0, dump
    rest = env.framemig("3.12", "restore", env.tmp / "s.json")
    assert first.stdout + rest.stdout == want.stdout


def test_dump_during_sleep_inside_a_library(env):
    program = PROGRAMS / "library_frames.py"
    want = env.plain(program, "1.5")
    live = Live(env, "3.11", program, "1.5")
    live.wait_for(b"job a")
    dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json")
    first = live.finish()
    assert dump.returncode == 0, dump
    rest = env.framemig("3.11", "restore", env.tmp / "s.json")
    assert first.stdout + rest.stdout == want.stdout
