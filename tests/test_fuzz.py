"""The short fuzz runs (issue 13): a few hundred mutated snapshots through restore and
mutated commands at a real node, none crashing, tracing back or hanging. ``make fuzz``
runs 10^5 of each (tests/fuzz/)."""

import re
import sys

import pytest

from tests.harness import HERE, VERSIONS, python


@pytest.mark.parametrize("what, examples", [("snapshots", 150), ("messages", 200)])
def test_hostile_input_is_survived(env, what, examples):
    run = env.run([sys.executable, "-m", "tests.fuzz", what, "--examples", str(examples),
                   "--work", str(env.tmp / "fuzz")], cwd=HERE.parent, timeout=900)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-4000:]
    summary = run.stdout.decode().strip().splitlines()[-1]
    assert re.match(rf"fuzz {what}: \d+ examples, none failed", summary), summary
    if what == "snapshots":  # both ways out were taken: refused, and rebuilt and run
        assert "refused 69" in summary and "'ran'" in summary, summary


@pytest.mark.parametrize("version", VERSIONS)
def test_no_stack_slot_of_the_wrong_type_crashes_the_interpreter(env, version):
    """Every saved stack value of the seeds, replaced by values of the wrong type: refused
    or run, on each interpreter (the fuzzer found LIST_APPEND's list and a 3.11
    comprehension's iterator crashing CPython)."""
    run = env.run([python(version), "-m", "tests.fuzz", "slots", "--work",
                   str(env.tmp / "slots")], cwd=HERE.parent, timeout=900)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-4000:]
    summary = run.stdout.decode().strip().splitlines()[-1]
    assert re.match(r"fuzz slots: \d+ examples, none failed", summary), summary
    assert "'refused'" in summary, summary
