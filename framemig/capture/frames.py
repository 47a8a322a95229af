"""Read the program's stack into frame records, and decide whether now is a safe point.

The stack is safe to capture when every program frame is waiting in a way a restorer can
set up again: the innermost at the start of a line (or in ``time.sleep``), every other in
a call to the next one. Calls that pass through C are safe only when the C part does
nothing a restorer cannot redo: a class call running ``__init__``, ``next()`` or a
``for`` loop driving a generator. Anything else (``sorted(key=...)``, a property, an
operator method) means waiting for a later safe point.
"""

from __future__ import annotations

import builtins
import inspect
import os
import types
from dataclasses import dataclass, field

from framemig import env
from framemig.capture import comprehensions
from framemig.capture.refusal import NotSafe, Refused
from framemig.capture.world import (
    World,
    is_framemig_file,
    is_standard_library,
    looks_like_standard_library,
)
from framemig.interp import codes, stackmap, stacksim
from framemig.interp.frameread import NULL, FrameView
from framemig.interp.stacksim import CodeInfo


@dataclass
class Link:
    """How a frame waits for the frame above it."""

    kind: str  # "direct", "class", "gen", "sleep", "redo"
    data: dict = field(default_factory=dict)


@dataclass
class LiveFrame:
    frame: types.FrameType
    view: FrameView
    info: CodeInfo
    index: int  # the instruction the frame resumes at
    below: list  # raw stack under the instruction's operands
    link: Link | None = None
    generator: types.GeneratorType | None = None

    @property
    def is_module(self) -> bool:
        return not self.frame.f_code.co_flags & inspect.CO_OPTIMIZED


def where(world: World, frame) -> str:
    path = world.source_key(frame.f_code.co_filename)
    qualname = frame.f_code.co_qualname
    return f"{path}:{frame.f_lineno} in {qualname}"


def _kind_of_file(world: World, frame) -> str:
    filename = frame.f_code.co_filename
    if codes.resume_info(frame.f_code) is not None:
        return "program"
    if filename.startswith("<"):
        return "string"
    if is_framemig_file(filename):
        return "framemig"
    return "program"  # the program or a pure-Python library: both can be resumed


def _runs_standard_library(frame) -> bool:
    resumed = codes.resume_info(frame.f_code)
    if resumed is None:
        return is_standard_library(frame.f_code.co_filename)
    source = resumed.key.source
    # a restored frame names the file it was captured in, on the machine it came from
    return source.startswith("lib:") and (
        is_standard_library(source[4:]) or looks_like_standard_library(source[4:]))


def _chain(world: World, innermost, root):
    frames = []
    frame = innermost
    while frame is not None and frame is not root:
        frames.append(frame)
        frame = frame.f_back
    if frame is None:
        raise NotSafe("the program's stack does not reach its entry point")
    return list(reversed(frames))


def live_stack(world: World, innermost, root, pending: dict | None = None) -> list[LiveFrame]:
    """The program frames between ``root`` (excluded) and ``innermost``, outermost first.

    ``pending`` describes a framemig call the innermost frame is in (a sleep, or a blocking
    call to be made again on the target), or None when the innermost frame stopped at a
    line.
    """
    chain = _chain(world, innermost, root)
    live: list[LiveFrame] = []
    i = 0
    while i < len(chain):
        frame = chain[i]
        kind = _kind_of_file(world, frame)
        if kind == "string":
            # The import machinery, or code compiled from a string: what it runs (a
            # module being imported) waits until it returns; the next line after is safe.
            raise NotSafe(f"{frame.f_code.co_filename} code is running "
                          f"({frame.f_code.co_qualname})",
                          until_returns=chain[i + 1] if i + 1 < len(chain) else None)
        if kind == "framemig":
            raise NotSafe(f"framemig code is running ({frame.f_code.co_qualname})")
        if not frame.f_code.co_flags & inspect.CO_OPTIMIZED and \
                frame.f_code.co_name != "<module>":
            raise NotSafe(f"{where(world, frame)}: a class body is running")
        callee = chain[i + 1] if i + 1 < len(chain) else None
        if callee is None:
            if pending is None and _runs_standard_library(frame):
                # its code is another version's on another interpreter, where the next
                # line may use what that one's module lacks: wait until it returns
                raise NotSafe(f"{where(world, frame)}: the standard library is running")
            live.append(_innermost(world, frame, pending))
        else:
            live.append(_waiting(world, frame, callee))
        i += 1
    _attach_generators(live)
    for frame in live:
        _check_resumable(world, frame)
    return live


