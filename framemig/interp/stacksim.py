"""What is on a frame's value stack before each instruction, and who put it there.

The interpreter keeps no description of its value stack. We rebuild one by walking the
bytecode the way the compiler's own stack-depth pass does, along every branch and every
exception handler, recording for each slot the instruction that pushed it. That answers the
questions capture and restore ask: how deep is the stack here, which slots may hold NULL,
which pairs are "callable + self", where the exceptions being handled are.

The analysis depends only on the code object, so it is computed once per code object.
"""

from __future__ import annotations

import collections
import dis
from types import CodeType

from framemig import env

# Slot kinds: what a slot holds, as far as the bytecode can tell.
VALUE = "value"
NULL_SLOT = "null"  # always NULL (PUSH_NULL, the NULL half of LOAD_GLOBAL)
PAIR_FIRST = "pair0"  # first of a callable/self pair: callable, or NULL (3.11/3.12)
PAIR_SECOND = "pair1"  # second of the pair: self, or NULL (3.13), or the callable
MAYBE_NULL = "maybe"  # a saved local that may be unbound (LOAD_FAST_AND_CLEAR)
EXC = "exc"  # an exception being handled, or the one handled before it
LASTI = "lasti"  # the offset of the instruction that raised (for re-raising)
ITER_INDEX = "iterindex"  # 3.15: NULL, or a list's/tuple's index, above its iterable


class Slot(collections.namedtuple("Slot", "kind pusher")):
    """What a stack slot holds, and the index of the instruction that pushed it (-1 for
    the slots an exception handler starts with)."""

    __slots__ = ()

    def __repr__(self):
        return f"{self.kind}@{self.pusher}"


class StackAnalysisError(Exception):
    pass


class CodeInfo:
    def __init__(self, code: CodeType, instrs: list, index_of_offset: dict, stacks: list):
        self.code = code
        self.instrs = instrs
        self.index_of_offset = index_of_offset
        self.stacks = stacks  # stack before each instruction, None if unreachable

    def index_at(self, lasti: int) -> int:
        """The instruction covering ``lasti`` (which may point into its inline caches)."""
        if lasti in self.index_of_offset:
            return self.index_of_offset[lasti]
        best = 0
        for index, instr in enumerate(self.instrs):
            if instr.offset > lasti:
                break
            best = index
        return best

    def position(self, index: int) -> tuple:
        p = self.instrs[index].positions
        return (p.lineno, p.end_lineno, p.col_offset, p.end_col_offset) if p else (None,) * 4


def _instructions(code: CodeType) -> tuple[list[dis.Instruction], dict[int, int]]:
    """Real instructions, and the index of the instruction at or after every offset.

    Jumps and exception ranges may point at an EXTENDED_ARG prefix; those offsets map to
    the instruction the prefix belongs to.
    """
    instrs, index_of_offset, pending = [], {}, []
    for instr in dis.get_instructions(code):
        if instr.opname in ("EXTENDED_ARG", "CACHE"):
            pending.append(instr.offset)
            continue
        for offset in pending:
            index_of_offset[offset] = len(instrs)
        pending.clear()
        index_of_offset[instr.offset] = len(instrs)
        instrs.append(instr)
    return instrs, index_of_offset


def _exception_entries(code: CodeType):
    return dis.Bytecode(code).exception_entries


def _pushes(instr: dis.Instruction, index: int, net: int, pops: int) -> list[Slot]:
    count = pops + net
    name = instr.opname
    if name == "PUSH_NULL":
        return [Slot(NULL_SLOT, index)]
    if name == "LOAD_GLOBAL" and count == 2:
        if env.PYBEHAVIOR.null_after_callable:
            return [Slot(VALUE, index), Slot(NULL_SLOT, index)]
        return [Slot(NULL_SLOT, index), Slot(VALUE, index)]
    if count == 2 and env.pushes_call_pair(name, instr.arg):
        return [Slot(PAIR_FIRST, index), Slot(PAIR_SECOND, index)]
    if name == "LOAD_FAST_AND_CLEAR":
        return [Slot(MAYBE_NULL, index)]
    if name == "PUSH_EXC_INFO":
        return [Slot(EXC, index), Slot(EXC, index)]
    if name == "GET_ITER" and count == 2:  # PYVERSIONS: 3.15
        return [Slot(VALUE, index), Slot(ITER_INDEX, index)]
    return [Slot(VALUE, index)] * count


