"""Every fact about the running CPython that framemig depends on, in one place.

framemig reads interpreter internals (the value stack of frames) and writes bytecode, and
both differ between minor versions. Callers never test ``sys.version_info``; they ask for a
*behaviour* here (``PYBEHAVIOR.null_after_callable``), so that a reader sees why code
branches, and a new CPython version means reading this one file. Workarounds elsewhere
carry the tag ``PYVERSIONS`` so they can be found with grep.

The facts also travel in every snapshot header (:func:`interpreter_facts`) so that a
snapshot says which interpreter produced it.
"""

from __future__ import annotations

import ctypes
import dis
import functools
import platform
import sys

PYVERSION = sys.version_info[:2]
SUPPORTED = ((3, 11), (3, 12), (3, 13), (3, 14), (3, 15))
IS_CPYTHON = sys.implementation.name == "cpython"
IS_SUPPORTED = IS_CPYTHON and PYVERSION in SUPPORTED

# PYVERSIONS: the free-threaded build (3.13t/3.14t, Py_GIL_DISABLED) lays frames and stack
# references out otherwise (a thread's bytecode index in each frame, other tag bits) and
# runs threads at once; framemig reads neither. Its ABI flags carry a "t".
FREE_THREADED_BUILD = "t" in getattr(sys, "abiflags", "") or \
    not getattr(sys, "_is_gil_enabled", lambda: True)()


def unsupported_interpreter() -> str | None:
    """Why framemig cannot run on this interpreter, in one line, or None."""
    if FREE_THREADED_BUILD:
        return (f"the free-threaded build of CPython ({describe()}, no GIL) is not "
                f"supported: run framemig on the default build of the same version")
    return None


class PYBEHAVIOR:
    """Behaviours of this interpreter, each named for what it does, not for a version."""

    # PYVERSIONS: 3.13 pushes the NULL of a call *after* the callable, 3.11/3.12 before it.
    null_after_callable = PYVERSION >= (3, 13)

    # PYVERSIONS: 3.12 inlines list/set/dict comprehensions into their function (PEP 709).
    inlined_comprehensions = PYVERSION >= (3, 12)

    # PYVERSIONS: 3.13 reports a suspended generator at the instruction after YIELD_VALUE.
    suspended_lasti_after_yield = PYVERSION >= (3, 13)

    # PYVERSIONS: 3.13 passes keyword names on the stack (CALL_KW); before, KW_NAMES held them.
    kwnames_on_stack = PYVERSION >= (3, 13)

    # PYVERSIONS: 3.11 marks frames entered from C with is_entry; 3.12+ put a shim frame below.
    entry_flag_in_frame = PYVERSION == (3, 11)

    # PYVERSIONS: 3.11 zero-argument super() reads the first local of the *calling* frame,
    # so a resumed frame must keep the function's parameters in their slots.
    super_reads_first_local = PYVERSION == (3, 11)

    # PYVERSIONS: 3.14's CALL_FUNCTION_EX has no argument and always takes four operands
    # (callable, self or NULL, the arguments' tuple, the keywords' dict or a NULL pushed
    # by PUSH_NULL); before, bit 0 of its argument said whether the dict was there.
    call_ex_takes_kwargs_slot = PYVERSION >= (3, 14)

    # PYVERSIONS: 3.14 saves a frame's stack pointer before every call that can run other
    # code, so a frame waiting for C code (sorted(key=...), a class call running
    # __init__) shows its stack with the call's operands still on it; 3.11-3.13 save
    # none (-1) until the frame itself is suspended.
    stack_saved_across_c_calls = PYVERSION >= (3, 14)

    # PYVERSIONS: 3.15's GET_ITER pushes two slots, the iterable and either NULL (an
    # iterator it made) or, for a list or tuple, a tagged int: the index FOR_ITER has
    # reached in it (POP_ITER pops both); 3.11-3.14 keep one slot, the iterator.
    iterator_with_index = PYVERSION >= (3, 15)


