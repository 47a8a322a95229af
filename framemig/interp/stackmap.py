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
    # an "op" that begins a line (where a line event stops a frame): counted, and looked
    # for, among those only, since instructions of one range and kind that start no line
    # can have a stack of the same shape (an `async with`'s enter and exit)
    start: bool = False
    # a send, yield or exit: which of that kind on its line (versions give them other
    # ranges, but the same order; see find_place)
    on_line: int | None = None

    @property
    def range(self) -> tuple:
        return (self.line, self.end_line, self.col, self.end_col)

    def as_json(self) -> dict:
        data = {"line": self.line, "end_line": self.end_line, "col": self.col,
                "end_col": self.end_col, "op": self.op, "occurrence": self.occurrence}
        if self.start:
            data["start"] = True
        if self.on_line is not None:
            data["on_line"] = self.on_line
        return data

    @classmethod
    def from_json(cls, data: dict) -> Place:
        return cls(data["line"], data["end_line"], data["col"], data["end_col"], data["op"],
                   data.get("occurrence", 0), bool(data.get("start")), data.get("on_line"))


def op_kind(opname: str) -> str:
    if opname in env.CALL_OPS:
        return "call"
    return {"PRECALL": "precall", "FOR_ITER": "for_iter", "SEND": "send",
            "YIELD_VALUE": "yield"}.get(opname, "op")


# Kinds whose source range differs between versions (3.13 gives a loop step and a with
# block's exit the range of the iterable or of the context expression, where 3.11 and
# 3.12 give the whole statement's; a generator expression's yield differs too): found
# by line when the range does not match. A call keeps the range of its call expression
# on every version, so another call on the same line is never taken for it.
_FOUND_BY_LINE = frozenset({"op", "for_iter", "exit", "yield", "send"})
_COUNTED_ON_LINE = frozenset({"send", "yield", "exit"})


def kind_at(info: CodeInfo, index: int) -> str:
    """The kind of instruction at ``index``; the call of a with block's ``__exit__`` is
    an "exit", apart from the calls of the program's own expressions."""
    instr = info.instrs[index]
    kind = op_kind(instr.opname)
    template = info.stacks[index]
    if kind == "call" and template:
        first = len(template) - env.call_operand_count(instr.opname, instr.arg)
        for slot in template[max(first, 0): first + 2]:
            if slot.pusher >= 0 and env.pushes_with_exit(info.instrs[slot.pusher]):
                return "exit"
    return kind


def begins_with_exit(info: CodeInfo, index: int) -> bool:
    """Does the line that starts at ``index`` begin a ``with`` block's exit (its
    arguments, then the call of ``__exit__``)? Versions give that line event different
    lines: 3.11 and 3.12 the ``with`` statement's, 3.13 the context expression's, so a
    parenthesised ``with`` over several lines stops where another version has no place."""
    if index not in _line_starts(info):
        return False
    for j in range(index, min(index + 6, len(info.instrs))):
        name = info.instrs[j].opname
        if name in env.CALL_OPS:
            return kind_at(info, j) == "exit"
        if name not in ("LOAD_CONST", "LOAD_COMMON_CONSTANT", "PRECALL", "PUSH_NULL"):
            return False
    return False


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
    start = kind == "op" and index in _line_starts(info)
    if start:
        same = [i for i in same if i in _line_starts(info)]
    occurrence = same.index(index) if index in same else 0
    on_line = None
    if kind in _COUNTED_ON_LINE:
        line = _on_line(info, rng[0], kind)
        on_line = line.index(index) if index in line else None
    return Place(*rng, kind, occurrence, start, on_line)


def _on_line(info: CodeInfo, line: int, kind: str) -> list[int]:
    """Reachable instructions of ``kind`` on ``line``, in code order (a line-start
    place only among the instructions that start a line)."""
    starts = _line_starts(info) if kind == "op" else None
    return [index for index in range(len(info.instrs))
            if info.stacks[index] is not None and info.position(index)[0] == line
            and kind_at(info, index) == kind and (starts is None or index in starts)]


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
            if env.pushes_with_exit(info.instrs[slot.pusher]) and \
                    first is not NULL and second is not NULL:
                # PYVERSIONS: 3.14 keeps a with block's __exit__ as function and self;
                # every version takes it as the bound method 3.11-3.13 keep
                items.append(Item(ITEM_VALUE, _bind(first, second), pos))
                i += 2
                continue
            if first is NULL:
                items.append(Item(ITEM_VALUE, second, pos))
            elif second is NULL:
                items.append(Item(ITEM_VALUE, first, pos))
            else:
                items += [Item(ITEM_VALUE, first, pos), Item(ITEM_SELF, second, pos)]
            i += 2
            continue
        if i + 1 < len(raw) and template[i + 1].kind == stacksim.ITER_INDEX:
            # PYVERSIONS: 3.15 iterates a list or tuple by an index beside it; every
            # version takes the iterator that stands where the index stands
            items.append(Item(ITEM_VALUE, _iterator_at(value, raw[i + 1]), pos))
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


def _iterator_at(iterable, index):
    """An iterator over ``iterable`` that has given ``index`` items (NULL: ``iterable``
    is an iterator already)."""
    if index is NULL:
        return iterable
    iterator = iter(iterable)
    if hasattr(iterator, "__setstate__"):
        iterator.__setstate__(index)
    else:
        for _ in range(index):
            next(iterator)
    return iterator


