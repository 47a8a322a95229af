"""Turn a graph of Python objects into compact JSON values and a table of shared ones.

Values that JSON can hold (None, booleans, integers, finite floats, strings) are written
as themselves. Everything else becomes a JSON object describing it — ``{"l": [...]}`` for
a list, ``{"d": {...}}`` for a dict, ``{"t": "function", ...}`` and so on — written right
where it is used. An object met a second time (two names for one object, or a cycle) is
*promoted*: its description moves into the table and every use becomes ``{"ref": n}``.
The first use is turned into a reference in place (descriptions are mutable JSON objects),
so no second pass over the data is needed; this is pickle's memo, in JSON.

Descriptions nest by recursion up to a fixed depth; deeper objects go straight to the
table and are described later, so a ten-thousand-long linked list needs no deep stack.
A refusal collects, on its way out, the steps from the root to the object, so that it can
name it the way the programmer does: ``prog.py:42 in read_loop: local 'sock' is a socket``.
"""

from __future__ import annotations

import math
from binascii import b2a_base64

from framemig.capture import reducers, resources
from framemig.capture.containers import ADDRESS_FLOOR, PRIMITIVES, dict_description, values
from framemig.capture.redaction import Redacted
from framemig.capture.refusal import Refused
from framemig.capture.world import World
from framemig.errors import CannotTravel

DEPTH_LIMIT = 40
# An int that could be an object's address: objects are at least 8-byte aligned (16 on
# 64-bit CPython), and no heap starts below 64 KiB (containers.ADDRESS_FLOOR).
_ALIGNMENT = 8


