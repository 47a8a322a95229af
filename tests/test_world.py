"""What is the program, and what travels: a virtual environment in the program's directory
(the README's "Try it": `.venv` beside `counter.py`) is installed libraries, not program
modules; a snapshot carries the modules the program loaded, not every file beside it."""

import os
import shutil
import subprocess
import sys

from framemig.snapshot import format as snapshot_format
from tests.harness import DUMPED, Run, python

COUNTER = '''\
import os
import time

import fancylib
import helper
import vendored

GO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go")
total = 0
for n in range(5):
    total += fancylib.double(n) + helper.one()
    print("n", n, "total", total, flush=True)
    while n == 1 and not os.path.exists(GO):
        time.sleep(0.01)
import late_mod  # noqa: E402  (imported only after the restore)

print("done", fancylib.NAME, vendored.NAME, late_mod.VALUE, flush=True)
'''

SECRET = "hunter2-do-not-travel"


def _purelib(interpreter) -> str:
    return subprocess.run([str(interpreter), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def _program_with_a_venv(root):
    """``root`` holds counter.py, its modules, an unimported settings_local.py, a vendored
    virtual environment, and ``.venv``: a virtualenv with framemig installed in editable
    mode (the finder pip writes) and an installed module the program imports."""
    root.mkdir()
    subprocess.run([python("3.11"), "-m", "venv", "--without-pip", str(root / ".venv")],
                   check=True)
    venv_python = root / ".venv" / "bin" / "python"
    site = _purelib(venv_python)
    assert site.startswith(str(root)), site
    here = _purelib(python("3.11"))
    for name in os.listdir(here):  # framemig, installed as `pip install -e .` installs it
        if name.startswith("__editable__") and "framemig" in name:
            shutil.copy(os.path.join(here, name), site)
    with open(os.path.join(site, "zz_dependencies.pth"), "w") as handle:
        handle.write(here + "\n")  # click, psutil... from the test's own environment
    with open(os.path.join(site, "fancylib.py"), "w") as handle:
        handle.write("NAME = 'fancy'\n\ndef double(n):\n    return 2 * n\n")
    (root / "vendor_env" / "lib").mkdir(parents=True)
    (root / "vendor_env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "vendor_env" / "lib" / "vendored.py").write_text("NAME = 'vendored'\n")
    (root / "helper.py").write_text("def one():\n    return 1\n")
    (root / "late_mod.py").write_text("VALUE = 'late'\n")
    (root / "settings_local.py").write_text(f"PASSWORD = {SECRET!r}\n")
    (root / "counter.py").write_text(COUNTER)
    return venv_python


def test_try_it_with_a_venv_in_the_program_directory(env):
    root = env.tmp / "project"
    venv_python = _program_with_a_venv(root)
    env.extra["PYTHONPATH"] = str(root / "vendor_env" / "lib")  # a vendored environment
    framemig = [str(venv_python), "-m", "framemig"]
    check = env.run([venv_python, "-c", "import framemig, sys; print(framemig.__file__); "
                     "print(sorted(m for m in sys.modules if 'editable' in m))"], cwd=root)
    assert check.returncode == 0 and b"__editable___framemig" in check.stdout, check

    (root / "go").touch()
    want = env.run([venv_python, "counter.py"], cwd=root)
    assert want.returncode == 0 and b"done fancy vendored late" in want.stdout, want
    (root / "go").unlink()

    live = subprocess.Popen([*framemig, "exec", "counter.py"], cwd=root, env=env.vars(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        first_lines = [live.stdout.readline(), live.stdout.readline()]
        assert first_lines[-1].startswith(b"n 1"), first_lines
        dump = env.run([*framemig, "dump", str(live.pid), "-o", "snap.json", "--timeout", "30"],
                       cwd=root)
        if dump.returncode != 0:
            live.kill()  # it would wait for the go file forever
        stdout, stderr = live.communicate(timeout=60)
    finally:
        if live.poll() is None:
            live.kill()
            live.communicate()
    first = Run(b"".join(first_lines) + stdout, stderr, live.returncode)
    assert dump.returncode == 0, dump
    assert first.returncode == DUMPED, first

    snapshot = root / "snap.json"
    assert SECRET.encode() not in snapshot.read_bytes()
    body = snapshot_format.read(str(snapshot))
    for key, entry in body["sources"].items():
        where = entry.get("origin") or key
        assert ".venv" not in where and "vendor_env" not in where, key
        assert "settings_local" not in key and "late_mod" not in key, key
    assert {k for k, e in body["sources"].items() if e["role"] == "program"} == \
        {"counter.py", "helper.py"}
    assert {m["name"] for m in body["modules"]} == {"__main__", "helper"}

    (root / "go").touch()
    inspect = env.run([*framemig, "inspect", "snap.json"], cwd=root)
    assert inspect.returncode == 0, inspect
    rest = env.run([*framemig, "restore", "snap.json"], cwd=root)
    assert rest.returncode == 0, rest
    assert first.stdout + rest.stdout == want.stdout


def test_installed_library_locations(tmp_path):
    from framemig.capture.world import is_installed_library

    root = tmp_path / "prog"
    (root / "env" / "deep").mkdir(parents=True)
    (root / "env" / "pyvenv.cfg").write_text("")
    (root / "lib" / "site-packages").mkdir(parents=True)
    (root / "lib" / "dist-packages").mkdir(parents=True)
    (root / "pkg").mkdir()
    root = str(root)
    assert is_installed_library(f"{root}/env/deep/m.py", root)
    assert is_installed_library(f"{root}/lib/site-packages/m.py", root)
    assert is_installed_library(f"{root}/lib/dist-packages/x/m.py", root)
    assert is_installed_library(os.path.join(sys.prefix, "anything.py"), root)
    assert is_installed_library(os.path.join(sys.base_prefix, "lib", "x.py"), root)
    assert not is_installed_library(f"{root}/pkg/m.py", root)
    assert not is_installed_library(f"{root}/m.py", root)
    # a program kept inside the interpreter's prefix, or in a directory named site-packages,
    # is still a program
    assert not is_installed_library("/srv/site-packages/prog/m.py", "/srv/site-packages/prog")
    inside = os.path.join(sys.prefix, "myprogram")
    assert not is_installed_library(os.path.join(inside, "m.py"), inside)
