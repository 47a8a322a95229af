"""exec behaves like python; inspect shows a snapshot; restore --emit leaves a runnable
resume module."""

import json
import subprocess
import sys

from tests.harness import DUMPED, PROGRAMS, python


def test_exec_passes_stdin_argv_and_exit_status(env, tmp_path):
    program = tmp_path / "echo.py"
    program.write_text(
        "import sys\n"
        "data = sys.stdin.read()\n"
        "print(sys.argv[1:], data.upper(), end='')\n"
        "sys.stderr.write('to stderr\\n')\n"
        "sys.exit(int(sys.argv[1]))\n")
    for runner in ([python("3.11"), str(program)],
                   [python("3.11"), "-m", "framemig", "exec", str(program)]):
        done = subprocess.run([*runner, "4", "--flag"], input=b"hello\n", capture_output=True,
                              env=env.vars(), timeout=60)
        assert done.returncode == 4
        assert done.stdout == b"['4', '--flag'] HELLO\n"
        assert done.stderr == b"to stderr\n"


def test_programs_can_use_framemig_under_plain_python(env):
    plain = env.plain(PROGRAMS / "timers_prog.py")
    under = env.framemig("3.11", "exec", PROGRAMS / "timers_prog.py")
    assert plain.returncode == under.returncode == 0
    assert plain.stdout == under.stdout and b"once hello" in plain.stdout


def test_uncaught_exception_traceback_matches_python(env):
    program = PROGRAMS / "exit_error.py"
    plain = env.plain(program)
    under = env.framemig("3.11", "exec", program)
    assert under.returncode == plain.returncode == 1
    assert under.stderr == plain.stderr


def snapshot_of(env, program, where, version="3.11"):
    path = env.tmp / "s.json"
    run = env.framemig(version, "exec", "--dump-at", f"{program}:{where}", "--dump-to", path,
                       program)
    assert run.returncode == DUMPED, run
    return path


def test_inspect_shows_program_stack_scopes(env):
    path = snapshot_of(env, PROGRAMS / "closures.py", "31#2")
    env.extra["COLUMNS"] = "200"
    shown = env.framemig("3.11", "inspect", path)
    text = shown.stdout.decode()
    assert shown.returncode == 0
    for fragment in ("closures.py", "outer.<locals>.inner", "waiting for inner()",
                     "secret=<cell ['s', 1, 2]>", "make_counter.<locals>.increment",
                     "shared with make_counter.<locals>.read", "3.11"):
        assert fragment in text, fragment


def test_inspect_json(env):
    path = snapshot_of(env, PROGRAMS / "timers_prog.py", "9#2")
    data = json.loads(env.framemig("3.12", "inspect", path, "--json").stdout)
    assert data["interpreter"]["version"].startswith("3.11")
    assert [f["function"] for f in data["stack"]] == ["tick"]
    assert data["root"] == "callback"
    assert {t["callback"] for t in data["timers"]} >= {"<function tick>"}
    assert data["sources"]["timers_prog.py"]["role"] == "program"


def test_emit_writes_a_resume_module_that_runs(env):
    path = snapshot_of(env, PROGRAMS / "loops.py", "9#7")
    want = env.plain(PROGRAMS / "loops.py")
    emit = env.tmp / "emitted"
    rest = env.framemig("3.11", "restore", path, "--emit", emit)
    module = emit / "resume_loops.py"
    text = module.read_text()
    assert "loops.py:9  <module>" in text and "def resume(" in text
    assert (emit / "s.json").exists()
    again = env.run([python("3.11"), str(module)])
    assert again.stdout == rest.stdout and again.returncode == rest.returncode == 0
    assert want.stdout.endswith(rest.stdout)


def test_version_and_help(env):
    assert env.framemig("3.11", "--version").stdout.startswith(b"framemig, version")
    helped = env.framemig("3.11", "--help").stdout.decode()
    for command in ("exec", "dump", "restore", "inspect"):
        assert command in helped
    assert "Exit codes" in helped
    assert sys.version_info >= (3, 11)
