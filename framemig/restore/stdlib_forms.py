"""Standard-library objects made again from what they were made from (see
framemig/capture/stdlib_forms.py)."""

from __future__ import annotations

from framemig.errors import RestoreFailed

_HOW = frozenset({"match", "search", "fullmatch"})


def re_match(d, n, e):
    yield from d.deps(n, [e["re"], e["string"]])
    pattern, string = d.value(e["re"]), d.value(e["string"])
    how = e.get("how")
    if how not in _HOW or not hasattr(pattern, how):
        raise RestoreFailed(f"a re.Match made by {how!r}, which is not a pattern's method")
    match = getattr(pattern, how)(string, e["pos"], e["endpos"])
    if match is None:
        raise RestoreFailed(f"the pattern {pattern.pattern!r} does not match its string here")
    d.memo[n] = match


BUILDERS = {"re_match": re_match}
