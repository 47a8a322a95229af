"""Build resume code objects: a function's own bytecode, entered in the middle.

A resume code object is the original code object, compiled on this interpreter from the
carried source, with a short prologue after its ``RESUME``: it takes the frame's saved
locals and value stack out of a closure cell, pushes the stack (with NULLs where this
interpreter wants them), and jumps to the instruction where the frame was waiting. From
there on the frame runs its original instructions, with their line numbers, exception
table and everything else, so tracebacks, loops and ``try`` blocks behave as before.

Cells become free variables, so a resumed frame shares its cells with the closures made
before the capture; the original parameters stay in place (3.11's ``super()`` reads the
first one) but only to absorb the placeholder arguments a resumed caller passes. The cell
of an inlined comprehension's variable (3.12+) stays a cell: the code itself moves cell
objects in and out of its slot (the comprehension saves the outer one on the stack and
makes a fresh one), so the prologue stores the saved cell object in the slot as it is.
"""

from __future__ import annotations

import dis
from dataclasses import dataclass
from types import CodeType

from bytecode import Bytecode, CellVar, CompilerFlags, FreeVar, Instr, Label
from bytecode.instr import DUAL_ARG_OPCODES_SINGLE_OPS, InstrLocation

from framemig import env
from framemig.interp import codes
from framemig.interp.codes import CodeKey
from framemig.interp.frameread import HIDDEN_PREFIX

STATE = HIDDEN_PREFIX + "state"
VARARGS_NAME = HIDDEN_PREFIX + "args"
VARKW_NAME = HIDDEN_PREFIX + "kw"


@dataclass(frozen=True)
class Plan:
    """What a resume prologue does before it jumps to ``target``."""

    target: int  # index of the instruction to continue at (dis order, no EXTENDED_ARG)
    locals: tuple[str, ...]  # fast locals to set, in the order of the state tuple
    slots: tuple[bool, ...]  # value stack to push, bottom first: True = value, False = NULL
    set_exception: bool = False  # make the state's last value the exception being handled
    returns_self: bool = False  # an __init__ continued for a class call: return the object


def state_layout(plan: Plan) -> str:
    return (f"{len(plan.locals)} locals, {sum(plan.slots)} stack values"
            f"{', exception' if plan.set_exception else ''}")


_cache: dict[tuple, CodeType] = {}


def build(original: CodeType, key: CodeKey, plan: Plan) -> CodeType:
    cache_key = (id(original), plan)
    hit = _cache.get(cache_key)
    if hit is not None:
        return hit
    code = _build(original, key, plan)
    _cache[cache_key] = code
    return code


def raw_cells(code: CodeType) -> tuple[str, ...]:
    """Cells whose slot the code handles as a local too: an inlined comprehension's
    variable that a closure reads (PYVERSIONS: 3.12+ lists it in ``co_varnames``). The
    resume prologue sets them to a cell object, as a local."""
    parameters = _parameters(code)
    return tuple(name for name in code.co_cellvars
                 if name in code.co_varnames and name not in parameters)


def _real_instructions(bc: Bytecode) -> list[Instr]:
    return [x for x in bc if isinstance(x, Instr)]


