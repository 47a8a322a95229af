"""Turn a graph of Python objects into a JSON object table.

Values that JSON can hold (None, booleans, integers, finite floats, strings) are written
inline. Everything else gets an entry in a table and is referred to as ``{"ref": n}``, so
that two names for one object stay one object and cycles close. The walk is breadth-first
with an explicit queue: a ten-thousand-long linked list needs no recursion.

Each entry remembers how it was reached, so a refusal can name the object the way the
programmer knows it: ``prog.py:42 in read_loop: local 'sock' is a socket``.
"""

from __future__ import annotations

import math
import warnings
from collections import deque

from framemig.capture import reducers
from framemig.capture.refusal import Refused
from framemig.capture.world import World
from framemig.errors import CannotTravel


class Encoder:
    def __init__(self, world: World, running_generators: dict[int, int] | None = None):
        self.world = world
        self.running_generators = running_generators or {}  # id(gen) -> stack index
        self.table: list = []
        self.objects: list = []  # keeps every encoded object alive, so ids stay unique
        self.memo: dict[int, int] = {}
        self.origin: list[tuple[int | None, str]] = []
        self.pending: deque[int] = deque()
        self.dill_count = 0

    # --- values ----------------------------------------------------------------------

    def root(self, obj, where: str):
        return self._value(obj, (None, where))

    def child(self, obj, parent: int, step: str):
        return self._value(obj, (parent, step))

    def _value(self, obj, origin):
        kind = type(obj)
        if obj is None or kind is bool or kind is int or kind is str:
            return obj
        if kind is float:
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        index = self.memo.get(id(obj))
        if index is not None:
            return {"ref": index}
        index = len(self.table)
        self.table.append(None)
        self.objects.append(obj)
        self.origin.append(origin)
        self.memo[id(obj)] = index
        self.pending.append(index)
        return {"ref": index}

    def drain(self) -> list:
        """Encode everything reached so far; return the table."""
        with warnings.catch_warnings():
            # PYVERSIONS: 3.12 deprecates pickling itertools objects; we still need it.
            warnings.simplefilter("ignore", DeprecationWarning)
            while self.pending:
                index = self.pending.popleft()
                obj = self.objects[index]
                try:
                    self.table[index] = reducers.entry(self, obj, index)
                except Refused as refusal:
                    raise CannotTravel(f"{self.where(index)} {refusal.what}") from None
        return self.table

    # --- where an object was found ---------------------------------------------------

    def where(self, index: int) -> str:
        steps = []
        while True:
            parent, step = self.origin[index]
            steps.append(step)
            if parent is None:
                break
            index = parent
        return "".join(reversed(steps))