# --- Frame internals -----------------------------------------------------------------
# A PyFrameObject is PyObject_HEAD, f_back, then f_frame: a pointer to the interpreter
# frame (struct _PyInterpreterFrame) that holds the code, locals and value stack.

FRAME_OBJECT_F_FRAME_OFFSET = 2 * ctypes.sizeof(ctypes.c_void_p) + ctypes.sizeof(ctypes.c_void_p)

_P = ctypes.c_void_p
if PYVERSION == (3, 11):
    _IFRAME_FIELDS = [
        ("f_func", _P), ("f_globals", _P), ("f_builtins", _P), ("f_locals", _P),
        ("f_code", _P), ("frame_obj", _P), ("previous", _P), ("prev_instr", _P),
        ("stacktop", ctypes.c_int), ("is_entry", ctypes.c_bool), ("owner", ctypes.c_char),
    ]
elif PYVERSION < (3, 14):  # 3.12 and 3.13 share the layout (f_code became f_executable)
    _IFRAME_FIELDS = [
        ("f_code", _P), ("previous", _P), ("f_funcobj", _P), ("f_globals", _P),
        ("f_builtins", _P), ("f_locals", _P), ("frame_obj", _P), ("prev_instr", _P),
        ("stacktop", ctypes.c_int), ("return_offset", ctypes.c_uint16), ("owner", ctypes.c_char),
    ]
else:
    # PYVERSIONS: 3.14 (pycore_interpframe_structs.h, default GIL build) keeps a pointer
    # past the top of the stack (stackpointer) instead of an int, and f_executable,
    # f_funcobj and the slots of localsplus are _PyStackRefs (tagged, see below).
    _IFRAME_FIELDS = [
        ("f_code", _P), ("previous", _P), ("f_funcobj", _P), ("f_globals", _P),
        ("f_builtins", _P), ("f_locals", _P), ("frame_obj", _P), ("instr_ptr", _P),
        ("stackpointer", _P), ("return_offset", ctypes.c_uint16), ("owner", ctypes.c_char),
        ("visited", ctypes.c_uint8),
    ]


class InterpreterFrame(ctypes.Structure):
    """The head of struct _PyInterpreterFrame; ``localsplus`` follows it."""

    _fields_ = [*_IFRAME_FIELDS, ("localsplus", _P * 0)]


LOCALSPLUS_OFFSET = InterpreterFrame.localsplus.offset

# Owners of the frames CPython puts below a Python frame entered from C code (3.12+).
# PYVERSIONS: 3.14 numbers them FRAME_OWNED_BY_INTERPRETER = 3 (the interpreter's entry
# frame) and FRAME_OWNED_BY_CSTACK = 4; 3.12/3.13 had only FRAME_OWNED_BY_CSTACK = 3.
ENTRY_FRAME_OWNERS = frozenset({3, 4}) if PYVERSION >= (3, 14) else frozenset({3})


def stacktop_of(iframe: InterpreterFrame, address: int) -> int:
    """How many localsplus slots lie below the top of a frame's saved stack (-1: none
    saved). PYVERSIONS: 3.14 saves a pointer, 3.11-3.13 a count."""
    if PYVERSION < (3, 14):
        return iframe.stacktop
    pointer = iframe.stackpointer
    if not pointer:
        return -1
    return (pointer - address - LOCALSPLUS_OFFSET) // ctypes.sizeof(ctypes.c_void_p)


# PYVERSIONS: 3.14 stores a stack slot, a local and f_executable as a _PyStackRef
# (pycore_stackref.h, default build): an object pointer whose low bit Py_TAG_REFCNT says
# the slot owns no reference (so it must be masked off), NULL as the bits 0b01
# (PyStackRef_NULL_BITS), and a small integer as (n << 2) | 0b11 (Py_INT_TAG: the
# position in the stream of instructions an exception handler keeps, 3.14's "lasti").
# 3.11-3.13 store plain PyObject pointers, NULL as 0.
STACKREF_TAGGED = PYVERSION >= (3, 14)
STACKREF_TAG_REFCNT = 1
STACKREF_INT_TAG = 3