def _check_resumable(world, live: LiveFrame) -> None:
    """Make sure restore will find this frame's place and stack again, by doing what it
    does, here: a capture is answered only once it is known that it can be continued."""
    info = live.info
    template = info.stacks[live.index][: len(live.below)]
    here = where(world, live.frame)
    try:
        items = stackmap.normalize(info, template, live.below)
        place = stackmap.place_of(info, live.index)
        index, _ = stackmap.resolve(info, place, lambda t: items, live.link is not None)
    except stackmap.StackMismatch as exc:
        raise NotSafe(f"{here}: cannot be continued here ({exc})") from None
    if index != live.index:
        raise NotSafe(f"{here}: cannot be continued here (its place is ambiguous)")


_JUMPS = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP",
                    "JUMP_NO_INTERRUPT", "NOP"})


def _past_jumps(info: CodeInfo, index: int) -> int:
    """Where a frame stopped at an unconditional jump goes next: the same place for the
    program, and one that every version has (3.12+ stops a loop's turn at its
    JUMP_BACKWARD, 3.11 at the FOR_ITER it jumps to)."""
    for _ in range(8):
        instr = info.instrs[index]
        if instr.opname not in _JUMPS:
            break
        following = info.index_of_offset[instr.argval] if instr.opname != "NOP" else index + 1
        if info.stacks[following] is None or len(info.stacks[following]) != \
                len(info.stacks[index]):
            break
        index = following
    return index


def _innermost(world, frame, pending) -> LiveFrame:
    view = FrameView(frame)
    info = codes.analysis(frame.f_code)
    index = info.index_at(frame.f_lasti)
    _check_not_prologue(world, frame, index)
    if pending is None:
        index = _past_jumps(info, index)
    template = info.stacks[index]
    if pending is None:
        depth = view.stacktop
        if template is None or depth != len(template):
            raise NotSafe(f"{where(world, frame)}: stack depth {depth} is not what the "
                          f"bytecode says ({None if template is None else len(template)})")
        loose = stacksim.first_loose_slot(info, template)
        if loose is not None:
            raise NotSafe(f"{where(world, frame)}: in the middle of a statement (a value "
                          f"of {info.instrs[template[loose].pusher].opname} is on the stack)")
        if not stacksim.comprehension_started(info, template, frame.f_code.co_qualname) \
                or info.instrs[index].opname == "LOAD_FAST_AND_CLEAR":
            # (3.12+ give the comprehension's line event when its iterator is made and
            # its variables not saved yet: 3.11 is then making its function)
            raise NotSafe(f"{where(world, frame)}: a comprehension is starting")
        if codes.is_comprehension(frame.f_code.co_qualname) and \
                info.instrs[index].opname != "FOR_ITER":
            # a 3.11 comprehension frame stops at its loop's head only: a line of its
            # element or condition starts elsewhere where 3.12+ inline it
            raise NotSafe(f"{where(world, frame)}: inside a comprehension, between two "
                          f"items")
        if any(isinstance(value, types.FunctionType) and
               codes.is_comprehension(value.__code__.co_qualname)
               for value in view.stack(depth)) or (
                env.PYBEHAVIOR.inlined_comprehensions and
                stacksim.feeds_inlined_comprehension(info, index, starts=True)):
            # 3.11 holds the comprehension's function, made and not called yet
            raise NotSafe(f"{where(world, frame)}: what a comprehension iterates over is "
                          f"being computed")
        if stackmap.begins_with_exit(info, index):
            raise NotSafe(f"{where(world, frame)}: a with block's exit is starting "
                          f"(versions give it different lines)")
        return LiveFrame(frame, view, info, index, view.stack(depth))
    instr = info.instrs[index]
    depth = view.stacktop
    link = Link(pending["kind"], dict(pending))
    if instr.opname == "FOR_ITER" and pending["kind"] == "redo":
        # next() of a framemig iterator: the iterator is still on the stack, and the
        # FOR_ITER itself is redone on the target. A frame in a call made from C has no
        # saved stack top (-1); the bytecode says how deep the stack is.
        if template is not None and depth == -1:
            depth = len(template)
        if template is None or depth != len(template):
            raise NotSafe(f"{where(world, frame)}: unexpected stack depth {depth} in a loop")
        return LiveFrame(frame, view, info, index, view.stack(depth), link)
    if env.PYBEHAVIOR.stack_saved_across_c_calls and instr.opname in env.CALL_OPS and \
            template is not None and depth == len(template):
        depth = -1  # the call's operands are still on the stack: a call through C
    if instr.opname not in env.CALL_OPS or depth < 0:
        raise NotSafe(f"{where(world, frame)}: a framemig wait is called from C code")
    expected = len(template) - env.call_operand_count(instr.opname, instr.arg)
    if depth != expected:
        raise NotSafe(f"{where(world, frame)}: unexpected stack depth {depth} at a call")
    return LiveFrame(frame, view, info, index, view.stack(depth), link)


