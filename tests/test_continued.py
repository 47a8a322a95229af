"""Issue 10: every capture can be continued. Each test is a class of failure seen on code
nobody here wrote, reduced to a program in tests/programs/continued/."""

import random

import pytest

from framemig.snapshot import format as snapshot_format
from tests.harness import DUMPED, PROGRAMS, VERSIONS, Hop, Live, chain, joined

HERE = PROGRAMS / "continued"
PAIRS = [(a, b) for a in VERSIONS for b in VERSIONS]


def line_of(program, mark: str) -> int:
    for number, text in enumerate(program.read_text().splitlines(), 1):
        if mark in text:
            return number
    raise AssertionError(f"no {mark} in {program}")


def same_as_plain(env, program, hops, final_version, args=()):
    # what the program prints last is the final interpreter's (3.14 starts a script
    # with no __annotations__)
    want = env.plain(program, *args, version=final_version)
    final, runs = chain(env, program, hops, final_version, tuple(args))
    assert runs[0].returncode == DUMPED, f"capture not reached: {runs[0]!r}"
    assert joined(runs)[0] == want.stdout, f"output differs: {runs!r}"
    assert final.returncode == want.returncode, f"exit status differs: {final!r}"
    return runs


@pytest.mark.parametrize("source,target", PAIRS, ids=lambda v: v)
@pytest.mark.parametrize("name,mark,hit", [
    ("with_return.py", "LOAD-LINE", 7),  # 7th reach of the line: leaving the block
    ("fstring_lines.py", "SECOND-LINE", 5),
    ("class_cycle.py", "CAPTURE", 3),
    ("locals_clean.py", "IN-WORK", 1500),
    ("locals_clean.py", "IN-INIT", 700),
    ("drivers.py", "IN-WORKER", 2500),
    ("drivers.py", "IN-LEAF", 4000),
    ("comprehensions_x.py", "IN-ITERABLE", 2),
    ("comprehensions_x.py", "COMP-LINE", 2),
    ("comprehensions_x.py", "COMP-LINE", 3),
    ("comprehensions_x.py", "UNDER-COUNTER", 7),
    ("comprehensions_x.py", "IN-KEY", 2),
    ("super_shared_defaults.py", "CAPTURE", 2),
    ("cellvar_after_comprehension.py", "CAPTURE", 7),
    ("statement_start_comprehension.py", "CAPTURE", 1),
    ("init_comprehension.py", "CAPTURE", 20),
    ("comprehension_iterable_line.py", "CAPTURE", 1),
    ("comprehension_cells.py", "IN-COMP", 2),  # inside the comprehension
    ("comprehension_cells.py", "AFTER-COMP", 2),
    ("many_locals.py", "CAPTURE", 2),
    ("freevar_comprehension.py", "IN-COMP", 7),
    ("module_comprehensions.py", "IN-ELEMENT", 3),
    ("module_comprehensions.py", "IN-ELEMENT", 30),
    ("positional_only.py", "CAPTURE", 2),
], ids=lambda v: v if isinstance(v, str) else str(v))
def test_captured_where_it_used_to_break(env, name, mark, hit, source, target):
    """exec on one interpreter up to the line, restore on another: as an uninterrupted
    run, on every pair of versions."""
    program = HERE / name
    same_as_plain(env, program, [Hop(program, line_of(program, mark), hit, source)], target)


def test_a_statement_in_progress_is_not_a_safe_point(env):
    """Asked to stop on the `with` line while a `return` leaves the block, the program
    stops at the next statement that starts instead, and says so in the snapshot."""
    program = HERE / "with_return.py"
    line = line_of(program, "LOAD-LINE")
    runs = same_as_plain(env, program, [Hop(program, line, 2, "3.11")], "3.11")
    assert runs[0].returncode == DUMPED
    top = snapshot_format.read(str(env.tmp / "hop0.json"), trust_unsigned=True)["stack"][-1]
    assert (top["code"]["qualname"], top["line"]) != ("load", line)


def test_three_hops_keep_locals_clean(env):
    """Restored twice, then captured again: still no framemig names anywhere."""
    program = HERE / "locals_clean.py"
    line = line_of(program, "IN-WORK")
    hops = [Hop(program, line, 300, "3.11"), Hop(program, line, 2100, "3.13"),
            Hop(program, line_of(program, "IN-INIT"), 900, "3.12")]
    runs = same_as_plain(env, program, hops, "3.11")
    assert b".fm_" not in joined(runs)[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_dump_while_c_code_drives_program_code(env, seed):
    """list() consuming a program generator is no safe point; the one after it is, and
    `framemig dump` gets it (it used to wait until its timeout)."""
    program = HERE / "queens.py"
    version = VERSIONS[seed % 3]
    want = env.plain(program, "30")
    live = Live(env, version, program, "30")
    try:
        live.wait_for(b"%d " % random.Random(seed).randrange(1, 4))
        dump = env.framemig(version, "dump", live.pid, "-o", env.tmp / "q.json",
                            "--timeout", "60")
        assert dump.returncode == 0, dump
        first = live.finish()
    finally:
        live.kill()
    assert first.returncode == DUMPED, first
    rest = env.framemig(VERSIONS[(seed + 1) % 3], "restore", env.tmp / "q.json")
    assert first.stdout + rest.stdout == want.stdout, rest
    assert rest.returncode == 0


def test_dump_during_an_import_waits_for_it(env, monkeypatch):
    """A dump that arrives while the program imports its own slow module is answered
    'waiting', and is taken at the first line after the import."""
    from framemig.runtime import client

    program = HERE / "importer.py"
    flag = env.tmp / "import-may-end"
    want = env.plain(program)
    live = Live(env, "3.11", program, str(flag))
    monkeypatch.setenv("FRAMEMIG_RUN_DIR", str(env.tmp / "run"))
    seen = []

    def progress(update):
        seen.append(update)
        if update.get("state") == "waiting":
            flag.touch()  # the dump waits inside the import: let the import end

    try:
        live.wait_for(b"inside the import")
        ticket = client.ask(live.pid, "exit", str(env.tmp / "imp.json"), 60.0, progress)
        ticket.close()
        first = live.finish()
    finally:
        live.kill()
    assert any(u.get("state") == "waiting" for u in seen), seen
    assert ticket.reply["where"].startswith("importer.py:"), ticket.reply
    assert first.returncode == DUMPED, first
    rest = env.framemig("3.12", "restore", "--trust-unsigned", env.tmp / "imp.json")
    assert first.stdout + rest.stdout == want.stdout, rest


def test_a_dump_after_one_that_timed_out_is_taken(env, monkeypatch):
    """A dump that gave up while the program was inside an import (no line ran to notice
    the deadline) does not leave the program 'busy': the next dump is answered."""
    from framemig.runtime import client

    program = HERE / "importer.py"
    flag = env.tmp / "import-may-end"
    want = env.plain(program)
    live = Live(env, "3.11", program, str(flag))
    monkeypatch.setenv("FRAMEMIG_RUN_DIR", str(env.tmp / "run"))
    try:
        live.wait_for(b"inside the import")
        first = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "a.json",
                             "--timeout", "0.2")
        assert first.returncode == 66, first

        def progress(update):
            if update.get("state") == "waiting":
                flag.touch()

        ticket = client.ask(live.pid, "exit", str(env.tmp / "b.json"), 60.0, progress)
        ticket.close()
        ended = live.finish()
    finally:
        live.kill()
    assert ended.returncode == DUMPED, ended
    rest = env.framemig("3.13", "restore", "--trust-unsigned", env.tmp / "b.json")
    assert ended.stdout + rest.stdout == want.stdout, rest