class Encoder:
    def __init__(self, world: World, running_generators: dict[int, int] | None = None):
        self.world = world
        self.running_generators = running_generators or {}  # id(gen) -> stack index
        self.table: list = []  # shared (or deep) descriptions, referred to by index
        self.memo: dict[int, list] = {}  # id(obj) -> [inline description, table index]
        self.alive: list = []  # every described object, so that ids stay unique
        self.pending: list = []  # (table index, object, where) described later
        self.depth = 0
        self.dill_count = 0
        self.plain_classes: dict = {}  # program class -> its Plan if pickled the plain way
        self.plans: dict = {}  # class -> reducers.Plan, or None
        self._held_recorded: set[int] = set()  # library locks whose holding is written
        self.maybe_ids: list = []  # (container, key or index, int) that may be an id()
        self.trial = False  # an encoder that only asks whether something would travel
        self.redaction = None  # the names ``dump --redact`` keeps out (capture/redaction.py)
        self.cell_names: dict[int, tuple[str, str]] = {}  # id(cell) -> its variable, where
        reducers.register_loaded_forms()  # numpy's, if the program loaded it

    # --- values ------------------------------------------------------------------------

    def root(self, obj, where: str):
        """The JSON value of ``obj``, found at ``where`` (a local, a global...)."""
        try:
            return self.item(obj)
        except Refused as refusal:
            raise CannotTravel(_sentence(where, refusal)) from None

    def child(self, obj, _index, step: str):
        """The value of ``obj``, reached from the object being described by ``step``."""
        kind = type(obj)
        if kind in PRIMITIVES:
            return obj
        try:
            return self.item(obj)
        except Refused as refusal:
            refusal.steps.append(step)
            raise

    def item(self, obj):
        kind = type(obj)
        if kind in PRIMITIVES:
            return obj
        if kind is float:
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        memo = self.memo
        record = memo.get(id(obj))
        if record is not None:
            if record[1] is None:
                self._promote(record)
            return {"ref": record[1]}
        if self.depth >= DEPTH_LIMIT:
            if kind is Redacted:
                return obj.description()
            index = len(self.table)
            self.table.append(None)
            memo[id(obj)] = [None, index]
            self.alive.append(obj)
            self.pending.append((index, obj))
            return {"ref": index}
        record = [None, None]  # [inline description once written, table index if shared]
        memo[id(obj)] = record
        self.alive.append(obj)
        self.depth += 1
        try:
            if kind is list:  # the bulk of most states: straight to the describers
                content = {"l": values(self, obj)}
            elif kind is dict and "__name__" not in obj:  # not a module's namespace
                content = dict_description(self, obj)
            elif kind is bytes:
                content = {"t": "bytes", "b64": b2a_base64(obj, newline=False).decode()}
            elif kind is Redacted:
                content = obj.description()
            else:
                plan = self.plain_classes.get(kind)
                if plan is not None:  # a program class seen before
                    content = reducers.described(self, plan, kind, obj)
                else:
                    content = reducers.entry(self, obj, 0)
        except Refused:
            raise
        except Exception as exc:
            if not resources.raised_by_program(exc):
                raise
            raise Refused(resources.failure_text(obj, exc)) from None
        finally:
            self.depth -= 1
        if record[1] is None:
            record[0] = content
            return content
        self.table[record[1]] = content  # promoted while being described: a cycle
        return {"ref": record[1]}

    # --- names kept out (dump --redact) ------------------------------------------------------

    def redact(self, name, value, what: str, owner: str):
        """``value``, or what stands in for it if ``name`` is redacted (``what``, ``owner``:
        ``local``, ``prog.py:3 in f``, said of it then)."""
        redaction = self.redaction
        if redaction is None or name not in redaction.names:
            return value
        return redaction.stand_in(name, value, f"{what} {name!r} of {owner}")

    def name_cell(self, cell, name: str, what: str, owner: str) -> None:
        """``cell`` is variable ``name`` (of a frame or a closure): what it holds is
        redacted with that name (see definitions.cell_entry)."""
        if self.redaction is not None and name in self.redaction.names:
            self.cell_names.setdefault(id(cell), (name, f"{what} {name!r} of {owner}"))

    def _promote(self, record: list) -> None:
        value = record[0]
        record[1] = len(self.table)
        if value is None:  # still being described: its description goes to the table
            self.table.append(None)
            return
        self.table.append(dict(value))
        value.clear()
        value["ref"] = record[1]

    def may_be_id(self, container, where, value: int) -> None:
        """Note an int the program keeps as a dict key, a set member or a local: it may
        be the ``id()`` of an object (see :meth:`_resolve_ids`)."""
        if value >= ADDRESS_FLOOR and not value % _ALIGNMENT:
            self.maybe_ids.append((container, where, value))

    def _resolve_ids(self) -> None:
        """Ints equal to the ``id()`` of an object that travels become that object's id
        on the target. Programs key what they know of objects by id (lark's forest
        visitor keeps its data in a dict keyed by ``id(node)``, ``copy.deepcopy`` its
        memo): the restored objects live at other addresses. Every object described is
        alive until the capture ends, so an id matches only its own object; an int that
        is not an address of one of them is left as it is."""
        memo = self.memo
        for container, where, value in self.maybe_ids:
            record = memo.get(value)
            if record is None:
                continue
            if record[1] is None:
                self._promote(record)
            container[where] = {"t": "id_of", "of": {"ref": record[1]}}

    def drain(self) -> list:
        """Describe what was left for later; return the table."""
        while self.pending:
            index, obj = self.pending.pop()
            try:
                try:
                    self.table[index] = reducers.entry(self, obj, index)
                except Refused:
                    raise
                except Exception as exc:
                    if not resources.raised_by_program(exc):
                        raise
                    raise Refused(resources.failure_text(obj, exc)) from None
            except Refused as refusal:
                raise CannotTravel(_sentence("an object deep in the state", refusal)) \
                    from None
        self._resolve_ids()
        return self.table

    # --- locks of libraries ---------------------------------------------------------------

    def library_lock_name(self, lock) -> tuple[str, str] | None:
        """``(module, name)`` if ``lock`` is a global of a library module: it travels by
        name, so that the library's code and the program share it after a restore too."""
        return self.world.library_globals("locks", resources.is_lock).get(id(lock))

    def held_once(self, lock, *, surely_ours: bool = True) -> int:
        """How often the program holds a library's lock, counted once per capture (the
        lock may be met by name and in its module's namespace). ``surely_ours=False``:
        the lock was only seen among a module's globals, so a Lock (whose holder is not
        known) or an RLock of another thread (one of framemig's) is not the program's."""
        if id(lock) in self._held_recorded:
            return 0
        if surely_ours:
            count = resources.lock_count(lock)
        else:
            count = resources.owned_count(lock)
        if count:
            self._held_recorded.add(id(lock))
        return count

    def held_module_locks(self, namespace: dict) -> dict[str, int]:
        """The RLocks among a library module's globals that the program's thread holds."""
        held = {}
        for name, value in list(namespace.items()):
            if type(name) is str and resources.is_lock(value):
                count = self.held_once(value, surely_ours=False)
                if count:
                    held[name] = count
        return held


def _sentence(where: str, refusal: Refused) -> str:
    return f"{where}{''.join(reversed(refusal.steps))} {refusal.what}"
