"""Programs whose file names and arguments hold quotes, backslashes, newlines, comment and
string delimiters restore like any other: the resume module embeds every value quoted."""

import pytest

from tests.harness import DUMPED

PROGRAM = '''\
import os
import sys
print("argv", sys.argv[1:], os.path.basename(sys.argv[0]), flush=True)
total = 0
for i in range(4):
    total += i
    print("i", i, total, flush=True)
print("end", os.path.basename(__file__), total)
'''
LINE = 7  # the print in the loop

ARGS = ('a"""b', "c\nd", "e\\f", "*/ # g", "'''", "h\x07i\r")

NAMES = [
    "we\\ird\"name'#.py",
    "new\nline \"\"\" .py",
    "col:on#3 * '''.py",
]


@pytest.mark.parametrize("name", NAMES, ids=["backslash-quotes", "newline", "colon-hash"])
def test_odd_names_and_arguments_restore(env, name):
    directory = env.tmp / "odd \"dir' \\ #"
    directory.mkdir()
    program = directory / name
    program.write_text(PROGRAM)
    want = env.plain(program, *ARGS)
    assert want.returncode == 0, want

    snapshot = env.tmp / "s.json"
    first = env.framemig("3.11", "exec", "--dump-at", f"{program}:{LINE}#2",
                         "--dump-to", snapshot, program, *ARGS)
    assert first.returncode == DUMPED, first
    emitted = env.tmp / "emitted"
    rest = env.framemig("3.11", "restore", snapshot, "--emit", emitted)
    assert rest.returncode == 0, rest
    assert b"Traceback" not in rest.stderr, rest
    assert first.stdout + rest.stdout == want.stdout

    modules = list(emitted.glob("resume_*.py"))
    assert len(modules) == 1
    text = modules[0].read_text(encoding="utf-8")
    compile(text, str(modules[0]), "exec")
    # the emitted module continues the program by itself too
    again = env.run([env_python(), str(modules[0])])
    assert again.returncode == 0, again
    assert first.stdout + again.stdout == want.stdout


def test_odd_name_restores_on_another_version(env):
    program = env.tmp / NAMES[0]
    program.write_text(PROGRAM)
    want = env.plain(program, *ARGS)
    snapshot = env.tmp / "s.json"
    first = env.framemig("3.12", "exec", "--dump-at", f"{program}:{LINE}#3",
                         "--dump-to", snapshot, program, *ARGS)
    assert first.returncode == DUMPED, first
    rest = env.framemig("3.13", "restore", snapshot)
    assert rest.returncode == 0, rest
    assert first.stdout + rest.stdout == want.stdout


def test_resume_module_quotes_every_snapshot_field():
    """Text fields of a snapshot (a hand-made one too) cannot break the module."""
    from framemig.restore import module_text

    nasty = 'x"""y\'\'\'z\\N{\n#*/\r\x00\x0c\u2028\udcff'
    body = {
        "created": nasty,
        "hops": nasty,
        "program": {"main": nasty + ".py", "argv": [nasty]},
        "interpreter": {"implementation": nasty, "version_string": nasty,
                        "system": nasty, "machine": nasty},
        "stack": [
            {"code": {"source": nasty, "qualname": nasty}, "line": nasty,
             "at": {"line": nasty, "col": nasty}, "locals": {nasty: nasty},
             "stack": [{}]},
            {"code": {"source": nasty, "qualname": nasty}, "line": 3,
             "link": {"kind": "redo", "method": nasty}},
            {"code": {"source": nasty, "qualname": nasty}, "line": 3,
             "link": {"kind": "sleep", "remaining": nasty}},
            {"code": {"source": nasty, "qualname": nasty}, "line": 3,
             "link": {"kind": "gen", "via": nasty}},
        ],
        "objects": [],
        "runtime": {"timers": 1},
    }
    text = module_text.render(body, "/tmp/" + nasty)
    text.encode("utf-8")  # writable as a file
    namespace = {}
    exec(compile(text, "<resume>", "exec"), namespace)
    assert namespace["SNAPSHOT"] == "/tmp/" + nasty
    for line in text.splitlines():
        assert line.isprintable(), line


def env_python():
    from tests.harness import python

    return python("3.11")