def decode_slot(bits: int | None):
    """What a localsplus word holds: ``("null",)``, ``("int", n)`` or ``("obj", address)``."""
    if not bits:
        return ("null",)
    if not STACKREF_TAGGED:
        return ("obj", bits)
    if bits == STACKREF_TAG_REFCNT:
        return ("null",)
    if bits & STACKREF_INT_TAG == STACKREF_INT_TAG:
        return ("int", bits >> 2)
    return ("obj", bits & ~STACKREF_TAG_REFCNT)


# --- Bytecode facts --------------------------------------------------------------------

# PYVERSIONS: 3.14's END_ASYNC_FOR has an argument that points back at the END_SEND of
# the loop's __anext__ (dis lists it among the jumps, "from L15"), for sys.monitoring to
# report the loop's branch; it never jumps there: it ends the loop, falling through.
_MARKS_A_BRANCH_ONLY = frozenset({"END_ASYNC_FOR"})
HASJUMP = frozenset(op for op in (getattr(dis, "hasjump", None) or (dis.hasjrel + dis.hasjabs))
                    if dis.opname[op] not in _MARKS_A_BRANCH_ONLY)

NO_FALLTHROUGH = frozenset({
    "RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD",
    "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP", "JUMP_NO_INTERRUPT",
    "INTERPRETER_EXIT",
})

# Instructions that call something: a frame suspended here is waiting for a callee.
CALL_OPS = frozenset({"CALL", "CALL_KW", "CALL_FUNCTION_EX"})


def call_operand_count(opname: str, arg: int | None) -> int:
    """How many stack slots a call instruction consumes (callable pair and arguments)."""
    if opname == "CALL":
        return arg + 2
    if opname == "CALL_KW":
        return arg + 3
    if opname == "CALL_FUNCTION_EX":
        return _call_ex_pops(arg)
    raise ValueError(opname)


def _call_ex_pops(arg):
    if PYBEHAVIOR.call_ex_takes_kwargs_slot:
        return 4
    return 3 + ((arg or 0) & 1)


def _make_function_pops(arg):
    # PYVERSIONS: before 3.13 MAKE_FUNCTION also popped defaults/closure named by its flags.
    return 1 + bin((arg or 0) & 0xF).count("1")


