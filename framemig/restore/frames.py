"""Make the functions that continue each captured frame, innermost first.

Each frame becomes a *resume function*: calling it continues the frame where it stopped.
A frame that was waiting for a call gets, in the callable's place on its stack, whatever
continues that call: the next frame's resume function (bound to the object, for an
interrupted ``__init__``, which then returns it as the class call would), ``time.sleep``
with the time that was left, or the restored generator that was running. Calling the outermost resume function therefore runs the whole stack again.
"""

from __future__ import annotations

import builtins
import time
import types

from framemig import env
from framemig.errors import RestoreFailed
from framemig.interp import codes, stackmap, stacksim, trampolines
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
        if env.PYBEHAVIOR.call_ex_takes_kwargs_slot:
            return operands + [{}]
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
        self.shared_cells: dict[tuple, types.CellType] = {}
        self.units = self._units()

    def _units(self) -> dict[int, list[int]]:
        """Snapshot frames that become one frame here, by their first index.

        PYVERSIONS: on 3.12+ a comprehension's frame joins the function it runs in.
        """
        units, i = {}, 0
        while i < len(self.records):
            unit = [i]
            while env.PYBEHAVIOR.inlined_comprehensions and i + len(unit) < len(self.records) \
                    and codes.is_comprehension(self.records[i + len(unit)]["code"]["qualname"]):
                unit.append(i + len(unit))
            units[i] = unit
            i += len(unit)
        return units

    # --- the stack --------------------------------------------------------------------

    def stack_function(self, k: int) -> types.FunctionType:
        """The resume function of stack frame ``k``; builds the frames above it first."""
        if k not in self.units:
            raise RestoreFailed(f"frame {k} of the snapshot runs inside another one here")
        for start in sorted(self.units, reverse=True):
            if start >= k and start not in self.functions:
                self.functions[start] = self._build_unit(self.units[start])
        return self.functions[k]

    def _build_unit(self, unit: list[int]) -> types.FunctionType:
        last = unit[-1]
        record = self.records[last]
        link = record.get("link")
        innermost = last == len(self.records) - 1
        exception = self.r.handled_exception if innermost else None

        def operands(info, index):
            if link is None:
                return []
            return self._link_operands(last, link, info, index)

        caller_link = self.records[unit[0] - 1].get("link") if unit[0] else None
        returns_self = (caller_link or {}).get("kind") == "class"
        if len(unit) == 1:
            return self.build(record, operands, consumed=link is not None, exception=exception,
                              index_in_stack=last, returns_self=returns_self)
        return self._build_merged([self.records[j] for j in unit], operands, link, exception,
                                  unit[0], returns_self)

    def _build_merged(self, records, operands, link, exception, position,
                      returns_self=False):
        """A function and the comprehensions running in it, as one frame (3.12+).

        A variable the code here keeps in a cell (one a closure made in a comprehension
        reads) has a cell object in its slot, and the comprehension saves the outer one
        on the stack: those slots get the very cells the snapshot has (the closures
        share them), or new ones holding the saved value."""
        enclosing, comprehensions = records[0], records[1:]
        decoder = self.r.decoder
        enclosing_code = self.r.sources.find_code(enclosing["code"])[1]
        here_cells = set(enclosing_code.co_cellvars)
        free_here = set(enclosing_code.co_freevars)  # the function's closure: not its slots
        enclosing_cells = {name: decoder.value(v)
                           for name, v in enclosing.get("cells", {}).items()}
        scopes = [{name: decoder.value(v) for name, v in enclosing.get("locals", {}).items()}]
        for name in here_cells:  # the function's own cell, as the comprehension saved it
            if name in scopes[0] or name not in enclosing_cells:
                scopes[0][name] = types.CellType(*(() if scopes[0].get(name, NULL) is NULL
                                                   else (scopes[0][name],)))
            else:
                scopes[0][name] = enclosing_cells[name]
        for record in comprehensions:  # the slots seen outside each comprehension
            values = {name: decoder.value(v) for name, v in record.get("locals", {}).items()}
            for name, v in record.get("cells", {}).items():
                if name in free_here:  # 3.11's comprehension reading the function's closure
                    continue
                cell = decoder.value(v)
                values[name] = cell if name in here_cells else _contents(cell)
            for name in here_cells & set(values):
                if type(values[name]) is not types.CellType:
                    values[name] = types.CellType(values[name])
            scopes.append({**scopes[-1], **{k: v for k, v in values.items() if k != ".0"}})
        items_of = [[self._item(i) for i in r.get("stack", [])] for r in records]

        def items_for(info, template):
            groups = stacksim.comprehension_groups(info, template)
            if len(groups) != len(comprehensions):
                raise stackmap.StackMismatch(
                    f"{len(comprehensions)} comprehension(s) saved, {len(groups)} here")
            items = list(items_of[0])
            for n, (start, end) in enumerate(groups):
                for k in range(start, end):
                    name = info.instrs[template[k].pusher].argval
                    items.append(stackmap.Item(stackmap.ITEM_MAYBE, scopes[n].get(name, NULL)))
                items += items_of[n + 1]
            return items

        merged = dict(enclosing, at=comprehensions[-1]["at"], line=comprehensions[-1]["line"])
        merged["locals"] = {}
        merged["cells"] = {name: cell for name, cell in enclosing.get("cells", {}).items()
                           if name not in here_cells}
        local_values = dict(scopes[-1])
        # a cell of the function that no comprehension keeps in its slot (a lambda reads
        # it: tabulate's width_fn) is a cell, not a local holding one
        for name in here_cells - set(resumecode.raw_cells(
                self.r.sources.find_code(enclosing["code"])[1])):
            if type(local_values.get(name)) is types.CellType:
                merged["cells"][name] = local_values.pop(name)
        return self.build(merged, operands, consumed=link is not None, exception=exception,
                          items_for=items_for, local_values=local_values,
                          index_in_stack=position, returns_self=returns_self)

    def _link_operands(self, k: int, link: dict, info, index: int) -> list:
        instr = info.instrs[index]
        kind = link["kind"]
        if kind == "gen":
            generator = self.r.decoder.value(self.records[k + 1]["generator"])
            return self._generator_operands(link, instr, generator)
        if kind == "redo":
            return self._redo_operands(link, instr)
        if instr.opname not in env.CALL_OPS:
            raise RestoreFailed(f"a {kind} call resumes at {instr.opname}")
        if kind == "sleep":
            if instr.opname == "CALL" and instr.arg == 1:
                return call_operands(instr, time.sleep, [link["remaining"]], exact=True)
            return call_operands(instr, trampolines.make_sleep_rest(link["remaining"]), [])
        callee = self.stack_function(k + 1)
        if kind == "class":  # the __init__ returns the object (see resumecode)
            callee = types.MethodType(callee, self.r.decoder.value(link["self"]))
        return call_operands(instr, callee, [])

    def _redo_operands(self, link, instr) -> list:
        """A framemig blocking call (a stream read) is made again: by the FOR_ITER that
        made it, or by a call of the same method with the same arguments."""
        if instr.opname == "FOR_ITER":
            return []
        if instr.opname not in env.CALL_OPS:
            raise RestoreFailed(f"a framemig wait resumes at {instr.opname}")
        target = self.r.decoder.value(link["self"])
        arguments = [self.r.decoder.value(a) for a in link.get("args", [])]
        if instr.opname == "CALL" and instr.arg == len(arguments):
            return call_operands(instr, getattr(target, link["method"]), arguments, exact=True)
        return call_operands(instr, trampolines.make_redo(target, link["method"], arguments),
                             [])

    def _generator_operands(self, link, instr, generator) -> list:
        via = link.get("via", "for")
        if instr.opname == "FOR_ITER":
            return []
        if instr.opname == "SEND":
            return [None]  # the value sent was already delivered; a fresh generator wants None
        extra = [self.r.decoder.value(v) for v in link.get("args", [])]
        if via == "next":
            return call_operands(instr, builtins.next, [generator, *extra], exact=True)
        if via in ("send", "throw"):
            if instr.opname == "CALL" and instr.arg == 1:
                return call_operands(instr, generator.send, [None], exact=True)
            return call_operands(instr, trampolines.make_redo(generator, "send", [None]), [])
        if via == "__next__":
            return call_operands(instr, generator.__next__, [], exact=True)
        raise RestoreFailed(f"unknown way of driving a generator: {via}")

    # --- generators not on the stack ---------------------------------------------------

    def suspended_generator(self, record: dict) -> types.FunctionType:
        """A function returning a generator that, once primed, waits at its yield."""
        def operands(info, index):
            # the value the yield hands back goes in its operand's place: any other
            # instruction would run on a stack laid out for a yield (a crash)
            if info.instrs[index].opname != "YIELD_VALUE":
                raise RestoreFailed(f"{record['code']['source']}:{record.get('line')}: a "
                                    f"suspended generator resumes at "
                                    f"{info.instrs[index].opname}, not at a yield")
            return [None]
        return self.build(record, operands, consumed=True)

    def created_generator(self, record: dict) -> types.FunctionType:
        return self.build(record, lambda info, index: [], consumed=False)

    # --- one resume function -----------------------------------------------------------

    def build(self, record: dict, operands, consumed: bool, exception=None, items_for=None,
              local_values=None, index_in_stack=None, returns_self=False):
        decoder = self.r.decoder
        key, original = self.r.sources.find_code(record["code"])
        info = stacksim.info_for(original)
        if items_for is None:
            saved = [self._item(i) for i in record.get("stack", [])]

            def items_for(info, template):
                return saved

        label = f"{key.source}:{record.get('line')} in {key.qualname}"

        try:
            place = None if record.get("at") is None else stackmap.Place.from_json(record["at"])
            index, below = stackmap.resolve(info, place, lambda t: items_for(info, t), consumed,
                                            body_start(info))
        except stackmap.StackMismatch as exc:
            raise RestoreFailed(f"{label}: cannot continue on {env.describe()}: {exc}") from None
        slots = below + operands(info, index)
        if local_values is None:
            local_values = {name: decoder.value(v) for name, v in record.get("locals", {}).items()}
        local_values = {k: v for k, v in local_values.items() if v is not NULL}
        kept = resumecode.raw_cells(original)
        raw = {name: local_values.pop(name) for name in kept
               if type(local_values.get(name)) is types.CellType}
        cells = self._place_cells(index_in_stack, record, original, local_values)
        for name in kept:  # the slot holds the cell object itself (see resumecode)
            local_values[name] = raw[name] if name in raw else cells.pop(name)
        # what the interpreter takes without checking: a comprehension's iterator (3.11
        # loops over its ``.0`` with FOR_ITER), the exception being handled
        if ".0" in local_values and not env.PYBEHAVIOR.iterator_with_index and \
                not stackmap.is_iterator(local_values[".0"]):
            # (PYVERSIONS: a 3.15 generator expression holds its iterable in ``.0`` and
            # calls GET_ITER itself: its iterator is on its stack)
            raise RestoreFailed(f"{label}: its iterator is a {type(local_values['.0']).__name__}")
        if exception is not None and not isinstance(exception, BaseException):
            raise RestoreFailed(f"{label}: the exception being handled is a "
                                f"{type(exception).__name__}")
        unknown = set(local_values) - set(original.co_varnames)
        if unknown:
            raise RestoreFailed(f"{label}: locals {sorted(unknown)} do not exist in its code")
        plan = resumecode.Plan(
            target=index,
            locals=tuple(local_values),
            slots=tuple(value is not NULL for value in slots),
            set_exception=exception is not None,
            returns_self=returns_self,
        )
        code = resumecode.build(original, key, plan)
        state = (*local_values.values(), *[v for v in slots if v is not NULL],
                 *([exception] if exception is not None else []))
        closure = [types.CellType(state)]
        for name in (*original.co_cellvars, *original.co_freevars):
            if name not in kept:
                closure.append(cells.get(name) or types.CellType())
        namespace = decoder.value(record["globals"])
        self.r.sources.check_names(key, original, namespace, label)
        defaults, kwdefaults = resumecode.placeholder_defaults(code)
        function = types.FunctionType(code, namespace, original.co_name, defaults,
                                      tuple(closure))
        function.__kwdefaults__ = kwdefaults or None
        function.__qualname__ = original.co_qualname
        return function

    def _place_cells(self, position, record, original, local_values) -> dict:
        """Cell objects for ``original``'s cell and free variables.

        Versions disagree on what is a cell: 3.11 keeps a variable that a nested
        comprehension reads in a cell, 3.12+ (comprehension inlined) in a plain local. A
        saved cell the code here does not want becomes a local; a saved local the code
        keeps in a cell gets one, shared with the comprehensions nested in the frame.
        """
        wanted_cells = set(original.co_cellvars)
        wanted = wanted_cells | set(original.co_freevars)
        cells = {name: self.r.decoder.value(ref) for name, ref in record.get("cells", {}).items()}
        for name in list(cells):
            if name not in wanted:
                contents = _contents(cells.pop(name))
                if contents is not NULL:  # 3.12+: an inlined comprehension's, unbound after it
                    local_values.setdefault(name, contents)
        for name in wanted_cells:
            key = (position, name)
            if name in cells:
                self.shared_cells.setdefault(key, cells[name])
            cells[name] = self.shared_cells.setdefault(key, types.CellType())
            if name in local_values:
                cells[name].cell_contents = local_values.pop(name)
        for name in set(original.co_freevars) - set(cells):
            cells[name] = self._enclosing_cell(position, name)
        return cells

    def _enclosing_cell(self, position, name):
        """The cell of ``name`` in the frame a comprehension at ``position`` runs in."""
        if position is None:
            return types.CellType()
        j = position - 1
        while j >= 0:
            record = self.records[j]
            if name in record.get("cells", {}):
                # the enclosing frame's own cell (a free variable of it too: uncertainties'
                # cls, captured where 3.13 inlines the comprehension), whichever is built first
                cell = self.r.decoder.value(record["cells"][name])
                if type(cell) is types.CellType:
                    return self.shared_cells.setdefault((j, name), cell)
            if name in record.get("locals", {}) or name in record.get("cells", {}):
                return self.shared_cells.setdefault((j, name), types.CellType())
            if not codes.is_comprehension(record["code"]["qualname"]):
                break
            j -= 1
        return types.CellType()

    def _item(self, data: dict) -> stackmap.Item:
        kind = data["k"]
        if kind == stackmap.ITEM_LASTI:
            return stackmap.Item(kind, stackmap.Place.from_json(data["at"]))
        if data.get("unbound"):
            return stackmap.Item(kind, NULL, tuple(data.get("pos") or ()) or None)
        return stackmap.Item(kind, self.r.decoder.value(data["v"]),
                             tuple(data.get("pos") or ()) or None)



def _has(cell) -> bool:
    try:
        _ = cell.cell_contents
    except (ValueError, AttributeError):
        return False
    return True


def _contents(cell):
    return cell.cell_contents if _has(cell) else NULL