def _check_not_prologue(world, frame, index):
    resumed = codes.resume_info(frame.f_code)
    if resumed is not None and resumed.prologue[0] <= index < resumed.prologue[1]:
        raise NotSafe(f"{where(world, frame)} is still being restored")


def _waiting(world, frame, callee) -> LiveFrame:
    view = FrameView(frame)
    info = codes.analysis(frame.f_code)
    index = info.index_at(frame.f_lasti)
    _check_not_prologue(world, frame, index)
    instr = info.instrs[index]
    template = info.stacks[index]
    if template is None:
        raise NotSafe(f"{where(world, frame)}: no stack description at {instr.opname}")
    top = view.stacktop
    callee_view = FrameView(callee)
    here = where(world, frame)
    if instr.opname in env.CALL_OPS:
        nops = env.call_operand_count(instr.opname, instr.arg)
        base = len(template) - nops
        _check_no_comprehension_pending(here, info, index, view.stack(base), callee)
        # A restored __init__ is called directly and returns self: still a class call
        resumed = codes.resume_info(callee.f_code)
        made = resumed is not None and resumed.returns_self
        if env.PYBEHAVIOR.stack_saved_across_c_calls and top == len(template) and nops:
            top = -1  # the call's operands are still on the stack: a call through C
        if top >= 0:
            if top != base:
                raise NotSafe(f"{here}: unexpected stack depth {top} at a call")
            if callee_view.shim_between() or made:
                link = Link("class", {"self": _first_argument(callee_view)})
            else:
                link = Link("direct")
            return LiveFrame(frame, view, info, index, view.stack(base), link)
        raw = view.stack(len(template))
        if made:  # the stack top is not known (3.12+): the same, seen from the callee
            link = Link("class", {"self": _first_argument(callee_view)})
        else:
            link = _link_through_c(here, info, template[base:], raw[base:], callee,
                                   callee_view)
        return LiveFrame(frame, view, info, index, raw[:base], link)
    if instr.opname == "FOR_ITER":
        raw = view.stack(len(template))
        iterator = raw[-1]
        if _is_generator_of(iterator, callee):
            link = Link("gen", {"generator": iterator, "via": "for"})
            return LiveFrame(frame, view, info, index, raw, link)
        raise NotSafe(f"{here}: a for loop is running Python code of an iterator "
                      f"({type(iterator).__name__}.__next__)", until_returns=callee)
    if instr.opname == "SEND":
        raw = view.stack(len(template) - 1)
        receiver = raw[-1]
        if _is_generator_of(receiver, callee):
            link = Link("gen", {"generator": receiver, "via": "yield from"})
            return LiveFrame(frame, view, info, index, raw, link)
        raise NotSafe(f"{here}: 'yield from' is driving something that is not a generator",
                      until_returns=callee)
    raise NotSafe(f"{here}: Python code runs inside {instr.opname} "
                  f"({callee.f_code.co_qualname}, called from C)", until_returns=callee)


