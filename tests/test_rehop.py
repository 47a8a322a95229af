"""Restored programs captured again: the frames a restore made are program frames like
any other, and a second and third hop must read them as the first hop read the original
ones (faker's nested constructors lost their class call on the second hop)."""

import pytest

from tests.harness import DUMPED, PROGRAMS, VERSIONS, Hop, chain, joined

HERE = PROGRAMS / "rehop"
CHAINS = [("3.11", "3.11", "3.11"), ("3.13", "3.13", "3.13"), ("3.11", "3.12", "3.13"),
          ("3.13", "3.12", "3.11")]
if "3.14" in VERSIONS:  # given an interpreter (FRAMEMIG_PYTHON_3_14)
    CHAINS += [("3.14", "3.14", "3.14"), ("3.14", "3.11", "3.13"), ("3.12", "3.14", "3.11")]


def line_of(program, mark: str) -> int:
    for number, text in enumerate(program.read_text().splitlines(), 1):
        if mark in text:
            return number
    raise AssertionError(f"no {mark} in {program}")


@pytest.mark.parametrize("versions", CHAINS, ids="->".join)
def test_constructor_inside_constructor(env, versions):
    program = HERE / "nested_init.py"
    line = line_of(program, "CAPTURE")
    first, second, last = versions
    want = env.plain(program)
    final, runs = chain(env, program, [Hop(program, line, 500, first),
                                       Hop(program, line, 50, second)], last)
    assert [run.returncode for run in runs[:2]] == [DUMPED, DUMPED], runs
    assert joined(runs)[0] == want.stdout, f"output differs: {runs!r}"
    assert final.returncode == want.returncode, final
