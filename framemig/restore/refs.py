"""Reading snapshot values without building them: what they refer to, what kind they are."""

from __future__ import annotations

from framemig.errors import RestoreFailed

# Descriptions that order their own dependencies when built (a function only needs its
# globals to exist, not to be filled): what they refer to is theirs to ask for.
SELF_ORDERING = frozenset({"function", "class", "generator"})


# Fields of a description that hold a map from the program's own keys to values: the
# map is not itself a value (a user's key "ref" is just a key).
MAP_FIELDS = frozenset({"d", "s", "sl", "ns"})


def refs_in(value) -> list[int]:
    """Table indexes a value refers to, however deep in descriptions written in place."""
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is list:
            for inner in item:
                if type(inner) is dict or type(inner) is list:
                    stack.append(inner)
        elif kind is dict:
            ref = item.get("ref")
            if ref is not None:
                found.append(ref)
                continue
            if item.get("t") in SELF_ORDERING:
                continue
            for field, inner in item.items():
                if field in MAP_FIELDS and type(inner) is dict:
                    for nested in inner.values():
                        if type(nested) is dict or type(nested) is list:
                            stack.append(nested)
                elif type(inner) is dict or type(inner) is list:
                    stack.append(inner)
    return found


def kind_of(entry: dict) -> str:
    kind = entry.get("t")
    if kind is not None:
        return kind
    for key, name in (("l", "list"), ("d", "dict"), ("o", "obj"), ("u", "tuple")):
        if key in entry:
            return name
    raise RestoreFailed(f"a value of unknown form {sorted(entry)[:4]}")