def _check_no_comprehension_pending(here, info, index, below, callee) -> None:
    """A call that computes a comprehension's outermost iterable cannot be continued on
    another version: 3.11 keeps the comprehension's function on the stack meanwhile, 3.12+
    nothing. The capture waits until the comprehension runs."""
    pending = any(isinstance(value, types.FunctionType)
                  and codes.is_comprehension(value.__code__.co_qualname) for value in below)
    if pending or (env.PYBEHAVIOR.inlined_comprehensions
                   and stacksim.feeds_inlined_comprehension(info, index)):
        raise NotSafe(f"{here}: a call computes what a comprehension iterates over",
                      until_returns=callee)


def _is_generator_of(obj, frame) -> bool:
    """Is ``obj`` the generator, or the coroutine, that runs in ``frame``?"""
    if isinstance(obj, types.GeneratorType):
        return obj.gi_frame is frame
    return isinstance(obj, types.CoroutineType) and obj.cr_frame is frame


def _first_argument(view: FrameView):
    slots = view.slots()
    first = view.code.co_varnames[0] if view.code.co_argcount else None
    value = slots.get(first, NULL)
    if type(value) is types.CellType:
        value = value.cell_contents
    return value


def _split_call(operands: list) -> tuple[object, list]:
    """(callable, arguments) from a call's raw operands, self included in the arguments."""
    first, second, *arguments = operands
    if first is NULL:  # PYVERSIONS: 3.11/3.12 put NULL before the callable
        return second, arguments
    if second is NULL:  # 3.13 puts it after
        return first, arguments
    return first, [second, *arguments]  # a method and its self


# Methods of a generator or coroutine that run it from C: its caller waits in them as in
# ``next()``. The restored one has not started, and ``send(None)`` runs it to where it was
# (a thrown exception, too, was already taken in when it was captured).
_DRIVERS = ("send", "__next__", "throw")


def _attribute(obj, name: str, default=None):
    """``getattr`` on whatever the program had on its stack: its own ``__getattr__`` may
    recurse or fail (faker's proxy, captured half built, recursed to the limit)."""
    try:
        return getattr(obj, name, default)
    except Exception:
        return default


def _link_through_c(here, info, operand_template, operands, callee, callee_view) -> Link:
    """Classify a call whose callee frame was started by C code."""
    function, arguments = _split_call(operands)
    arguments = [a for a in arguments if a is not NULL]
    generator = arguments[0] if arguments else None
    if function is builtins.next and _is_generator_of(generator, callee):
        return Link("gen", {"generator": generator, "via": "next", "args": arguments[1:]})
    bound_self = _attribute(function, "__self__")
    name = _attribute(function, "__name__")
    if name in _DRIVERS and _is_generator_of(bound_self, callee):
        return Link("gen", {"generator": bound_self, "via": name})
    if isinstance(function, types.MethodDescriptorType) and name in _DRIVERS \
            and _is_generator_of(generator, callee):
        return Link("gen", {"generator": generator, "via": name})
    if isinstance(function, type) and callee.f_code.co_name == "__init__":
        instance = _first_argument(callee_view)
        if isinstance(instance, function):
            return Link("class", {"self": instance})
    target = _attribute(function, "__func__", function)
    if _attribute(target, "__code__") is callee.f_code:
        return Link("direct")
    label = _attribute(function, "__qualname__") or type(function).__qualname__
    raise NotSafe(f"{here}: {label} (C code) is running Python code "
                  f"({callee.f_code.co_qualname})", until_returns=callee)


def _attach_generators(live: list[LiveFrame]) -> None:
    for caller, callee in zip(live, live[1:]):
        if caller.link is not None and caller.link.kind == "gen":
            callee.generator = caller.link.data["generator"]
    for frame in live:
        is_generator = frame.frame.f_code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE)
        if is_generator and frame.generator is None:
            raise NotSafe(f"generator {frame.frame.f_code.co_qualname} runs without a caller "
                          f"we can see")


# --- records ----------------------------------------------------------------------------