# How many slots an instruction pops when it falls through; it pushes pops + net effect.
# Instructions absent here pop max(0, -net) and push max(0, net), which keeps the
# provenance of what they leave in place (NOP-like and pure load/store instructions).
POPS = {
    "BINARY_OP": 2, "BINARY_SUBSCR": 2, "BINARY_SLICE": 3,
    "COMPARE_OP": 2, "IS_OP": 2, "CONTAINS_OP": 2,
    "UNARY_NEGATIVE": 1, "UNARY_NOT": 1, "UNARY_INVERT": 1, "UNARY_POSITIVE": 1,
    "GET_ITER": 1, "GET_AITER": 1, "GET_AWAITABLE": 1, "GET_YIELD_FROM_ITER": 1,
    "LIST_TO_TUPLE": 1, "CONVERT_VALUE": 1, "FORMAT_SIMPLE": 1, "FORMAT_WITH_SPEC": 2,
    "FORMAT_VALUE": lambda a: 2 if (a or 0) & 4 else 1,
    "CALL_INTRINSIC_1": 1, "CALL_INTRINSIC_2": 2,
    "LOAD_ATTR": 1, "LOAD_METHOD": 1, "LOAD_SUPER_ATTR": 3,
    "BUILD_TUPLE": lambda a: a, "BUILD_LIST": lambda a: a, "BUILD_SET": lambda a: a,
    "BUILD_STRING": lambda a: a, "BUILD_SLICE": lambda a: a,
    "BUILD_MAP": lambda a: 2 * a, "BUILD_CONST_KEY_MAP": lambda a: a + 1,
    "CALL": lambda a: a + 2, "CALL_KW": lambda a: a + 3,
    "CALL_FUNCTION_EX": _call_ex_pops, "PRECALL": 0,
    "MAKE_FUNCTION": _make_function_pops, "SET_FUNCTION_ATTRIBUTE": 2,
    "IMPORT_NAME": 2, "YIELD_VALUE": 1, "SEND": 1, "END_SEND": 2, "CLEANUP_THROW": 3,
    "UNPACK_SEQUENCE": 1, "UNPACK_EX": 1,
    "PUSH_EXC_INFO": 1, "BEFORE_WITH": 1, "BEFORE_ASYNC_WITH": 1,
    "CHECK_EXC_MATCH": 1, "CHECK_EG_MATCH": 2, "PREP_RERAISE_STAR": 2,
    "MATCH_CLASS": 3, "COPY_DICT_WITHOUT_KEYS": 1,
    "LOAD_FROM_DICT_OR_DEREF": 1, "LOAD_FROM_DICT_OR_GLOBALS": 1,
    "STORE_FAST_LOAD_FAST": 1, "ASYNC_GEN_WRAP": 1, "FOR_ITER": 0,
    # PYVERSIONS: 3.14. LOAD_SPECIAL replaces BEFORE_WITH: it looks up __enter__/__exit__
    # on the context manager it pops and pushes the method and self (or callable, NULL).
    "LOAD_SPECIAL": 1,
    # t-strings (PEP 750): BUILD_INTERPOLATION pops value, expression text and, if bit 0
    # of its argument says so, the format spec; BUILD_TEMPLATE pops strings and
    # interpolations. Their result is a new object, not one of their operands.
    "BUILD_INTERPOLATION": lambda a: 2 + ((a or 0) & 1), "BUILD_TEMPLATE": 2,
}
if PYVERSION >= (3, 15):
    POPS["GET_ITER"] = 1  # see PYBEHAVIOR.iterator_with_index: pushes two

# PYVERSIONS: 3.14's dis counts LOAD_DEREF among the local instructions (haslocal), so
# bytecode 0.19 names the cell of an argument it reads by the argument's name (a str),
# where 3.11-3.13 give a CellVar; a resume code object, whose argument cells are free
# variables, must turn that name into the free variable too.
DEREF_OPS = frozenset({"LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF", "LOAD_FROM_DICT_OR_DEREF"})

# Instructions that push a constant of the code object (their argval).
CONSTANT_LOADS = frozenset({"LOAD_CONST", "LOAD_SMALL_INT"})

# PYVERSIONS: 3.14 loads a local with LOAD_FAST_BORROW where it can prove the frame keeps
# it alive (a borrowed stack reference); for framemig it is LOAD_FAST.
LOAD_FAST_OPS = frozenset({"LOAD_FAST", "LOAD_FAST_BORROW"})

# PYVERSIONS: 3.14's LOAD_FAST_BORROW_LOAD_FAST_BORROW packs two local indexes in 4 bits
# each like 3.13's LOAD_FAST_LOAD_FAST; bytecode 0.19 knows it as a pair but has no
# single instructions to split it into (its DUAL_ARG_OPCODES_SINGLE_OPS lacks it).
EXTRA_DUAL_LOCAL_OPS = ({"LOAD_FAST_BORROW_LOAD_FAST_BORROW": ("LOAD_FAST_BORROW",
                                                               "LOAD_FAST_BORROW")}
                        if "LOAD_FAST_BORROW_LOAD_FAST_BORROW" in dis.opmap else {})

# The names LOAD_SPECIAL looks up that a with block keeps on its stack until it ends.
_EXIT_NAMES = frozenset({"__exit__", "__aexit__"})


