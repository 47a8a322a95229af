"""The snapshot schema (framemig/snapshot/schema.py): the program's own names never look
like framemig's fields to it, and what does not fit is named in one line."""

import pytest

from framemig.errors import SnapshotCorrupt
from framemig.snapshot import schema


def body(objects=(), stack=()):
    return {"program": {"main": "p.py", "argv": []}, "sources": {"p.py": {}},
            "modules": [], "stack": list(stack), "objects": list(objects)}


def frame(**fields):
    return {"code": {"source": "p.py", "qualname": "g", "line": 1}, "globals": {"ref": 0},
            **fields}


def test_the_programs_names_are_not_framemigs_fields():
    """pygments keeps a local named ``t`` in a suspended generator (a third-party run
    was refused as malformed); a dict key "ref" or "t" is the program's too."""
    locals_like_fields = {"t": {"ref": 0}, "v": " ", "k": 5, "ref": "x"}
    generator = {"t": "generator", "name": "g", "qualname": "g", "state": "suspended",
                 "frame": frame(locals=locals_like_fields, cells={"l": {"ref": 0}})}
    program_dict = {"t": "dict", "d": {"t": 1, "ref": {"u": [2]}, "l": None}}
    schema.check(body([generator, program_dict], [frame(locals=locals_like_fields)]))


@pytest.mark.parametrize("edit, says", [
    (lambda b: b["stack"][0].update(line=-1), "stack[0].line: out of range"),
    (lambda b: b["stack"][0].update(globals={"ref": 9}), "outside the object table"),
    (lambda b: b["stack"][0].update(locals={"x": {"zz": 1}}), "unknown form"),
    (lambda b: b["stack"][0].update(link={"kind": "teleport"}), "no kind of call"),
    (lambda b: b["stack"][0]["code"].update(source="other.py"), "names no carried source"),
    (lambda b: b.update(modules="x"), "where a list belongs"),
])
def test_what_does_not_fit_is_named(edit, says):
    document = body([{"t": "dict", "d": {}}], [frame()])
    edit(document)
    with pytest.raises(SnapshotCorrupt) as refusal:
        schema.check(document)
    assert says in refusal.value.message