def frame_records(enc, live: LiveFrame) -> list[dict]:
    """The JSON records of one frame on the program's stack (several if the frame is
    inside inlined comprehensions: see :mod:`framemig.capture.comprehensions`)."""
    world = enc.world
    frame = live.frame
    label = where(world, frame)
    info = live.info
    template = info.stacks[live.index][: len(live.below)]
    key = world.code_key(frame.f_code)
    slots = live.view.slots()
    parts = None
    if env.PYBEHAVIOR.inlined_comprehensions:
        parts = comprehensions.split(info, template, live.below, slots, key, live.is_module)
    if parts is None:
        parts = [comprehensions.Part(key, None, template, live.below, slots, frame.f_lineno)]
    cell_names = set(frame.f_code.co_cellvars) | set(frame.f_code.co_freevars)
    records = []
    for n, part in enumerate(parts):
        innermost = n == len(parts) - 1
        place = stackmap.place_of(info, live.index) if part.place is None else part.place
        record = {
            "code": part.key.as_json(),
            "at": place.as_json(),
            "line": frame.f_lineno if innermost else part.line,
            "globals": enc.root(frame.f_globals, f"{label}:"),
            "stack": _stack_items(enc, info, part.template, part.raw, label),
        }
        if n == 0 and live.is_module:
            record["module"] = _module_name(world, frame)
        if not live.is_module or n > 0:
            # A comprehension's variable that a closure made in it reads is a cell here
            # (3.12+ keeps it in the function's slot): it travels as a cell, as 3.11's
            # comprehension frame has it, so those closures keep sharing it.
            cells = {name for name, value in part.locals.items() if name in cell_names
                     and (n == 0 or type(value) is types.CellType)}
            record["locals"] = {
                name: enc.root(enc.redact(name, value, "local", label),
                               f"{label}: local {name!r}")
                for name, value in part.locals.items()
                if value is not NULL and name not in cells}
            for name, value in record["locals"].items():
                if type(value) is int:  # ``d = id(x)`` in copy.deepcopy
                    enc.may_be_id(record["locals"], name, value)
            record["cells"] = {
                name: enc.root(_named(enc, name, value, label), f"{label}: variable {name!r}")
                for name, value in part.locals.items()
                if value is not NULL and name in cells}
        if n == 0 and live.generator is not None:
            record["generator"] = enc.root(live.generator, f"{label}: the running generator")
        if not innermost:
            record["link"] = {"kind": "direct"}
        elif live.link is not None:
            record["link"] = _link_record(enc, live.link, label)
        records.append(record)
    return records


def _stack_items(enc, info, template, raw, label) -> list:
    try:
        items = stackmap.normalize(info, template, raw)
    except stackmap.StackMismatch as exc:
        raise NotSafe(f"{label}: {exc}") from None
    return [_item_record(enc, item, label, n) for n, item in enumerate(items)]


def _module_name(world: World, frame) -> str:
    name = world.module_name_of_dict(frame.f_globals)
    if name is None:
        raise NotSafe(f"{where(world, frame)}: module code of a library is running")
    return name


def _link_record(enc, link: Link, label: str) -> dict:
    data = {"kind": link.kind}
    if link.kind == "sleep":
        data["remaining"] = link.data["remaining"]
    elif link.kind == "redo":
        data["method"] = link.data["method"]
        data["self"] = enc.root(link.data["target"], f"{label}: the object waited on")
        data["args"] = [enc.root(a, f"{label}: an argument of the wait")
                        for a in link.data["args"]]
    elif link.kind == "class":
        data["self"] = enc.root(link.data["self"], f"{label}: the object being initialised")
    elif link.kind == "gen":
        data["via"] = link.data["via"]
        data["args"] = [enc.root(a, f"{label}: an argument of next()")
                        for a in link.data.get("args", [])]
    return data


def _state_record(enc, frame, view: FrameView, info: CodeInfo, index: int, below: list,
                  label: str) -> dict:
    """The record of a generator that is not running (never inside a comprehension)."""
    world = enc.world
    key = world.code_key(frame.f_code)
    template = info.stacks[index]
    record = {
        "code": key.as_json(),
        "at": stackmap.place_of(info, index).as_json(),
        "line": frame.f_lineno,
        "globals": enc.root(frame.f_globals, f"{label}:"),
        "stack": _stack_items(enc, info, template[: len(below)], below, label),
    }
    local_values, cells = {}, {}
    cell_names = set(frame.f_code.co_cellvars) | set(frame.f_code.co_freevars)
    for name, value in view.slots().items():
        if value is NULL:
            continue
        if name in cell_names:
            cells[name] = enc.root(_named(enc, name, value, label),
                                   f"{label}: variable {name!r}")
        else:
            local_values[name] = enc.root(enc.redact(name, value, "local", label),
                                          f"{label}: local {name!r}")
    record["locals"] = local_values
    record["cells"] = cells
    return record


