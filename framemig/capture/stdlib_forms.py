"""Forms for standard-library objects that pickle cannot take, but that a program's state
holds all the time. Each is made again on the target from what it was made from.

``re.Match``: a lexer keeps its last match (ply's ``lexer.lexmatch``). A match is the
pattern's answer for a string between two positions: asked again there, the pattern gives
the same answer. The capture asks it again and compares every group's span, so the form
written is one known to make the same match; when none does, the match is refused.
"""

from __future__ import annotations

import re

from framemig.capture.refusal import Refused

MATCH_TYPE = type(re.match("", ""))
_HOW = ("match", "search", "fullmatch")


def match_entry(enc, match, index) -> dict:
    how = _how_made(match)
    if how is None:
        raise Refused("is a re.Match object that its pattern does not give again")
    return {
        "t": "re_match",
        "how": how,
        "re": enc.child(match.re, index, ".re"),
        "string": enc.child(match.string, index, ".string"),
        "pos": match.pos,
        "endpos": match.endpos,
    }


def _how_made(match) -> str | None:
    spans = match.regs
    for how in _HOW:
        again = getattr(match.re, how)(match.string, match.pos, match.endpos)
        if again is not None and again.regs == spans and \
                again.lastindex == match.lastindex:
            return how
    return None


BY_TYPE = {MATCH_TYPE: match_entry}
