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

import dis
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


_WITH_ENTRY = frozenset({"BEFORE_WITH", "BEFORE_ASYNC_WITH"})

# Kinds whose source range differs between versions (3.13 gives a loop step and a with
# block's exit the range of the iterable or of the context expression, where 3.11 and
# 3.12 give the whole statement's; a generator expression's yield differs too): found
# by line when the range does not match. A call keeps the range of its call expression
# on every version, so another call on the same line is never taken for it.
_FOUND_BY_LINE = frozenset({"op", "for_iter", "exit", "yield", "send"})


def kind_at(info: CodeInfo, index: int) -> str:
    """The kind of instruction at ``index``; the call of a with block's ``__exit__`` is
    an "exit", apart from the calls of the program's own expressions."""
    instr = info.instrs[index]
    kind = op_kind(instr.opname)
    template = info.stacks[index]
    if kind == "call" and template:
        first = len(template) - env.call_operand_count(instr.opname, instr.arg)
        for slot in template[max(first, 0): first + 2]:
            if slot.pusher >= 0 and info.instrs[slot.pusher].opname in _WITH_ENTRY:
                return "exit"
    return kind


def _same_place(info: CodeInfo, rng: tuple, kind: str) -> list[int]:
    """Reachable instructions of ``kind`` whose source range is ``rng``, in code order.

    Capture counts a place's occurrence among exactly these, and restore looks it up among
    exactly these, so that the two agree on one interpreter.
    """
    return [index for index, instr in enumerate(info.instrs)
            if info.stacks[index] is not None and info.position(index) == rng
            and kind_at(info, index) == kind]


def place_of(info: CodeInfo, index: int) -> Place:
    rng = info.position(index)
    kind = kind_at(info, index)
    same = _same_place(info, rng, kind)
    occurrence = same.index(index) if index in same else 0
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
            value = take(ITEM_EXC).value
            if value is not None and not isinstance(value, BaseException):
                raise StackMismatch(f"slot {len(out)} holds no exception")
            out.append(value)
        elif slot.kind == stacksim.LASTI:
            place = take(ITEM_LASTI).value
            out.append(info.instrs[find_place(info, place)].offset)
        else:
            value = take(ITEM_VALUE).value
            _check_kind(info, slot, value, len(out))
            out.append(value)
        i += 1
    if j != len(items):
        raise StackMismatch(f"{len(items) - j} saved stack values left over")
    return out


# Instructions whose result the interpreter uses without checking its type: a value of
# another type in their slot would crash it, so restore refuses such a stack.
_ITERATOR_PUSHERS = frozenset({"GET_ITER", "GET_YIELD_FROM_ITER"})


def _check_kind(info: CodeInfo, slot, value, n: int) -> None:
    if slot.pusher >= 0 and info.instrs[slot.pusher].opname in _ITERATOR_PUSHERS \
            and not (hasattr(type(value), "__next__") or hasattr(type(value), "send")):
        raise StackMismatch(f"slot {n} holds a {type(value).__name__}, not an iterator")


def find_place(info: CodeInfo, place: Place, fits=None) -> int:
    """Index of the instruction for ``place`` here; ``fits(index)`` filters candidates.

    The instruction of the same range, kind and occurrence is taken if it fits; else the
    first of that range and kind that fits (another interpreter may compile a statement
    to more or fewer instructions of one kind); else, for the kinds whose range changed
    between versions, the first of that kind on the line that fits.
    """
    def ok(index):
        return fits is None or fits(index)

    same = _same_place(info, place.range, place.op)
    if place.occurrence < len(same) and ok(same[place.occurrence]):
        return same[place.occurrence]
    for index in same:
        if ok(index):
            return index
    if place.op in _FOUND_BY_LINE:
        starts = _line_starts(info) if place.op == "op" else None
        for index in range(len(info.instrs)):
            if info.stacks[index] is not None and info.position(index)[0] == place.line \
                    and kind_at(info, index) == place.op \
                    and (starts is None or index in starts) and ok(index):
                return index
    raise StackMismatch(f"no {place.op} instruction at line {place.line} "
                        f"cols {place.col}-{place.end_col}")


def _line_starts(info: CodeInfo) -> set[int]:
    """Instructions that begin a line: the only ones a line-start place found by its
    line may be (another instruction of the line would run part of it again)."""
    return {info.index_at(offset) for offset, _line in dis.findlinestarts(info.code)}


def resolve(info: CodeInfo, place: Place | None, items_for, consumed: bool,
            body_start: int = 0) -> tuple[int, list]:
    """Where a saved frame continues here, and its value stack laid out for this
    interpreter: what restore does, and what capture checks before it lets a program go.

    ``items_for(template)`` gives the saved items for a candidate's stack (a list, or
    one that depends on the comprehensions running there). ``consumed``: the
    instruction's own operands are not saved (a call or a yield in progress: whatever
    continues it is put in their place).
    """
    if place is None:
        return body_start, []

    def below_at(index):
        template = info.stacks[index]
        count = operand_count(info, index) if consumed else 0
        template = template[: len(template) - count]
        return denormalize(info, template, items_for(template))

    def fits(index):
        try:
            below_at(index)
        except StackMismatch:
            return False
        return True

    index = find_place(info, place, fits)
    return index, below_at(index)