def pushes_with_exit(instr) -> bool:
    """Does ``instr`` (a dis.Instruction) push what a with block calls on leaving?
    PYVERSIONS: 3.11-3.13 BEFORE_WITH pushes the bound ``__exit__`` (and the result of
    ``__enter__``); 3.14 LOAD_SPECIAL pushes ``__exit__`` and self as a call pair."""
    if instr.opname in ("BEFORE_WITH", "BEFORE_ASYNC_WITH"):
        return True
    return instr.opname == "LOAD_SPECIAL" and instr.argrepr in _EXIT_NAMES

# Instructions whose two outputs are a callable and either "self" or NULL, decided at run
# time. The position of the NULL in the pair is a version fact (null_after_callable).
def pushes_call_pair(opname: str, arg) -> bool:
    if opname == "LOAD_METHOD":
        return True
    if opname == "LOAD_GLOBAL":
        return bool(_low_bit(arg))
    if opname in ("LOAD_ATTR", "LOAD_SUPER_ATTR") and PYVERSION >= (3, 12):
        return bool(_low_bit(arg))
    return opname == "LOAD_SPECIAL"  # PYVERSIONS: 3.14


def _low_bit(arg) -> int:
    return (arg or 0) & 1


# PYVERSIONS: 3.11's dis charges PRECALL with popping the arguments and CALL with one
# slot; in the running interpreter the stack keeps its depth until CALL consumes it all.
# PYVERSIONS: before 3.13 dis gives RETURN_GENERATOR no effect, but a resumed generator
# finds the sent value on its stack (popped by the POP_TOP that follows).
_NET_OVERRIDES = {}
if PYVERSION == (3, 11):
    _NET_OVERRIDES.update({"PRECALL": lambda arg: 0, "CALL": lambda arg: -(arg + 1)})
if PYVERSION < (3, 13):
    _NET_OVERRIDES["RETURN_GENERATOR"] = lambda arg: 1


def stack_effect(opname: str, opcode: int, arg, jump: bool) -> int:
    """Net stack effect of an instruction along one branch, as the interpreter does it."""
    override = _NET_OVERRIDES.get(opname)
    if override is not None:
        return override(arg)
    if opcode < dis.HAVE_ARGUMENT:
        arg = None
    return dis.stack_effect(opcode, arg, jump=jump)


# The import system's own bookkeeping of module locks (importlib._bootstrap). A signal
# handler that imports while one of these is interrupted corrupts it: 3.11's
# _ModuleLock.acquire deletes ``_blocking_on[tid]`` and a nested import already did, so
# the program dies with a KeyError. A capture request waits until they have returned.
IMPORT_LOCK_FUNCTIONS = frozenset({
    "acquire", "release", "has_deadlock", "_has_deadlock", "_get_module_lock",
    "_lock_unlock_module", "__enter__", "__exit__", "cb", "setdefault", "get",
})


def in_import_locking(frame) -> bool:
    """Is the import system, somewhere on ``frame``'s stack, in the middle of taking or
    giving back a module lock (a moment when running an import would corrupt it)?"""
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith("<frozen importlib") and \
                code.co_name in IMPORT_LOCK_FUNCTIONS:
            return True
        frame = frame.f_back
    return False


def new_main_module(path: str):
    """An empty ``__main__`` module for the script at ``path``, holding what ``python
    path`` puts in it, in the same order (a program may list its globals)."""
    import builtins
    import types
    from importlib.machinery import SourceFileLoader

    module = types.ModuleType("__main__")
    module.__loader__ = SourceFileLoader("__main__", path)
    module.__spec__ = None
    if not ANNOTATIONS_ARE_LAZY:  # PYVERSIONS: 3.14 starts a script with none
        module.__annotations__ = {}
    module.__builtins__ = builtins
    module.__file__ = path
    module.__cached__ = None
    return module


