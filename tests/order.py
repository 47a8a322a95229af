"""Print the capture markers of a program in the order a run reaches them.

Used by the tests to chain captures: ``python order.py prog.py`` runs prog.py under a
line tracer (its output discarded) and prints ``line#hit`` for each marker reached.
"""

import io
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import markers  # noqa: E402

program = os.path.abspath(sys.argv[1])
wanted = {(str(f), line, hit) for f, line, hit in markers(__import__("pathlib").Path(program))}
hits: dict[tuple, int] = {}
order = []


files = {f for f, _, _ in wanted}


def tracer(frame, event, arg):
    filename = frame.f_code.co_filename
    if filename not in files:
        return None
    if event == "line":
        key = (filename, frame.f_lineno)
        hits[key] = hits.get(key, 0) + 1
        if (*key, hits[key]) in wanted:
            order.append(f"{filename}:{key[1]}#{hits[key]}")
    return tracer


real_stdout = sys.stdout
sys.stdout = io.StringIO()
sys.argv = [program, *sys.argv[2:]]
sys.path[0] = os.path.dirname(program)
sys.settrace(tracer)
try:
    runpy.run_path(program, run_name="__main__")
except BaseException:
    pass
finally:
    sys.settrace(None)
    sys.stdout = real_stdout
print(" ".join(order))