def _bind(function, obj):
    """``function`` bound to ``obj``, as looking it up on ``obj`` gives it."""
    get = getattr(type(function), "__get__", None)
    return get(function, obj, type(obj)) if get is not None else function


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
        elif slot.kind == stacksim.ITER_INDEX:
            out.append(NULL)  # PYVERSIONS: 3.15: the iterator before it is a real one
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
        elif _constant_not_saved(info, slot, items, j):
            out.append(info.instrs[slot.pusher].argval)
        else:
            value = take(ITEM_VALUE).value
            _check_kind(info, slot, value, len(out))
            out.append(value)
        i += 1
    if j != len(items):
        raise StackMismatch(f"{len(items) - j} saved stack values left over")
    return out


def _constant_not_saved(info: CodeInfo, slot, items: list, j: int) -> bool:
    """Does this interpreter load a constant into ``slot`` that the saved stack does not
    hold? PYVERSIONS: 3.14 loads a keyword's name before its value where 3.11-3.13 load
    all names after (BUILD_CONST_KEY_MAP), so a stack saved there lacks it; a constant is
    known without being saved."""
    if slot.pusher < 0 or info.instrs[slot.pusher].opname not in env.CONSTANT_LOADS:
        return False
    constant = info.instrs[slot.pusher].argval
    if j < len(items) and items[j].kind == ITEM_VALUE:
        saved = items[j].value
        return not (type(saved) is type(constant) and saved == constant)
    return True


# Instructions whose result the interpreter uses without checking its type: a value of
# another type in their slot would crash it (a loop step over a string, LIST_APPEND to a
# dict, MATCH_KEYS on a number), so restore refuses such a stack.
_ITERATOR_PUSHERS = frozenset({"GET_ITER", "GET_YIELD_FROM_ITER", "GET_AWAITABLE"})
_BUILT = {"BUILD_LIST": list, "BUILD_SET": set, "BUILD_MAP": dict}


def is_iterator(value) -> bool:
    """Can a loop step (FOR_ITER, which does not check) take ``value``?"""
    return hasattr(type(value), "__next__") or hasattr(type(value), "send")


def _check_kind(info: CodeInfo, slot, value, n: int) -> None:
    if slot.pusher < 0:
        return
    instr = info.instrs[slot.pusher]
    name = instr.opname
    # PYVERSIONS: a comprehension of its own frame (3.11, generator expressions) loops
    # over its ``.0``, pushed by LOAD_FAST
    if (name in _ITERATOR_PUSHERS or (name in env.LOAD_FAST_OPS and instr.argval == ".0")) \
            and not is_iterator(value):
        raise StackMismatch(f"slot {n} holds a {type(value).__name__}, not an iterator")
    wanted = _BUILT.get(name) or (type(instr.argval) if name == "LOAD_CONST" else None)
    if wanted is not None and type(value) is not wanted:
        raise StackMismatch(f"slot {n} holds a {type(value).__name__}, where {name} "
                            f"put a {wanted.__name__}")


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
    starting = [i for i in same if i in _line_starts(info)] if place.start else same
    if place.occurrence < len(starting) and ok(starting[place.occurrence]):
        return starting[place.occurrence]
    for index in starting + same:  # another version may start no line there
        if ok(index):
            return index
    if place.op in _FOUND_BY_LINE:
        on_line = _on_line(info, place.line, place.op)
        # The awaits of an `async with`'s enters and exits all wait at a SEND with a stack
        # of one shape, in the same order on every version: the order tells them apart.
        nth = place.on_line
        if nth is not None and nth < len(on_line) and ok(on_line[nth]):
            return on_line[nth]
        for index in on_line:
            if ok(index):
                return index
    if place.op == "op" and place.start:
        first = _first_inside(info, place)
        if first is not None and ok(first):
            return first
    if place.op == "for_iter":
        # versions put a comprehension's loop on different lines of a comprehension
        # written over several (3.13 on its ``for`` clause): the only loop that fits
        loops = [i for i in range(len(info.instrs)) if info.stacks[i] is not None
                 and kind_at(info, i) == "for_iter" and ok(i)]
        if len(loops) == 1:
            return loops[0]
        # several fit (other comprehensions of a module, with stacks of one shape): the
        # one whose range holds the place's, or lies inside it (3.12 puts a loop on the
        # whole comprehension, 3.13 on its iterable)
        nested = [i for i in loops if _nested(_range_of(info, i), place.range)]
        if len(nested) == 1:
            return nested[0]
    raise StackMismatch(f"no {place.op} instruction at line {place.line} "
                        f"cols {place.col}-{place.end_col}")


def _range_of(info: CodeInfo, index: int) -> tuple:
    line, end_line, col, end_col = info.position(index)
    return line, end_line, col, end_col


def _nested(a: tuple, b: tuple) -> bool:
    """Does one of two ranges ``(line, end_line, col, end_col)`` lie inside the other?"""
    if None in a or None in b:
        return False
    (a_low, a_high), (b_low, b_high) = (((a[0], a[2]), (a[1], a[3])),
                                        ((b[0], b[2]), (b[1], b[3])))
    return (a_low <= b_low and b_high <= a_high) or (b_low <= a_low and a_high <= b_high)


def _first_inside(info: CodeInfo, place: Place) -> int | None:
    """The first instruction, in code order, that begins inside a line-start place's
    range: where a statement not begun yet begins here. 3.11 begins
    ``x[a:b] = [f(v) for v in x[a:b]]`` by making the comprehension's function, on the
    comprehension's line; 3.12+ inline it and begin with what it reads, a line below."""
    if None in (place.line, place.col, place.end_line, place.end_col):
        return None
    low, high = (place.line, place.col), (place.end_line, place.end_col)
    for index in range(len(info.instrs)):
        line, _end_line, col, _end_col = info.position(index)
        if info.stacks[index] is not None and line is not None and col is not None \
                and low <= (line, col) <= high:
            return index
    return None


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