def interpreter_facts() -> dict:
    """What a snapshot records about the interpreter that wrote it."""
    return {
        "implementation": sys.implementation.name,
        "version": list(sys.version_info[:3]),
        "version_string": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "byteorder": sys.byteorder,
        "behaviour": {
            name: value for name, value in vars(PYBEHAVIOR).items() if not name.startswith("_")
        },
    }


def describe() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def ast_field_default(cls, field: str):
    """What a syntax-tree node made on another version lacks for one of this version's
    fields (3.12 added ``type_params`` to function and class definitions): the value
    the node's constructor gives an omitted field here — an empty list for a list field,
    else None. 3.13+ say each field's type in ``_field_types``."""
    types = getattr(cls, "_field_types", None)
    if types is not None:
        return [] if getattr(types.get(field), "__origin__", None) is list else None
    return [] if field == "type_params" else None


# Attributes a newer CPython's standard-library class sets in __init__ that an instance
# made on an older one lacks (restored from its state, __init__ does not run): the value
# __init__ gives them by default.
STATE_DEFAULTS = {
    ("logging", "LoggerAdapter"): {"merge_extra": False},  # 3.13
}


# PYVERSIONS: 3.14 evaluates annotations lazily (PEP 649/749): a class body with
# annotations leaves ``__annotate_func__`` (a function whose closure holds the class
# namespace) in the class's dict, and ``__annotations_cache__`` once they were asked for.
# A class travels with its annotations evaluated, as ``__annotations__``: what 3.11-3.13
# keep, and what a 3.14 class made with ``__annotations__`` in its namespace answers.
LAZY_CLASS_ANNOTATIONS = frozenset({"__annotate_func__", "__annotations_cache__",
                                    "__annotate__"})
ANNOTATIONS_ARE_LAZY = PYVERSION >= (3, 14)


def class_annotations(cls) -> dict | None:
    """The annotations a class body wrote (names it could not resolve as strings), or
    None when it wrote none."""
    if not ANNOTATIONS_ARE_LAZY:
        return cls.__dict__.get("__annotations__")
    import annotationlib

    if not LAZY_CLASS_ANNOTATIONS & set(cls.__dict__) and "__annotations__" not in cls.__dict__:
        return None
    try:
        return dict(annotationlib.get_annotations(cls, format=annotationlib.Format.VALUE))
    except Exception:
        return dict(annotationlib.get_annotations(cls, format=annotationlib.Format.STRING))


def module_annotations(namespace: dict) -> dict | None:
    """The annotations of a module whose globals are ``namespace`` (3.14 keeps an
    ``__annotate__`` function there; 3.11-3.13 the ``__annotations__`` dict), evaluated
    as far as they can be (names not defined yet as strings)."""
    annotate = namespace.get("__annotate__")
    if not callable(annotate):
        return namespace.get("__annotations__")
    import annotationlib

    try:
        return dict(annotationlib.call_annotate_function(annotate, annotationlib.Format.VALUE))
    except Exception:
        try:
            return dict(annotationlib.call_annotate_function(annotate,
                                                             annotationlib.Format.STRING))
        except Exception:
            return None


# Slots a newer CPython's standard-library class has that this one's lacks (an instance
# made there cannot keep them here), with the value that says nothing: dropped on restore
# when they hold it. PYVERSIONS: 3.14's dataclasses.Field has ``doc`` (field(doc=...)).
NEWER_SLOTS = {
    ("dataclasses", "Field"): {"doc": None},
}


# What gc.get_referents says of C objects whose state has no other way out (capture's
# stdlib forms). 3.13 keeps a SimpleQueue's items in a ring buffer and lists them one by
# one; 3.11-3.12 list the Python list they are taken from (consumed slots hold None).
SIMPLE_QUEUE_LISTS_ITEMS = PYVERSION >= (3, 13)


