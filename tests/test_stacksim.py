"""The stack simulator must describe every code object the compiler produces."""

import glob
import os
import subprocess
import types

import pytest

from tests.harness import VERSIONS, python

CHECK = """
import glob, os, sys, types
from framemig.interp import stacksim
lib = os.path.dirname(os.__file__)
names = sorted(glob.glob(lib + "/*.py"))[: int(sys.argv[1])]
count = 0
def walk(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from walk(const)
for name in names:
    try:
        top = compile(open(name, encoding="utf-8").read(), name, "exec")
    except (SyntaxError, UnicodeDecodeError, ValueError):
        continue
    for code in walk(top):
        stacksim.analyze(code)
        count += 1
print(count)
"""


@pytest.mark.parametrize("version", VERSIONS)
def test_standard_library_code_simulates(version):
    done = subprocess.run([python(version), "-c", CHECK, "120"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 3000


def test_depth_matches_the_running_interpreter():
    """At every line of some real code, the simulated depth equals the frame's own."""
    import json
    import sys

    from framemig.interp import stacksim
    from framemig.interp.frameread import FrameView

    mismatches = []

    def tracer(frame, event, arg):
        if event == "line":
            info = stacksim.info_for(frame.f_code)
            template = info.stacks[info.index_at(frame.f_lasti)]
            depth = FrameView(frame).stacktop
            if template is None or len(template) != depth:
                mismatches.append((frame.f_code.co_qualname, frame.f_lineno))
        return tracer

    sys.settrace(tracer)
    try:
        for n in range(3):
            json.loads(json.dumps({"k": [n, {"x": [1, 2]}]}, indent=2, sort_keys=True))
            sorted(os.path.join("a", str(i)) for i in range(5))
            [glob.escape(p) for p in ("a*", "b?")]
            types.SimpleNamespace(a=1)
    finally:
        sys.settrace(None)
    assert not mismatches, mismatches[:5]
