"""Name code objects by source, and remember the resume code objects framemig made.

A snapshot never holds a code object: it names one by the file it comes from, its
qualified name, its first line, and its rank among code objects sharing those two (two
lambdas on one line). Any interpreter can compile the file and find the same code again.

A resumed frame runs a *resume* code object (the original plus a prologue). When such a
frame is captured again, the registry here says which original it stands for and which
instructions are the prologue, so the next snapshot names the original.
"""

from __future__ import annotations

import collections
import functools
import os
import re
from types import CodeType

import framemig
from framemig.interp import stacksim

FRAMEMIG_DIR = os.path.dirname(os.path.abspath(framemig.__file__))


@functools.lru_cache(maxsize=4096)
def is_framemig_file(filename: str) -> bool:
    """Is this framemig's own code (never the program's)?"""
    return os.path.abspath(filename).startswith(FRAMEMIG_DIR + os.sep)


class CodeKey(collections.namedtuple("CodeKey", "source qualname line rank", defaults=(0,))):
    """A code object named by its file, qualified name, first line and rank."""

    __slots__ = ()

    def as_json(self) -> dict:
        return {"source": self.source, "qualname": self.qualname, "line": self.line,
                "rank": self.rank}

    @classmethod
    def from_json(cls, data: dict) -> CodeKey:
        return cls(data["source"], data["qualname"], data["line"], data.get("rank", 0))

    def __str__(self):
        return f"{self.source}:{self.line} {self.qualname}"


def walk(code: CodeType):
    """``code`` and every code object nested in it, in source order."""
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from walk(const)


COMPREHENSION_NAMES = ("<listcomp>", "<setcomp>", "<dictcomp>")
_COMPREHENSION_SCOPE = re.compile(r"<(?:list|set|dict)comp>\.(?!<(?:list|set|dict)comp>)")


def scope_name(qualname: str) -> str:
    """A qualified name as every version spells it.

    PYVERSIONS: 3.12 inlines comprehensions, so a lambda inside ``[... for ...]`` is
    ``f.<locals>.<lambda>``, where 3.11 says ``f.<locals>.<listcomp>.<lambda>``. The
    comprehensions themselves keep their names (3.11's frames for them are named so).
    """
    while True:
        shorter = _COMPREHENSION_SCOPE.sub("", qualname)
        if shorter == qualname:
            return qualname
        qualname = shorter


def is_comprehension(qualname: str) -> bool:
    return qualname.rsplit(".", 1)[-1] in COMPREHENSION_NAMES


class CodeIndex:
    """The code objects of one compiled file, by (qualname, first line)."""

    def __init__(self, top: CodeType):
        self.top = top
        self.by_name: dict[tuple[str, int], list[CodeType]] = {}
        for code in walk(top):
            key = (scope_name(code.co_qualname), code.co_firstlineno)
            self.by_name.setdefault(key, []).append(code)

    def find(self, qualname: str, line: int, rank: int = 0) -> CodeType | None:
        found = self.by_name.get((scope_name(qualname), line), [])
        return found[rank] if rank < len(found) else None

    def rank_of(self, code: CodeType) -> int | None:
        """The rank of a code object equal to ``code``, or None if the file has none."""
        found = self.by_name.get((scope_name(code.co_qualname), code.co_firstlineno), [])
        for rank, candidate in enumerate(found):
            if candidate == code:
                return rank
        for rank, candidate in enumerate(found):
            if candidate.co_code == code.co_code:
                return rank
        return None


class ResumeInfo:
    __slots__ = ("key", "original", "prologue", "returns_self")

    def __init__(self, key: CodeKey, original: CodeType, prologue: tuple[int, int],
                 returns_self: bool = False):
        self.key = key
        self.original = original
        self.prologue = prologue  # instruction indexes [start, end) of the prologue
        self.returns_self = returns_self  # an __init__ that stands for its class call


_resume_codes: dict[int, tuple[CodeType, ResumeInfo]] = {}


def register_resume(code: CodeType, info: ResumeInfo) -> None:
    _resume_codes[id(code)] = (code, info)


def resume_info(code: CodeType) -> ResumeInfo | None:
    hit = _resume_codes.get(id(code))
    return hit[1] if hit is not None and hit[0] is code else None


def analysis(code: CodeType) -> stacksim.CodeInfo:
    """Stack analysis of ``code``, skipping the prologue if it is a resume code object."""
    info = resume_info(code)
    if info is None:
        return stacksim.info_for(code)
    return stacksim.info_for(code, entries=(0,), skip=info.prologue)


def global_names(code: CodeType) -> set[str]:
    """The global names ``code`` (and the comprehensions inside it) loads."""
    import dis

    names = set()
    for part in walk(code):
        if part is not code and not is_comprehension(part.co_qualname):
            continue
        for instr in dis.get_instructions(part):
            if instr.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                names.add(instr.argval)
    return names