def _named(enc, name: str, value, label: str):
    """A frame's cell variable ``name``: the cell (whose contents dump --redact may keep
    out: the cell itself is shared with closures), or its value where the slot holds no
    cell (3.11's argument before MAKE_CELL)."""
    if type(value) is types.CellType:
        enc.name_cell(value, name, "variable", label)
        return value
    return enc.redact(name, value, "variable", label)


def _item_record(enc, item: stackmap.Item, label: str, n: int) -> dict:
    if item.kind == stackmap.ITEM_LASTI:
        return {"k": item.kind, "at": item.value.as_json()}
    value = item.value
    if item.kind == stackmap.ITEM_MAYBE and value is NULL:
        return {"k": item.kind, "unbound": True, "pos": item.pos}
    return {"k": item.kind, "v": enc.root(value, f"{label}: a value being computed (#{n})"),
            "pos": item.pos}


# --- generators that are not running -------------------------------------------------------


def generator_entry(enc, generator, index) -> dict:
    """A generator or a coroutine (``"coroutine": true``): both are a frame that waits."""
    entry = {"t": "generator", "name": generator.__name__, "qualname": generator.__qualname__}
    coroutine = isinstance(generator, types.CoroutineType)
    if coroutine:
        entry["coroutine"] = True
    stack_index = enc.running_generators.get(id(generator))
    if stack_index is not None:
        return {**entry, "state": "running", "frame": stack_index}
    frame = generator.cr_frame if coroutine else generator.gi_frame
    if frame is None:
        return {**entry, "state": "closed"}
    if generator.cr_running if coroutine else generator.gi_running:
        raise Refused("is a generator running outside the captured stack")
    world = enc.world
    label = f"{where(world, frame)} (generator)"
    view = FrameView(frame)
    info = codes.analysis(frame.f_code)
    created = inspect.CORO_CREATED if coroutine else inspect.GEN_CREATED
    state = (inspect.getcoroutinestate if coroutine else inspect.getgeneratorstate)(generator)
    if state == created:
        index_at = _body_start(info)
        record = _state_record(enc, frame, view, info, index_at, [], label)
        record["at"] = None
        return {**entry, "state": "created", "frame": record}
    position = info.index_at(frame.f_lasti)
    if env.PYBEHAVIOR.suspended_lasti_after_yield:
        position = _yield_before(info, position)
    if info.instrs[position].opname != "YIELD_VALUE":
        raise Refused(f"is a generator suspended at {info.instrs[position].opname}")
    template = info.stacks[position]
    below = view.stack(len(template) - 1)
    record = _state_record(enc, frame, view, info, position, below, label)
    return {**entry, "state": "suspended", "frame": record}


def _body_start(info: CodeInfo) -> int:
    for index, instr in enumerate(info.instrs):
        if instr.opname == "RESUME":
            return index + 1
    return 0


def _yield_before(info: CodeInfo, index: int) -> int:
    for back in range(index, max(index - 3, -1), -1):
        if info.instrs[back].opname == "YIELD_VALUE":
            return back
    return index


def running_generators(live: list[LiveFrame]) -> dict[int, int]:
    """id(generator) -> index of its frame's first record in the snapshot's stack."""
    running, index = {}, 0
    for frame in live:
        if frame.generator is not None:
            running[id(frame.generator)] = index
        index += _record_count(frame)
    return running


def _record_count(live: LiveFrame) -> int:
    if not env.PYBEHAVIOR.inlined_comprehensions:
        return 1
    template = live.info.stacks[live.index][: len(live.below)]
    return 1 + len(stacksim.comprehension_groups(live.info, template))


def describe_chain(world: World, live: list[LiveFrame]) -> str:
    return " > ".join(
        f"{os.path.basename(f.frame.f_code.co_filename)}:{f.frame.f_lineno}" for f in live
    )
