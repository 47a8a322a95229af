"""Inlined comprehensions, written down as the frames CPython 3.11 gives them.

PYVERSIONS: since 3.12 a list, set or dict comprehension runs inside its function (PEP
709): its accumulator and iterators sit on the function's value stack, its variable is a
local of the function, and the variable's outer value waits on the stack (pushed by
LOAD_FAST_AND_CLEAR) until the comprehension ends. 3.11 runs the comprehension in a frame
of its own. A snapshot always uses 3.11's shape, which both can read: the function waits
in a call to the comprehension, and the comprehension is a frame with ``.0`` (its first
iterator), its variables, and its stack. The restorer on 3.12+ merges them back.
"""

from __future__ import annotations

from dataclasses import dataclass

from framemig.interp import stacksim
from framemig.interp.codes import CodeKey
from framemig.interp.frameread import NULL
from framemig.interp.stackmap import Place
from framemig.interp.stacksim import CodeInfo

_KINDS = {"BUILD_LIST": "<listcomp>", "BUILD_SET": "<setcomp>", "BUILD_MAP": "<dictcomp>"}


@dataclass
class Part:
    """One frame of the 3.11 shape: the function itself, or one comprehension."""

    key: CodeKey
    place: Place | None  # None: the place the real frame stopped at
    template: tuple  # slots of this part's stack
    raw: list
    locals: dict  # name -> value (NULL when unbound)
    line: int


def split(info: CodeInfo, template: tuple, raw: list, slots: dict, key: CodeKey,
          is_module: bool) -> list[Part] | None:
    """The parts of a frame that is inside inlined comprehensions, outermost first."""
    groups = stacksim.comprehension_groups(info, template)
    if not groups:
        return None
    names = [[info.instrs[template[k].pusher].argval for k in range(a, b)] for a, b in groups]
    current = {name: slots.get(name, NULL) for group in names for name in group}
    scopes = []  # variable values of each comprehension, innermost first
    for (start, end), group in reversed(list(zip(groups, names))):
        scopes.append({name: current[name] for name in group})
        for k, name in zip(range(start, end), group):
            current[name] = raw[k]  # the value outside this comprehension
    scopes.reverse()

    enclosing_locals = {} if is_module else {
        name: current.get(name, value) for name, value in slots.items()}
    parts = [Part(key, _call_place(info, template, groups[0]), template[: groups[0][0]],
                  raw[: groups[0][0]], enclosing_locals, info.position(template[groups[0][0]].pusher)[0])]
    parent = "" if is_module else f"{key.qualname}.<locals>."
    for n, ((start, end), scope) in enumerate(zip(groups, scopes)):
        stop = groups[n + 1][0] if n + 1 < len(groups) else len(template)
        kind = _KINDS.get(info.instrs[template[end].pusher].opname, "<listcomp>")
        qualname = parent + kind
        line = info.position(template[start].pusher)[0]
        comp_key = CodeKey(key.source, qualname, line, _rank(info, template, start))
        place = _call_place(info, template, groups[n + 1]) if n + 1 < len(groups) else None
        comp_locals = {".0": raw[end + 1], **scope}
        parts.append(Part(comp_key, place, template[end:stop], raw[end:stop], comp_locals, line))
        parent = qualname + "."
    return parts


def _call_place(info: CodeInfo, template: tuple, group: tuple[int, int]) -> Place:
    """Where 3.11's code calls the comprehension: its whole source range."""
    return Place(*info.position(template[group[0]].pusher), "call", 0)


def _rank(info: CodeInfo, template: tuple, start: int) -> int:
    """Which of its siblings on the same line this comprehension is (3.11 names them
    alike): comprehensions of the same kind, nested in the same place."""
    mine = info.position(template[start].pusher)
    found = {}  # range -> kind, for every inlined comprehension starting on this line
    for index, instr in enumerate(info.instrs):
        position = info.position(index)
        if instr.opname == "LOAD_FAST_AND_CLEAR" and position[0] == mine[0]:
            found.setdefault(position, None)
        elif instr.opname in _KINDS and position in found and found[position] is None:
            found[position] = _KINDS[instr.opname]

    def inside(inner, outer) -> bool:
        return inner != outer and (outer[0], outer[2]) <= (inner[0], inner[2]) and \
            (inner[1], inner[3]) <= (outer[1], outer[3])

    def parent(r):
        holders = [o for o in found if inside(r, o)]
        return min(holders, key=lambda o: (o[1] - o[0], o[3] - o[2]), default=None)

    siblings = [r for r in found if found[r] == found[mine] and parent(r) == parent(mine)
                and (r[0], r[2]) < (mine[0], mine[2])]
    return len(siblings)
