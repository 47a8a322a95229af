"""Translate a value stack between CPython versions, and find "the same place" in code.

A raw value stack is version-specific: 3.13 puts the NULL of a call after the callable,
3.11/3.12 before it; the same source line compiles to different instructions. A snapshot
therefore stores a *normalized* stack: the non-NULL values in order, each tagged with what
it is (a value, the ``self`` of a method call, an exception being handled, a re-raise
offset) and the source range of the expression that produced it. The restorer asks its
own bytecode what its stack looks like at the same source position and lays the values
out accordingly, inventing NULLs where its compiler wants them.

Positions are source ranges plus the kind of instruction (a call, a for-loop step, a
yield...), never offsets, so they mean the same thing to every interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass

from framemig import env
from framemig.interp import stacksim
from framemig.interp.frameread import NULL
from framemig.interp.stacksim import CodeInfo, Slot


class StackMismatch(Exception):
    """The saved stack does not fit the code at that place."""


# Item kinds in a normalized stack.
ITEM_VALUE = "v"
ITEM_SELF = "self"  # the bound object of a method call, following its function
ITEM_EXC = "exc"
ITEM_LASTI = "lasti"  # value is a Place: where the exception being re-raised came from
ITEM_MAYBE = "maybe"  # a local saved by an inlined comprehension; NULL if it was unbound


@dataclass
class Item:
    kind: str
    value: object
    pos: tuple | None = None


@dataclass(frozen=True)
class Place:
    """An instruction named by source: range, kind of instruction, and which occurrence."""

    line: int | None
    end_line: int | None
    col: int | None
    end_col: int | None
    op: str
    occurrence: int = 0

    @property
    def range(self) -> tuple:
        return (self.line, self.end_line, self.col, self.end_col)

    def as_json(self) -> dict:
        return {"line": self.line, "end_line": self.end_line, "col": self.col,
                "end_col": self.end_col, "op": self.op, "occurrence": self.occurrence}

    @classmethod
    def from_json(cls, data: dict) -> Place:
        return cls(data["line"], data["end_line"], data["col"], data["end_col"], data["op"],
                   data.get("occurrence", 0))


def op_kind(opname: str) -> str:
    if opname in env.CALL_OPS:
        return "call"
    return {"PRECALL": "precall", "FOR_ITER": "for_iter", "SEND": "send",
            "YIELD_VALUE": "yield"}.get(opname, "op")


def place_of(info: CodeInfo, index: int) -> Place:
    rng = info.position(index)
    kind = op_kind(info.instrs[index].opname)
    occurrence = sum(
        1 for k in range(index)
        if info.position(k) == rng and op_kind(info.instrs[k].opname) == kind
    )
    return Place(*rng, kind, occurrence)


def operand_count(info: CodeInfo, index: int) -> int:
    """Slots an instruction takes off the stack while it waits for what it started."""
    instr = info.instrs[index]
    if instr.opname in env.CALL_OPS:
        return env.call_operand_count(instr.opname, instr.arg)
    if instr.opname in ("SEND", "YIELD_VALUE"):
        return 1
    return 0


# --- capture side --------------------------------------------------------------------

def normalize(info: CodeInfo, template: tuple[Slot, ...], raw: list) -> list[Item]:
    """Turn raw stack slots (with NULLs) into version-neutral items."""
    if len(template) != len(raw):
        raise StackMismatch(f"stack depth {len(raw)} where the bytecode says {len(template)}")
    items: list[Item] = []
    i = 0
    while i < len(raw):
        slot, value = template[i], raw[i]
        pos = info.position(slot.pusher) if slot.pusher >= 0 else None
        if slot.kind == stacksim.NULL_SLOT:
            i += 1
            continue
        if slot.kind == stacksim.PAIR_FIRST and i + 1 < len(raw):
            first, second = raw[i], raw[i + 1]
            if first is NULL:
                items.append(Item(ITEM_VALUE, second, pos))
            elif second is NULL:
                items.append(Item(ITEM_VALUE, first, pos))
            else:
                items += [Item(ITEM_VALUE, first, pos), Item(ITEM_SELF, second, pos)]
            i += 2
            continue
        if slot.kind == stacksim.MAYBE_NULL:
            items.append(Item(ITEM_MAYBE, value, pos))
        elif slot.kind == stacksim.EXC:
            items.append(Item(ITEM_EXC, value, None))
        elif slot.kind == stacksim.LASTI:
            items.append(Item(ITEM_LASTI, place_of(info, info.index_at(value)), None))
        elif value is NULL:
            raise StackMismatch(f"unexpected NULL in slot {i}")
        else:
            items.append(Item(ITEM_VALUE, value, pos))
        i += 1
    return items


# --- restore side ----------------------------------------------------------------------

def denormalize(info: CodeInfo, template: tuple[Slot, ...], items: list[Item]) -> list:
    """Lay items out as this interpreter's stack at ``template``; NULL where it wants NULL.

    A LASTI item comes back as the offset of the matching instruction here.
    """
    out = []
    j = 0

    def take(*kinds) -> Item:
        nonlocal j
        if j >= len(items) or items[j].kind not in kinds:
            found = items[j].kind if j < len(items) else "nothing"
            raise StackMismatch(f"expected {'/'.join(kinds)} at slot {len(out)}, found {found}")
        j += 1
        return items[j - 1]

    i = 0
    while i < len(template):
        slot = template[i]
        if slot.kind == stacksim.NULL_SLOT:
            out.append(NULL)
        elif slot.kind == stacksim.PAIR_FIRST and i + 1 < len(template):
            function = take(ITEM_VALUE).value
            if j < len(items) and items[j].kind == ITEM_SELF:
                out += [function, take(ITEM_SELF).value]
            elif env.PYBEHAVIOR.null_after_callable:
                out += [function, NULL]
            else:
                out += [NULL, function]
            i += 2
            continue
        elif slot.kind == stacksim.MAYBE_NULL:
            out.append(take(ITEM_MAYBE).value)
        elif slot.kind == stacksim.EXC:
            out.append(take(ITEM_EXC).value)
        elif slot.kind == stacksim.LASTI:
            place = take(ITEM_LASTI).value
            out.append(info.instrs[find_place(info, place)].offset)
        else:
            out.append(take(ITEM_VALUE).value)
        i += 1
    if j != len(items):
        raise StackMismatch(f"{len(items) - j} saved stack values left over")
    return out


def find_place(info: CodeInfo, place: Place, fits=None) -> int:
    """Index of the instruction for ``place`` here; ``fits(index)`` filters candidates."""
    def candidates(strict: bool):
        for index, instr in enumerate(info.instrs):
            if info.stacks[index] is None or op_kind(instr.opname) != place.op:
                continue
            if strict and info.position(index) != place.range:
                continue
            if not strict and info.position(index)[0] != place.line:
                continue
            if fits is None or fits(index):
                yield index

    for strict in (True, False):
        found = list(candidates(strict))
        if found:
            if strict and place.occurrence < len(found):
                return found[place.occurrence]
            return found[0]
    raise StackMismatch(f"no {place.op} instruction at line {place.line} "
                        f"cols {place.col}-{place.end_col}")
