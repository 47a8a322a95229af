"""Print, as JSON, the order in which a run of a program reaches its capture markers.

``python order.py prog.py [args]`` runs prog.py under a line tracer (its output discarded)
and prints ``{"events": [[file, line], ...], "stops": [i, ...]}``: every line event on a
marked line, and which of them are marked captures (``#@capture`` hits).
"""

import io
import json
import os
import runpy
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import markers  # noqa: E402

program = os.path.abspath(sys.argv[1])
wanted = {(str(f), line, hit) for f, line, hit in markers(Path(program))}
lines = {(f, line) for f, line, _ in wanted}
files = {f for f, _ in lines}
hits: dict[tuple, int] = {}
events, stops = [], []


def tracer(frame, event, arg):
    filename = frame.f_code.co_filename
    if filename not in files:
        return None
    if event == "line" and (filename, frame.f_lineno) in lines:
        key = (filename, frame.f_lineno)
        hits[key] = hits.get(key, 0) + 1
        if (*key, hits[key]) in wanted:
            stops.append(len(events))
        events.append(key)
    return tracer


real_stdout = sys.stdout
sys.stdout = io.StringIO()
sys.argv = [program, *sys.argv[2:]]
sys.path[0] = os.path.dirname(program)
sys.settrace(tracer)
try:
    runpy.run_path(program, run_name="__main__")
    timers = sys.modules.get("framemig.runtime.timers")
    if timers is not None:
        timers.run_loop()  # what the program's exit handler would do, but traced
except BaseException:
    pass
finally:
    sys.settrace(None)
    sys.stdout = real_stdout
print(json.dumps({"events": events, "stops": stops}))
