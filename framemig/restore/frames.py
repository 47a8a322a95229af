"""Make the functions that continue each captured frame, innermost first.

Each frame becomes a *resume function*: calling it continues the frame where it stopped.
A frame that was waiting for a call gets, in the callable's place on its stack, whatever
continues that call: the next frame's resume function, a class-call trampoline around
it, ``time.sleep`` with the time that was left, or the restored generator that was
running. Calling the outermost resume function therefore runs the whole stack again.
"""

from __future__ import annotations

import builtins
import time
import types

from framemig import env
from framemig.errors import RestoreFailed
from framemig.interp import stackmap, stacksim, trampolines
from framemig.interp.frameread import NULL
from framemig.restore import resumecode


def _pair(callable_obj) -> list:
    # PYVERSIONS: where the NULL of a call goes.
    return [callable_obj, NULL] if env.PYBEHAVIOR.null_after_callable else [NULL, callable_obj]


def call_operands(instr, callable_obj, arguments: list, exact: bool = False) -> list:
    """Operands for the call instruction ``instr`` so that it calls ``callable_obj``.

    Unless ``exact``, ``arguments`` are padded with None to the count the call passes;
    the resume functions and trampolines ignore them.
    """
    if instr.opname == "CALL_FUNCTION_EX":
        operands = _pair(callable_obj) + [tuple(arguments)]
        return operands + ([{}] if instr.arg & 1 else [])
    count = instr.arg
    if exact and len(arguments) != count:
        raise RestoreFailed(f"cannot redo a call of {count} arguments with {len(arguments)}")
    padded = (list(arguments) + [None] * count)[:count]
    operands = _pair(callable_obj) + padded
    if instr.opname == "CALL_KW":
        operands.append(())  # PYVERSIONS: 3.13 keyword names; none, all positional
    return operands


def body_start(info: stacksim.CodeInfo) -> int:
    for index, instr in enumerate(info.instrs):
        if instr.opname == "RESUME":
            return index + 1
    return 0


class FrameBuilder:
    """Resume functions for the frames of a snapshot: the stack and suspended generators."""

    def __init__(self, restoration):
        self.r = restoration
        self.records: list[dict] = restoration.body["stack"]
        self.functions: dict[int, types.FunctionType] = {}

    # --- the stack --------------------------------------------------------------------

    def stack_function(self, k: int) -> types.FunctionType:
        """The resume function of stack frame ``k``; builds the frames above it first."""
        for j in range(len(self.records) - 1, k - 1, -1):
            if j not in self.functions:
                self.functions[j] = self._build_stack_frame(j)
        return self.functions[k]

    def _build_stack_frame(self, k: int) -> types.FunctionType:
        record = self.records[k]
        link = record.get("link")
        innermost = k == len(self.records) - 1
        exception = self.r.handled_exception if innermost else None

        def operands(info, index):
            if link is None:
                return []
            return self._link_operands(k, link, info, index)

        return self.build(record, operands, consumed=link is not None, exception=exception)

    def _link_operands(self, k: int, link: dict, info, index: int) -> list:
        instr = info.instrs[index]
        kind = link["kind"]
        if kind == "gen":
            generator = self.r.decoder.value(self.records[k + 1]["generator"])
            return self._generator_operands(link, instr, generator)
        if instr.opname not in env.CALL_OPS:
            raise RestoreFailed(f"a {kind} call resumes at {instr.opname}")
        if kind == "sleep":
            if instr.opname == "CALL" and instr.arg == 1:
                return call_operands(instr, time.sleep, [link["remaining"]], exact=True)
            return call_operands(instr, trampolines.make_sleep_rest(link["remaining"]), [])
        callee = self.stack_function(k + 1)
        if kind == "class":
            callee = trampolines.make_class_call(callee, self.r.decoder.value(link["self"]))
        return call_operands(instr, callee, [])

    def _generator_operands(self, link, instr, generator) -> list:
        via = link.get("via", "for")
        if instr.opname == "FOR_ITER":
            return []
        if instr.opname == "SEND":
            return [None]  # the value sent was already delivered; a fresh generator wants None
        extra = [self.r.decoder.value(v) for v in link.get("args", [])]
        if via == "next":
            return call_operands(instr, builtins.next, [generator, *extra], exact=True)
        if via == "send":
            return call_operands(instr, generator.send, [None], exact=True)
        if via == "__next__":
            return call_operands(instr, generator.__next__, [], exact=True)
        raise RestoreFailed(f"unknown way of driving a generator: {via}")

    # --- generators not on the stack ---------------------------------------------------

    def suspended_generator(self, record: dict) -> types.FunctionType:
        """A function returning a generator that, once primed, waits at its yield."""
        return self.build(record, lambda info, index: [None], consumed=True)

    def created_generator(self, record: dict) -> types.FunctionType:
        return self.build(record, lambda info, index: [], consumed=False)

    # --- one resume function -----------------------------------------------------------

    def build(self, record: dict, operands, consumed: bool, exception=None):
        decoder = self.r.decoder
        key, original = self.r.sources.find_code(record["code"])
        info = stacksim.info_for(original)
        items = [self._item(i) for i in record.get("stack", [])]
        label = f"{key.source}:{record.get('line')} in {key.qualname}"
        try:
            if record.get("at") is None:
                index, below = body_start(info), []
            else:
                place = stackmap.Place.from_json(record["at"])
                index = stackmap.find_place(info, place,
                                            stackmap.fits_below(info, items, consumed))
                template = info.stacks[index]
                count = stackmap.operand_count(info, index) if consumed else 0
                below = stackmap.denormalize(info, template[: len(template) - count], items)
        except stackmap.StackMismatch as exc:
            raise RestoreFailed(f"{label}: cannot continue on {env.describe()}: {exc}") from None
        slots = below + operands(info, index)
        local_values = {name: decoder.value(v) for name, v in record.get("locals", {}).items()}
        unknown = set(local_values) - set(original.co_varnames)
        if unknown:
            raise RestoreFailed(f"{label}: locals {sorted(unknown)} do not exist in its code")
        plan = resumecode.Plan(
            target=index,
            locals=tuple(local_values),
            slots=tuple(value is not NULL for value in slots),
            set_exception=exception is not None,
        )
        code = resumecode.build(original, key, plan)
        state = (*local_values.values(), *[v for v in slots if v is not NULL],
                 *([exception] if exception is not None else []))
        cells = record.get("cells", {})
        closure = [types.CellType(state)]
        for name in (*original.co_cellvars, *original.co_freevars):
            closure.append(decoder.value(cells[name]) if name in cells else types.CellType())
        namespace = decoder.value(record["globals"])
        defaults, kwdefaults = resumecode.placeholder_defaults(code)
        function = types.FunctionType(code, namespace, original.co_name, defaults,
                                      tuple(closure))
        function.__kwdefaults__ = kwdefaults or None
        function.__qualname__ = original.co_qualname
        return function

    def _item(self, data: dict) -> stackmap.Item:
        kind = data["k"]
        if kind == stackmap.ITEM_LASTI:
            return stackmap.Item(kind, stackmap.Place.from_json(data["at"]))
        if data.get("unbound"):
            return stackmap.Item(kind, NULL, tuple(data.get("pos") or ()) or None)
        return stackmap.Item(kind, self.r.decoder.value(data["v"]),
                             tuple(data.get("pos") or ()) or None)