def _build(original: CodeType, key: CodeKey, plan: Plan) -> CodeType:
    bc = Bytecode.from_code(original, conserve_exception_block_stackdepth=True)
    real = _real_instructions(bc)
    expected = [i.opname for i in dis.get_instructions(original) if i.opname != "EXTENDED_ARG"]
    if [i.name for i in real] != expected:
        raise RuntimeError(f"bytecode does not read {original.co_qualname} as dis does")
    target = real[plan.target]

    kept = raw_cells(original)
    cells = [name for name in bc.cellvars if name not in kept]
    frees = list(bc.freevars)
    # not bc.argnames: it counts positional-only parameters twice, so the first local
    # after the parameters became one, and took the place of the ``**`` placeholder
    argnames = list(_parameters(original))
    arg_cells = [name for name in _parameters(original) if name in cells]
    # The argument's slot keeps its name: a frame's locals show the free variable's value
    # under that name either way, and no name of framemig's shows in ``locals()``.
    renamed = {name: name for name in arg_cells}

    def convert(instr: Instr) -> Instr:
        arg = instr.arg
        if isinstance(arg, CellVar) and arg.name not in kept:
            instr.arg = FreeVar(arg.name)
        elif isinstance(arg, str) and arg in renamed and instr.name in (
                "LOAD_FAST", "LOAD_FAST_BORROW", "LOAD_FAST_CHECK", "LOAD_CLOSURE"):
            instr.arg = FreeVar(arg)  # PYVERSIONS: 3.13 loads closure cells with LOAD_FAST
        elif isinstance(arg, str) and arg in renamed and instr.name in env.DEREF_OPS:
            instr.arg = FreeVar(arg)  # PYVERSIONS: 3.14: see env.DEREF_OPS
        elif isinstance(arg, tuple) and instr.name.startswith(("LOAD_FAST", "STORE_FAST")) \
                and any(name in renamed for name in arg if isinstance(name, str)):
            # PYVERSIONS: 3.13 superinstructions name two locals at once
            raise RuntimeError(f"{original.co_qualname}: cell argument in {instr.name}")
        return instr

    body = []
    label = Label()
    for item in bc:
        if item is target:  # by identity: instructions alike compare equal (an
            body.append(label)  # `async with`'s two exits both start LOAD_CONST None)
        if isinstance(item, Instr):
            if item.name == "COPY_FREE_VARS" or (
                    item.name == "MAKE_CELL" and item.arg.name not in kept):
                continue
            item = convert(item)
            if plan.returns_self and item.name in ("RETURN_VALUE", "RETURN_CONST"):
                body += _return_first_argument(item, renamed.get(argnames[0], argnames[0]))
                continue
        body.append(item)

    freevars = [STATE, *cells, *frees]
    flags = CompilerFlags(bc.flags)
    placeholders = [name for name, flag in ((VARARGS_NAME, CompilerFlags.VARARGS),
                                            (VARKW_NAME, CompilerFlags.VARKEYWORDS))
                    if not flags & flag]
    location = InstrLocation(original.co_firstlineno, original.co_firstlineno, None, None)

    def ins(name, arg=None):
        if arg is None:
            return Instr(name, location=location)
        return Instr(name, arg, location=location)

    temps = [f"{HIDDEN_PREFIX}v{i}" for i in range(sum(plan.slots))]
    exception = HIDDEN_PREFIX + "exc"
    stored = [*plan.locals, *temps] + ([exception] if plan.set_exception else [])
    prologue = []
    if stored:
        prologue += [ins("LOAD_DEREF", FreeVar(STATE)), ins("UNPACK_SEQUENCE", len(stored))]
        prologue += [ins("STORE_FAST", renamed.get(name, name)) for name in stored]
    prologue += [ins("DELETE_DEREF", FreeVar(STATE))]
    # The placeholder parameters that let a resume function take any arguments are
    # unbound at once, so that ``locals()`` and ``f_locals`` show only the program's names.
    prologue += [ins("DELETE_FAST", name) for name in placeholders]
    prologue += [ins("DELETE_FAST", name) for name in _parameters(original)
                 if name not in plan.locals and name not in renamed]
    for name in arg_cells:  # PYVERSIONS: 3.11 super() reads the first argument slot
        prologue += [ins("LOAD_DEREF", FreeVar(name)), ins("STORE_FAST", renamed[name])]
    if plan.set_exception:
        prologue += [ins("LOAD_FAST", exception), ins("PUSH_EXC_INFO"), ins("POP_TOP"),
                     ins("POP_TOP"), ins("DELETE_FAST", exception)]
    values = iter(temps)
    for is_value in plan.slots:
        prologue.append(ins("LOAD_FAST", next(values)) if is_value else ins("PUSH_NULL"))
    prologue += [ins("DELETE_FAST", name) for name in temps]
    prologue.append(ins("JUMP_FORWARD", label))

    resume_at = next(i for i, x in enumerate(body) if isinstance(x, Instr) and x.name == "RESUME")
    body[resume_at + 1:resume_at + 1] = prologue
    body.insert(0, Instr("COPY_FREE_VARS", len(freevars), location=location))

    new_argnames = [renamed.get(name, name) for name in argnames]
    positional = bc.argcount + bc.kwonlyargcount
    if VARARGS_NAME in placeholders:
        new_argnames.insert(positional, VARARGS_NAME)
    if VARKW_NAME in placeholders:
        new_argnames.append(VARKW_NAME)
    flags |= CompilerFlags.VARARGS | CompilerFlags.VARKEYWORDS
    flags &= ~CompilerFlags.NOFREE

    bc[:] = _split_wide_pairs(body, new_argnames)
    bc.argnames = new_argnames
    bc.cellvars = list(kept)
    bc.freevars = freevars
    bc.flags = flags
    # The prologue jumps into the middle of the code, which the library's own stack
    # analysis does not expect; the original depths stay right, so keep them.
    stacksize = max(original.co_stacksize, len(stored) + 1, len(plan.slots) + 2)
    code = bc.to_code(stacksize=stacksize, compute_exception_stack_depths=False)

    listing = [i for i in dis.get_instructions(code) if i.opname != "EXTENDED_ARG"]
    start = next(i for i, x in enumerate(listing) if x.opname == "RESUME") + 1
    codes.register_resume(code, codes.ResumeInfo(key, original, (start, start + len(prologue)),
                                                 plan.returns_self))
    return code


