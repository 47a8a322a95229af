"""Issue 11: the world around the program travels. Each test is a kind of state a
restored program lost, reduced to a program in tests/programs/world/, run plainly and
under `framemig exec --dump-at` then `framemig restore`, on one interpreter and across
two: the outputs must be the same."""

import hashlib
import json
import shutil

import pytest

from tests.harness import DUMPED, PROGRAMS, Hop, Live, chain, joined, markers

HERE = PROGRAMS / "world"
PAIRS = [("3.11", "3.11"), ("3.12", "3.13"), ("3.13", "3.11")]
pairs = pytest.mark.parametrize("source,target", PAIRS, ids=lambda v: v)


def copied(env, name: str):
    """The program in a folder of its own: it writes beside itself."""
    folder = env.tmp / "prog"
    shutil.copytree(HERE, folder, dirs_exist_ok=True)
    return folder / name


def same_as_plain(env, program, source, target):
    want = env.plain(program, version=source)
    assert want.returncode == 0, want
    shutil.rmtree(program.parent / "work", ignore_errors=True)
    file, line, hit = markers(program)[0]
    final, runs = chain(env, program, [Hop(file, line, hit, source)], target)
    assert runs[0].returncode == DUMPED, f"capture not reached: {runs[0]!r}"
    assert joined(runs)[0] == want.stdout, f"output differs: {runs!r}"
    assert final.returncode == want.returncode, f"exit status differs: {final!r}"


@pairs
def test_process_state(env, source, target):
    """1. Working directory, environment (the program's changes only), sys.path
    additions, umask, warnings filters, recursion and int-digit limits, blockers."""
    env.extra["FRAMEMIG_TEST_DROPPED"] = "the program unsets it"
    env.extra["FRAMEMIG_TEST_KEPT"] = "given by whoever started it"
    same_as_plain(env, copied(env, "process.py"), source, target)


@pairs
def test_decimal_context(env, source, target):
    """2. decimal's context: precision, rounding, traps; a localcontext() in force."""
    same_as_plain(env, copied(env, "decimal_context.py"), source, target)


@pairs
def test_logging_configuration(env, source, target):
    """2. logging: levels, handlers (stdout, a StringIO, a file appended to), formatters,
    filters, adapters, logging.disable."""
    same_as_plain(env, copied(env, "logging_config.py"), source, target)


@pairs
def test_threads_as_objects(env, source, target):
    """4. A finished thread, a thread not started yet, a cancelled Timer."""
    same_as_plain(env, copied(env, "threads.py"), source, target)


def test_running_thread_refused_at_once(env):
    """4. A running thread is refused at once (67), named with where it runs."""
    stop = env.tmp / "stop"
    live = Live(env, "3.11", HERE / "live_thread.py", str(stop))
    try:
        live.wait_for(b"tick 2")
        dump = env.framemig("3.11", "dump", live.pid, "-o", env.tmp / "s.json",
                            "--timeout", "60")
        text = dump.stderr.decode()
        assert dump.returncode == 67, dump
        assert "'poller'" in text and "live_thread.py" in text, text
        assert text.count("\n") == 1, text
        stop.touch()
        finished = live.finish()
    finally:
        live.kill()
    assert finished.returncode == 0 and finished.stdout.endswith(b"done\n"), finished


@pairs
def test_inside_json(env, source, target):
    """6. json's C scanner, held by the decoder whose frames run."""
    same_as_plain(env, copied(env, "json_inside.py"), source, target)


@pairs
def test_exit_and_signal_handlers(env, source, target):
    """1. The program's atexit handlers (not the libraries') and signal handlers."""
    same_as_plain(env, copied(env, "handlers.py"), source, target)


@pairs
def test_numpy(env, source, target):
    """7. numpy arrays in their compact form (views still sharing memory), and numpy's
    global state: the legacy generator, print options, error handling."""
    same_as_plain(env, copied(env, "numpy_state.py"), source, target)


@pairs
def test_iterated_files_and_csv(env, source, target):
    """5. ``for line in f`` over text files in both newline modes, csv readers (with their
    line numbers) and a csv writer."""
    same_as_plain(env, copied(env, "iterated_files.py"), source, target)


@pairs
def test_written_files(env, source, target):
    """5. Files open for writing, reopened where they are the same file."""
    same_as_plain(env, copied(env, "written_files.py"), source, target)


def test_written_file_changed_on_the_target_is_refused(env):
    """5. ... and where the file is not as the program left it, the restore says so in one
    line (72): the program is not continued writing into something else."""
    program = copied(env, "written_files.py")
    file, line, hit = markers(program)[0]
    snapshot = env.tmp / "w.json"
    first = env.framemig("3.11", "exec", "--dump-at", f"{file}:{line}#{hit}", "--dump-to",
                         snapshot, program)
    assert first.returncode == DUMPED, first
    (program.parent / "work" / "report.txt").write_text("changed\n")
    final = env.framemig("3.11", "restore", snapshot)
    assert final.returncode == 72, final
    text = final.stderr.decode()
    assert "report.txt" in text and "open for writing" in text and text.count("\n") == 1, text


def test_parsers_dumped_while_they_run(env):
    """6. ElementTree and json parsing: a dump asked for while their C code or the
    standard library's frames run is made when they return (it was refused: "open file
    without a path", "_json.Encoder"), and the program goes on elsewhere."""
    program, stop = copied(env, "parsers.py"), env.tmp / "stop"
    _dump, first = Live(env, "3.12", program, str(stop)).dump(env.tmp / "p.json", lines=3)
    assert first.returncode == DUMPED, first
    stop.touch()
    rest = env.framemig("3.11", "restore", env.tmp / "p.json")
    assert rest.returncode == 0, rest
    lines = (first.stdout + rest.stdout).decode().splitlines()
    assert [int(line.split()[0]) for line in lines] == list(range(len(lines))), lines
    for line in lines:
        i, total, count, digest = line.split()
        data = {"items": [{"k": k} for k in range(2000)], "round": int(i)}
        want = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
        assert (total, count, digest) == ("4498500", "2000", want), line