class _PyBuffer(ctypes.Structure):  # Py_buffer: part of the stable ABI since 3.11
    _fields_ = [("buf", _P), ("obj", _P), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int),
                ("ndim", ctypes.c_int), ("format", ctypes.c_char_p), ("shape", _P),
                ("strides", _P), ("suboffsets", _P), ("internal", _P)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]


def buffer_address(obj) -> int:
    """Where the bytes of ``obj`` (a bytes-like object) begin in memory: what a
    memoryview's offset into the object it views is found from."""
    view = _PyBuffer()
    if _get_buffer(obj, ctypes.byref(view), 0) != 0:
        raise TypeError("no buffer")
    try:
        return view.buf or 0
    finally:
        _release_buffer(ctypes.byref(view))


# --- fields C objects keep out of Python's reach ----------------------------------------
# Found by asking probes for values they are known to hold (three probes, one field left
# that holds each value), so no version's struct layout is written down here. None when
# the probes do not agree: the caller then refuses, or leaves the field as it is.

def _field_offset(make, values=(37, 91, 58), kind=ctypes.c_ssize_t) -> int | None:
    size = ctypes.sizeof(kind)
    candidates = None
    for value in values:
        probe = make(value)
        words = {offset: kind.from_address(id(probe) + offset).value
                 for offset in range(size, type(probe).__basicsize__ - size + 1, size)}
        found = {offset for offset, word in words.items() if word == value}
        candidates = found if candidates is None else candidates & found
    return next(iter(candidates)) if candidates and len(candidates) == 1 else None


def _lru_probe(hits: int, misses: int):
    probe = functools.lru_cache(maxsize=256)(lambda x: x)
    for n in range(misses):
        probe(n)
    for _ in range(hits):
        probe(0)
    return probe


@functools.lru_cache(maxsize=1)
def lru_counter_offsets() -> tuple[int, int] | None:
    """Where a C ``lru_cache`` wrapper keeps its hit and miss counts."""
    hits = _field_offset(lambda v: _lru_probe(v, 1))
    misses = _field_offset(lambda v: _lru_probe(0, v))
    return None if hits is None or misses is None else (hits, misses)


def set_lru_counters(wrapper, hits: int, misses: int) -> bool:
    """Give a C ``lru_cache`` wrapper the counts it had on the machine it came from."""
    offsets = lru_counter_offsets()
    if offsets is None or type(wrapper) is not functools._lru_cache_wrapper:
        return False
    ctypes.c_ssize_t.from_address(id(wrapper) + offsets[0]).value = hits
    ctypes.c_ssize_t.from_address(id(wrapper) + offsets[1]).value = misses
    return True


def _text_probe(used: int):
    import io

    probe = io.TextIOWrapper(io.BytesIO(("x" * (used - 1) + "\nframemig probe\n").encode()),
                             encoding="utf-8")
    next(probe)
    return probe


@functools.lru_cache(maxsize=1)
def _text_offsets() -> tuple[int, int] | None:
    """Where a C ``TextIOWrapper`` keeps its decoded chunk and how much of it was read."""
    used = _field_offset(_text_probe)
    probes = [_text_probe(v) for v in (37, 91, 58)]
    pointer = None
    for probe in probes:
        text = next(item for item in _referents(probe)
                    if type(item) is str and item.endswith("framemig probe\n"))
        size = ctypes.sizeof(ctypes.c_void_p)
        found = {offset for offset in range(size, type(probe).__basicsize__ - size + 1, size)
                 if ctypes.c_void_p.from_address(id(probe) + offset).value == id(text)}
        pointer = found if pointer is None else pointer & found
    if used is None or not pointer or len(pointer) != 1:
        return None
    return next(iter(pointer)), used


def _referents(obj) -> list:
    import gc

    return gc.get_referents(obj)