def _pops(instr: dis.Instruction, net: int, jump: bool) -> int:
    rule = env.POPS.get(instr.opname)
    if rule is None or jump:
        return max(0, -net)
    return rule(instr.arg) if callable(rule) else rule


def _step(instr, index, stack: tuple, jump: bool) -> tuple:
    name = instr.opname
    if name == "COPY":
        return stack + (stack[-instr.arg],)
    if name == "SWAP":
        s = list(stack)
        s[-1], s[-instr.arg] = s[-instr.arg], s[-1]
        return tuple(s)
    net = env.stack_effect(name, instr.opcode, instr.arg, jump)
    pops = _pops(instr, net, jump)
    if pops > len(stack):
        raise StackAnalysisError(f"stack underflow at {instr.offset} {name}")
    kept = stack[: len(stack) - pops] if pops else stack
    return kept + tuple(_pushes(instr, index, net, pops))


def analyze(code: CodeType, entries: tuple[int, ...] = (0,), skip: tuple[int, int] | None = None
            ) -> CodeInfo:
    """Simulate ``code``'s value stack from ``entries`` (instruction indexes).

    ``skip`` names a half-open range of instruction indexes that execution never falls
    into (the prologue of a resume code object); falling into it goes past it instead.
    """
    instrs, index_of_offset = _instructions(code)
    stacks: list[tuple | None] = [None] * len(instrs)
    handlers = []
    for entry in _exception_entries(code):
        handlers.append((entry.start, entry.end, index_of_offset[entry.target], entry.depth,
                         entry.lasti))

    work = []
    for entry in entries:
        stacks[entry] = ()
        work.append(entry)

    def reach(target: int, stack: tuple):
        known = stacks[target]
        if known is None:
            stacks[target] = stack
            work.append(target)
        elif len(known) != len(stack):
            raise StackAnalysisError(
                f"{code.co_qualname}: depth {len(known)} vs {len(stack)} at "
                f"{instrs[target].offset} {instrs[target].opname}"
            )

    while work:
        index = work.pop()
        instr = instrs[index]
        stack = stacks[index]
        for start, end, target, depth, lasti in handlers:
            if start <= instr.offset < end:
                if len(stack) < depth:
                    # PYVERSIONS: 3.15 covers a generator expression's last instructions
                    # (after POP_ITER, nothing can raise) with a handler of its loop's depth
                    continue
                handler_stack = stack[:depth] + ((Slot(LASTI, -1),) if lasti else ())
                reach(target, handler_stack + (Slot(EXC, -1),))
        if instr.opcode in env.HASJUMP:
            reach(index_of_offset[instr.argval], _step(instr, index, stack, True))
        if instr.opname not in env.NO_FALLTHROUGH and index + 1 < len(instrs):
            following = index + 1
            if skip and following == skip[0]:
                following = skip[1]
            reach(following, _step(instr, index, stack, False))
    return CodeInfo(code, instrs, index_of_offset, stacks)


_cache: dict[int, tuple[CodeType, CodeInfo]] = {}


def info_for(code: CodeType, entries=(0,), skip=None) -> CodeInfo:
    """Cached :func:`analyze`; the cache holds the code object so ids stay unique."""
    key = id(code)
    hit = _cache.get(key)
    if hit is not None and hit[0] is code:
        return hit[1]
    result = analyze(code, entries, skip)
    _cache[key] = (code, result)
    return result


def comprehension_groups(info: CodeInfo, template: tuple) -> list[tuple[int, int]]:
    """Slot ranges ``(first, end)`` of the LOAD_FAST_AND_CLEAR runs in a stack: one per
    inlined comprehension the instruction is inside (PYVERSIONS: 3.12+)."""
    groups = []
    i = 0
    while i < len(template):
        slot = template[i]
        if slot.kind == MAYBE_NULL:
            start = i
            position = info.position(slot.pusher)
            while (i < len(template) and template[i].kind == MAYBE_NULL
                   and info.position(template[i].pusher) == position):
                i += 1
            groups.append((start, i))
        else:
            i += 1
    return groups


