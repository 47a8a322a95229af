"""The short fuzz runs (issue 13): a few hundred mutated snapshots through restore and
mutated commands at a real node, none crashing, tracing back or hanging. ``make fuzz``
runs 10^5 of each (tests/fuzz/)."""

import re
import sys

import pytest

from tests.harness import HERE


@pytest.mark.parametrize("what, examples", [("snapshots", 150), ("messages", 200)])
def test_hostile_input_is_survived(env, what, examples):
    run = env.run([sys.executable, "-m", "tests.fuzz", what, "--examples", str(examples),
                   "--work", str(env.tmp / "fuzz")], cwd=HERE.parent, timeout=900)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-4000:]
    summary = run.stdout.decode().strip().splitlines()[-1]
    assert re.match(rf"fuzz {what}: \d+ examples, none failed", summary), summary
    if what == "snapshots":  # both ways out were taken: refused, and rebuilt and run
        assert "refused 69" in summary and "'ran'" in summary, summary
