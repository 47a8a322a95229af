"""Mutations of a JSON document, drawn with Hypothesis so that a failure shrinks to the
smallest edit that causes it and can be replayed from the seed Hypothesis prints.

An edit picks any place in the document — a field of an object, an item of a list — and
replaces it (with a value of any JSON shape, one of framemig's own words, a reference, a
copy of another part of the same document), deletes it, or repeats it."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

# framemig's own words: field names, description tags, kinds (what a mutation should
# often say, so that it gets past the first check of a shape)
WORDS = ["ref", "t", "l", "d", "u", "o", "s", "k", "v", "at", "kind", "state", "frame",
         "code", "source", "qualname", "line", "rank", "op", "call", "for_iter", "yield",
         "send", "exc", "lasti", "maybe", "self", "list", "tuple", "set", "dict",
         "function", "generator", "reduce", "global", "cell", "class", "obj", "exception",
         "module", "module_dict", "file", "float", "method", "bytes", "fn", "args",
         "setter", "builtins", "print", "id", "program", "library", "running", "created",
         "suspended", "closed", "direct", "gen", "redo", "sleep", "__main__", "inf", "nan"]

SCALARS = (st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) |
           st.integers(-3, 300) | st.floats(allow_nan=False, allow_infinity=False) |
           st.text(max_size=12) | st.sampled_from(WORDS))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) |
    st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=4), inner, max_size=4),
    max_leaves=8)

OPS = ("replace", "reference", "copy", "delete", "repeat", "word")


def examples(count: int, seed: int | None = None):
    """A fuzz test of ``count`` drawn examples (``test(data)``): no deadline, no example
    database, every health check off (a restore is slow for Hypothesis), the failing
    example shrunk and printed with what replays it; ``seed`` replays a whole run."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as replay

    def wrap(test):
        test = settings(max_examples=count, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck), print_blob=True,
                        phases=(Phase.generate, Phase.shrink))(given(st.data())(test))
        return test if seed is None else replay(seed)(test)
    return wrap


def places(document) -> list[tuple]:
    """(container, key) of every value in ``document`` but itself."""
    found, stack = [], [document]
    while stack:
        item = stack.pop()
        keys = item.keys() if type(item) is dict else range(len(item))
        for key in keys:
            found.append((item, key))
            if type(item[key]) in (dict, list):
                stack.append(item[key])
    return found


def edit(document, data, table_size: int = 0) -> str:
    """Change ``document`` in place by one drawn edit; what it did, for the report."""
    where = places(document)
    if not where:
        return "nothing to edit"
    container, key = where[data.draw(st.integers(0, len(where) - 1), label="place")]
    op = data.draw(st.sampled_from(OPS), label="op")
    if op == "replace":
        container[key] = data.draw(VALUES, label="value")
    elif op == "reference":
        container[key] = {"ref": data.draw(st.integers(-2, table_size + 2), label="ref")}
    elif op == "copy":
        other, other_key = where[data.draw(st.integers(0, len(where) - 1), label="from")]
        container[key] = copy.deepcopy(other[other_key])
    elif op == "delete":
        del container[key]
    elif op == "repeat" and type(container) is list:
        container.insert(key, copy.deepcopy(container[key]))
    else:
        container[key] = data.draw(st.sampled_from(WORDS), label="word")
    return f"{op} at {type(container).__name__}[{key!r}]"