# Instructions that leave a value on the stack for a whole block of statements: a loop's
# iterator, a with block's exit, the exceptions being handled, the variables an inlined
# comprehension saved. A line that starts with only these below it starts a statement.
_BLOCK_PUSHERS = frozenset({"GET_ITER", "GET_AITER", "BEFORE_WITH", "BEFORE_ASYNC_WITH",
                            "PUSH_EXC_INFO", "LOAD_FAST_AND_CLEAR"})
_ACCUMULATORS = frozenset({"BUILD_LIST", "BUILD_SET", "BUILD_MAP"})


def _is_iterator_slot(info: CodeInfo, slot: Slot) -> bool:
    if slot.pusher < 0:
        return False
    instr = info.instrs[slot.pusher]
    # PYVERSIONS: 3.11 comprehensions run in a frame of their own, iterating over ``.0``.
    return instr.opname in ("GET_ITER", "GET_AITER") or \
        (instr.opname in env.LOAD_FAST_OPS and instr.argval == ".0")


def first_loose_slot(info: CodeInfo, template: tuple) -> int | None:
    """The first slot that holds part of an expression being evaluated, or None.

    Where a line event comes in the middle of a statement (the second line of a call, a
    ``return`` leaving a ``with`` block, the ``case`` lines of a ``match``), what is on
    the stack depends on how this interpreter compiled the expression, and another one
    may have no instruction that takes the same values. Only a stack of block values
    (see ``_BLOCK_PUSHERS``) is sure to have its counterpart on every version.
    """
    for n, slot in enumerate(template):
        if slot.kind in (EXC, LASTI, MAYBE_NULL, ITER_INDEX) or slot.pusher < 0:
            continue
        instr = info.instrs[slot.pusher]
        if instr.opname in _BLOCK_PUSHERS or _is_iterator_slot(info, slot) or \
                env.pushes_with_exit(instr):
            continue
        if instr.opname in _ACCUMULATORS and instr.arg == 0 and \
                any(_is_iterator_slot(info, later) for later in template[n + 1:]):
            continue  # a comprehension's accumulator, below its iterator
        return n
    return None


def comprehension_started(info: CodeInfo, template: tuple, qualname: str) -> bool:
    """Is every comprehension that this stack is inside already looping? Before its loop
    starts, 3.11 has a frame for it holding only ``.0``, where 3.12+ has its iterator
    and saved variables on the enclosing function's stack: no place of one has a
    counterpart in the other."""
    if qualname.rsplit(".", 1)[-1] in ("<listcomp>", "<setcomp>", "<dictcomp>"):
        return any(_is_iterator_slot(info, slot) for slot in template)
    groups = comprehension_groups(info, template)
    if not groups:
        return True
    end = groups[-1][1]
    return end + 1 < len(template) and template[end].pusher >= 0 and \
        info.instrs[template[end].pusher].opname in _ACCUMULATORS and \
        _is_iterator_slot(info, template[end + 1])


_EXPRESSION_FLOW = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "RETURN_VALUE", "RETURN_CONST",
                              "FOR_ITER", "RAISE_VARARGS", "RERAISE", "YIELD_VALUE"})


def feeds_inlined_comprehension(info: CodeInfo, index: int, starts: bool = False) -> bool:
    """Is the instruction at ``index`` part of computing the outermost iterable of an
    inlined comprehension, asynchronous or not (PYVERSIONS: 3.12+)? 3.11 holds the
    comprehension's function on its stack meanwhile, which this interpreter has no
    counterpart of. Looks ahead, in straight-line code, for the GET_ITER (GET_AITER)
    that starts such a comprehension, with the stack never falling to what lies below
    its iterable on the way. ``starts``: the instruction begins that computation (a
    line event at ``enumerate`` of ``[i for i, v in enumerate(args)]``: 3.13 starts
    the statement's line there, 3.11 on the line before, making the function)."""
    lowest = len(info.stacks[index] or ()) if not starts else 1 << 30
    for j in range(index + 1, min(index + 400, len(info.instrs) - 1)):
        stack = info.stacks[j]
        if stack is None:
            return False
        lowest = min(lowest, len(stack))
        name = info.instrs[j].opname
        if name in ("GET_ITER", "GET_AITER") and \
                info.instrs[j + 1].opname == "LOAD_FAST_AND_CLEAR":  # an async one too
            return lowest > len(stack) - 1
        if name in _EXPRESSION_FLOW or name.startswith("POP_JUMP"):
            return False
    return False
