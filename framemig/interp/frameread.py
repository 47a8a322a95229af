"""Read what a frame holds but Python does not show: its value stack and its cell objects.

``frame.f_locals`` gives the *values* of cells and nothing of the value stack, where the
interpreter keeps for-loop iterators, the callable and arguments of a call in progress and
partial results of an expression. framemig needs both, and reads them from the interpreter
frame with ctypes: reading only, never writing, with layouts from :mod:`framemig.env`.

A frame's stack pointer is saved in the frame only while the frame is suspended in a way
the interpreter planned for: a Python-to-Python call, a trace callback, a yield. While a
frame waits for C code (``sorted(key=...)``, a class call running ``__init__``), the
stack pointer lives in a C variable and the frame says -1; the caller then tells how deep
the stack is from the bytecode (see :mod:`framemig.interp.stacksim`).
"""

from __future__ import annotations

import ctypes
from types import CodeType, FrameType

from framemig import env


class _Null:
    """An empty slot: C NULL on the stack, or an unbound local."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "NULL"

    def __reduce__(self):
        return "NULL"


NULL = _Null()

# Names framemig gives the locals it adds to resume code objects; never program state.
HIDDEN_PREFIX = ".fm_"


def _iframe_address(frame: FrameType) -> int:
    return ctypes.c_void_p.from_address(id(frame) + env.FRAME_OBJECT_F_FRAME_OFFSET).value


def _iframe(address: int) -> env.InterpreterFrame:
    return env.InterpreterFrame.from_address(address)


def _slot(address: int, index: int):
    bits = ctypes.c_void_p.from_address(
        address + env.LOCALSPLUS_OFFSET + index * ctypes.sizeof(ctypes.c_void_p)
    ).value
    kind = env.decode_slot(bits)
    if kind[0] == "null":
        return NULL
    if kind[0] == "int":
        return kind[1]  # PYVERSIONS: 3.14's tagged int (an exception handler's lasti)
    return ctypes.cast(kind[1], ctypes.py_object).value


def localsplus_names(code: CodeType) -> list[tuple[str, str]]:
    """Names of the local, cell and free slots of a frame of ``code``, in slot order.

    CPython lays out ``co_varnames`` first (arguments that are also cells among them), then
    the cells that are not arguments, then the free variables.
    """
    names = [(name, "local") for name in code.co_varnames]
    varnames = set(code.co_varnames)
    names += [(name, "cell") for name in code.co_cellvars if name not in varnames]
    names += [(name, "free") for name in code.co_freevars]
    return names


def cell_names(code: CodeType) -> set[str]:
    return set(code.co_cellvars) | set(code.co_freevars)


class FrameView:
    """A read-only look at one frame's slots."""

    def __init__(self, frame: FrameType):
        self.frame = frame
        self.code = frame.f_code
        self.address = _iframe_address(frame)
        self.names = localsplus_names(self.code)

    @property
    def nlocalsplus(self) -> int:
        return len(self.names)

    @property
    def stacktop(self) -> int:
        """Depth of the saved value stack, or -1 while the frame runs C code."""
        top = env.stacktop_of(_iframe(self.address), self.address)
        return top - self.nlocalsplus if top >= 0 else -1

    def stack(self, depth: int) -> list:
        """The ``depth`` lowest slots of the value stack (NULL where empty)."""
        base = self.nlocalsplus
        return [_slot(self.address, base + i) for i in range(depth)]

    def slots(self) -> dict[str, object]:
        """Every local, cell and free slot by name; cells are the cell objects themselves."""
        values = {}
        cells = cell_names(self.code)
        for index, (name, _kind) in enumerate(self.names):
            if name.startswith(HIDDEN_PREFIX):
                continue  # a resume code object's own bookkeeping
            value = _slot(self.address, index)
            if name in cells and value is not NULL and type(value) is not _CellType:
                # PYVERSIONS: an argument cell is a plain value until MAKE_CELL runs.
                continue
            values[name] = value
        return values

    def entered_from_c(self) -> bool:
        """Was this frame started by C code rather than by its caller's bytecode?"""
        if env.PYBEHAVIOR.entry_flag_in_frame:
            return bool(_iframe(self.address).is_entry)
        previous = _iframe(self.address).previous
        if not previous:
            return True
        caller = self.frame.f_back
        if caller is not None and previous == _iframe_address(caller):
            return False
        return True

    def shim_between(self) -> bool:
        """PYVERSIONS: 3.13 runs an inlined ``__init__`` above a small shim frame."""
        if env.PYBEHAVIOR.entry_flag_in_frame:
            return False
        previous = _iframe(self.address).previous
        caller = self.frame.f_back
        if not previous or caller is None or previous == _iframe_address(caller):
            return False
        return _iframe(previous).owner[0] not in env.ENTRY_FRAME_OWNERS


_CellType = type((lambda x: lambda: x)(0).__closure__[0])