def text_reading_state(handle) -> tuple[str, int] | None:
    """``(decoded chunk, characters of it already returned)`` of a C ``TextIOWrapper``
    that ``for line in f`` is reading (its ``tell()`` is disabled then)."""
    import io

    offsets = _text_offsets()
    if offsets is None or type(handle) is not io.TextIOWrapper:
        return None
    pointer = ctypes.c_void_p.from_address(id(handle) + offsets[0]).value
    chunk = next((item for item in _referents(handle) if id(item) == pointer), None)
    if pointer is None or type(chunk) is not str:
        return "", 0
    return chunk, ctypes.c_ssize_t.from_address(id(handle) + offsets[1]).value


@functools.lru_cache(maxsize=1)
def _newline_offset() -> int | None:
    """Where a C ``TextIOWrapper`` keeps the ``newline`` it was opened with."""
    import io

    size = ctypes.sizeof(ctypes.c_void_p)
    candidates = None
    for newline in ("\r", "", "\n"):
        probe = io.TextIOWrapper(io.BytesIO(b"x"), encoding="utf-8", newline=newline)
        found = {offset for offset in range(size, type(probe).__basicsize__ - size + 1, size)
                 if ctypes.c_void_p.from_address(id(probe) + offset).value == id(newline)}
        candidates = found if candidates is None else candidates & found
    return next(iter(candidates)) if candidates and len(candidates) == 1 else None


_UNKNOWN = object()


def text_newline(handle):
    """The ``newline`` a C ``TextIOWrapper`` was opened with (None: universal newlines),
    or ``_UNKNOWN``."""
    import io

    offset = _newline_offset()
    if offset is None or type(handle) is not io.TextIOWrapper:
        return _UNKNOWN
    pointer = ctypes.c_void_p.from_address(id(handle) + offset).value
    if pointer is None:
        return None
    return next((item for item in _referents(handle) if id(item) == pointer and
                 type(item) is str), _UNKNOWN)


def _csv_probe(lines: int):
    import csv

    probe = csv.reader(["a,b"] * (lines + 1))
    for _ in range(lines):
        next(probe)
    return probe


@functools.lru_cache(maxsize=1)
def _csv_line_offset() -> int | None:
    return _field_offset(_csv_probe, kind=ctypes.c_ulong)


def set_csv_line_num(reader, value: int) -> bool:
    """Give a C ``csv.reader`` the line number it had reached (read-only in Python)."""
    offset = _csv_line_offset()
    if offset is None:
        return False
    ctypes.c_ulong.from_address(id(reader) + offset).value = value
    return reader.line_num == value


@functools.lru_cache(maxsize=1)
def _decimal_manager_offsets() -> tuple[int, int] | None:
    """Where ``decimal.localcontext()``'s C manager keeps its local and saved contexts
    (3.11 and 3.12 do not show them to the garbage collector)."""
    import decimal

    size = ctypes.sizeof(ctypes.c_void_p)
    local_at = saved_at = None
    for prec in (11, 23, 31):
        saved = decimal.getcontext()
        manager = decimal.localcontext(decimal.Context(prec=prec))
        with manager as local:
            fields = {offset: ctypes.c_void_p.from_address(id(manager) + offset).value
                      for offset in range(size, type(manager).__basicsize__ - size + 1,
                                          size)}
        found = ({o for o, v in fields.items() if v == id(local)},
                 {o for o, v in fields.items() if v == id(saved)})
        local_at = found[0] if local_at is None else local_at & found[0]
        saved_at = found[1] if saved_at is None else saved_at & found[1]
    if not local_at or not saved_at or len(local_at) != 1 or len(saved_at) != 1:
        return None
    return next(iter(local_at)), next(iter(saved_at))


def decimal_manager_contexts(manager) -> tuple[object, object] | None:
    """``(local, saved)``: the contexts of a ``decimal.localcontext()`` manager."""
    offsets = _decimal_manager_offsets()
    if offsets is None:
        return None
    return tuple(ctypes.cast(ctypes.c_void_p.from_address(id(manager) + offset).value,
                             ctypes.py_object).value for offset in offsets)