def _split_wide_pairs(body: list, argnames: list[str]) -> list:
    """``body`` with each two-local instruction whose locals do not both get an index
    under 16 written as its two single instructions.

    PYVERSIONS: 3.13's LOAD_FAST_LOAD_FAST and kin pack two local indexes in 4 bits each.
    The prologue stores the locals in another order than the compiler numbered them, so
    a pair may name a local numbered 16 or more; ``bytecode`` (0.19) splits a pair only
    above 16 and packs index 16 into the neighbouring field, so the frame read and wrote
    the wrong locals (a function of more than 16 locals, silently wrong values). The
    numbering repeats the library's: parameters, then the locals of pairs in code
    order, then the others."""
    singles = {name: pair for code, pair in DUAL_ARG_OPCODES_SINGLE_OPS.items()
               if (name := dis.opname[code])}
    singles.update(env.EXTRA_DUAL_LOCAL_OPS)
    while True:
        order = dict.fromkeys(argnames)
        for item in body:
            if isinstance(item, Instr) and item.name in singles:
                order.update(dict.fromkeys(item.arg))
        index = {name: n for n, name in enumerate(order)}
        wide = [k for k, item in enumerate(body) if isinstance(item, Instr)
                and item.name in singles and max(index[a] for a in item.arg) >= 16]
        if not wide:
            return body
        for k in reversed(wide):  # names leaving the pairs only move the others down
            instr = body[k]
            first, second = singles[instr.name]
            body[k:k + 1] = [Instr(first, instr.arg[0], location=instr.location),
                             Instr(second, instr.arg[1], location=instr.location)]


def _parameters(code: CodeType) -> tuple[str, ...]:
    """The parameter names of ``code`` (``Bytecode.argnames`` counts positional-only
    parameters twice)."""
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & CompilerFlags.VARARGS)
    count += bool(code.co_flags & CompilerFlags.VARKEYWORDS)
    return code.co_varnames[:count]


def _return_first_argument(instr: Instr, name: str) -> list[Instr]:
    """What an ``__init__`` returns when its resume function stands for the class call
    that ran it: the object (its first argument), so no trampoline sits between the
    caller's frame and this one. The added instructions have no source position, so they
    neither start lines nor change how a later capture names a place."""
    nowhere = InstrLocation(None, None, None, None)
    done = [Instr("LOAD_FAST", name, location=nowhere),
            Instr("RETURN_VALUE", location=instr.location)]
    if instr.name == "RETURN_VALUE":
        return [Instr("POP_TOP", location=nowhere), *done]
    return done


def placeholder_defaults(code: CodeType) -> tuple[tuple, dict]:
    """Defaults that let a resume function be called with any placeholder arguments."""
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount: code.co_argcount + code.co_kwonlyargcount]
    return (None,) * len(positional), dict.fromkeys(keyword_only)
