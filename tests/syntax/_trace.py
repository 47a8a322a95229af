"""Which lines of a program a run reaches, how often, and from where ``probe`` is called.

``python _trace.py prog.py`` runs prog.py under a line tracer (its output discarded) and
prints, as JSON::

    {"lines": [[line, hits], ...],          # every line with a line event, in order
     "probe": {"line": L,                   # the line of probe's body
               "sites": [[key, first_hit, hits], ...]}}

``hits`` counts line events at that line of the program file, from every frame, as
framemig's ``--dump-at FILE:LINE#HIT`` counts them. A probe site is the stack of program
frames waiting under one call of ``probe``, each named by the position (line, column,
end line, end column) of the instruction it waits at; the frame of a list, set or dict
comprehension (3.11 runs these in frames of their own, 3.12 and later inline them) and
the call that made it are left out, so a site has the same key on every version.
"""

import io
import json
import os
import runpy
import sys

program = os.path.abspath(sys.argv[1])
INLINED = {"<listcomp>", "<setcomp>", "<dictcomp>"}
hits: dict[int, int] = {}
probe_line = None
sites: dict[str, list] = {}
probe_hits = 0


def position(frame) -> str:
    positions = list(frame.f_code.co_positions())
    line, end_line, col, end_col = positions[frame.f_lasti // 2]
    return f"{line}:{col}-{end_line}:{end_col}"


def site_of(frame) -> str:
    parts = []
    child = None
    while frame is not None and frame.f_code.co_filename == program:
        if child is None or child.f_code.co_name not in INLINED:
            parts.append(position(frame))
        child, frame = frame, frame.f_back
    return " < ".join(parts)


def tracer(frame, event, arg):
    global probe_line, probe_hits
    if frame.f_code.co_filename != program:
        return None
    if event == "line":
        line = frame.f_lineno
        hits[line] = hits.get(line, 0) + 1
        if frame.f_code.co_name == "probe":
            probe_line = line
            probe_hits += 1
            key = site_of(frame.f_back)
            if key in sites:
                sites[key][2] += 1
            else:
                sites[key] = [key, probe_hits, 1]
    return tracer


real_stdout = sys.stdout
sys.stdout = io.StringIO()
sys.argv = [program]
sys.path[0] = os.path.dirname(program)
sys.settrace(tracer)
try:
    runpy.run_path(program, run_name="__main__")
except BaseException:
    pass
finally:
    sys.settrace(None)
    sys.stdout = real_stdout
print(json.dumps({"lines": sorted(hits.items()),
                  "probe": {"line": probe_line, "sites": list(sites.values())}}))
