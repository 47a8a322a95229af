"""The corpus: every program, captured at each marked line, must print what it prints when
run uninterrupted, on the same interpreter and across CPython 3.11, 3.12 and 3.13."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import (
    DUMPED,
    HERE,
    PROGRAMS,
    VERSIONS,
    Hop,
    chain,
    joined,
    markers,
    program_args,
    python,
)

CORPUS = sorted(p for p in PROGRAMS.glob("*.py") if not p.name.startswith("_") and markers(p))
PAIRS = [(a, b) for a in VERSIONS for b in VERSIONS if a != b]


def expected(env, program):
    return env.plain(program, *program_args(program))


def check(program, want, final, runs, what, env=None, final_version=None):
    """Output as one run's; the error output (a traceback) as the final interpreter's."""
    first = runs[0]
    assert first.returncode == DUMPED, f"{what}: capture not reached: {first!r}"
    out, _ = joined(runs)
    assert out == want.stdout, f"{what}: output differs\n{runs!r}"
    assert final.returncode == want.returncode, f"{what}: exit status differs: {final!r}"
    if want.returncode:
        if final_version is not None:
            want = env.plain(program, *program_args(program), version=final_version)
        assert final.stderr == want.stderr, f"{what}: error output differs: {final!r}"


def in_execution_order(program: Path) -> list[tuple[Path, int, int]]:
    """The markers in the order a run reaches them, each with its hit count *since the
    previous one* (a restored process counts from its resume point on)."""
    done = subprocess.run([python("3.11"), str(HERE / "order.py"), str(program),
                           *program_args(program)], capture_output=True, text=True, timeout=120)
    trace = json.loads(done.stdout)
    events = [tuple(e) for e in trace["events"]]
    found, previous = [], -1
    for stop in trace["stops"]:
        where = events[stop]
        hit = sum(1 for e in events[previous + 1: stop + 1] if e == where)
        found.append((Path(where[0]), where[1], hit))
        previous = stop
    return found


@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.stem)
def test_capture_at_each_marker(env, program):
    """exec up to the marker, restore on the same interpreter, for every marker."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    want = expected(env, program)
    for file, line, hit in markers(program):
        final, runs = chain(env, program, [Hop(file, line, hit, version)], version,
                            tuple(program_args(program)))
        check(program, want, final, runs, f"{file.name}:{line}#{hit}", env, version)


@pytest.mark.parametrize("source,target", PAIRS, ids=lambda v: v)
@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.stem)
def test_migrate_between_versions(env, program, source, target):
    """Hop back and forth between two interpreters at every marker, in run order."""
    want = expected(env, program)
    stops = in_execution_order(program)
    assert stops, "no marker is reached"
    hops = [Hop(f, line, hit, (source, target)[n % 2]) for n, (f, line, hit) in enumerate(stops)]
    final_version = (source, target)[len(hops) % 2]
    final, runs = chain(env, program, hops, final_version, tuple(program_args(program)))
    assert len(runs) == len(hops) + 1, f"a capture was not reached: {runs[-1]!r}"
    check(program, want, final, runs, f"{source}->{target}", env, final_version)


def test_five_hops_through_all_versions(env):
    """One program, captured six times in a row, on 3.11, 3.12, 3.13, 3.11, 3.12, 3.13."""
    program = PROGRAMS / "loops.py"
    want = expected(env, program)
    stops = in_execution_order(program)[:6]
    hops = [Hop(f, line, hit, VERSIONS[n % 3]) for n, (f, line, hit) in enumerate(stops)]
    final, runs = chain(env, program, hops, "3.11")
    assert len(runs) == 7
    check(program, want, final, runs, "six hops")
