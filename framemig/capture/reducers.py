"""How each kind of object becomes a table entry: the dispatch, containers, and pickle's
``__reduce__`` protocol for everything that supports it.

The order of questions follows pickle's: exact built-in types first, then things framemig
carries by its own rules (code, classes, modules, generators, resources), then objects that
are globals of a library module (carried by name, so sentinels such as
``dataclasses.MISSING`` keep their identity), then ``copyreg``'s dispatch table and the
object's ``__reduce_ex__``, and dill as a last resort for leaf values.
"""

from __future__ import annotations

import base64
import copyreg
import enum
import inspect
import pickle
import random
import struct
import sys
import types

from framemig.capture import (
    containers,
    definitions,
    frames,
    numpy_forms,
    resources,
    stdlib_forms,
)
from framemig.capture.definitions import global_entry, library_global_name
from framemig.capture.refusal import Refused


def entry(enc, obj, index: int) -> dict:
    kind = type(obj)
    handler = _BY_TYPE.get(kind)
    if handler is not None:
        return handler(enc, obj, index)
    plain = enc.plain_classes.get(kind, False)
    if plain is False:
        plain = enc.plain_classes[kind] = _is_plain_program_class(enc, kind)
    if plain is not None:  # the fast path for the program's own instances
        return described(enc, plain, kind, obj)
    if isinstance(obj, type):
        return definitions.class_entry(enc, obj, index)
    special = resources.entry(enc, obj, index)
    if special is not None:
        return special
    if isinstance(obj, BaseException):
        return _exception(enc, obj, index)
    if isinstance(obj, enum.Enum):
        if obj._name_ in type(obj)._member_map_:
            return {"t": "enum_member", "cls": enc.child(kind, index, ".__class__"),
                    "name": obj._name_}
        # a Flag made of several members (A|B) is no member by name: it is its value
        return {"t": "enum_member", "cls": enc.child(kind, index, ".__class__"),
                "value": enc.child(obj._value_, index, "._value_")}
    if isinstance(obj, random.Random):
        return _random(enc, obj, index)
    if kind is object:  # a bare object(): a library's sentinel, by name, if it is one
        name = definitions.sentinel_name(enc.world, obj)
        if name is not None:
            return {**global_entry(*name), "sentinel": 1}
    name = library_global_name(enc.world, obj)
    if name is not None:
        return global_entry(*name)
    return _reduce(enc, obj, index)


def _random(enc, rng, index) -> dict:
    """A random generator a library keeps as its global (faker's shared
    ``faker.generator.random``, which ``Faker.seed()`` seeds) travels by name and state:
    the library and the program's objects go on sharing it, at the numbers it had
    reached. Any other travels as pickle would take it."""
    name = _library_random_name(enc, rng)
    if name is None:
        return _reduce(enc, rng, index)
    result = global_entry(*name)
    result["rs"] = enc.child(rng.getstate(), index, " (state)")
    return result


def _library_random_name(enc, rng) -> tuple[str, str] | None:
    return enc.world.library_globals("random", _is_random).get(id(rng))


def _is_random(value) -> bool:
    return isinstance(value, random.Random)


def _exception(enc, exc, index):
    cls = type(exc)
    try:
        args = _OBJECT_GETATTRIBUTE(exc, "args")
    except AttributeError:  # an "args" slot (pyparsing) not set yet: inside its __init__
        args = BaseException.args.__get__(exc)
    result = {
        "t": "exception",
        "cls": enc.child(cls, index, ".__class__"),
        "args": enc.child(args, index, ".args"),
        "dict": enc.child(exc.__dict__, index, ".__dict__") if exc.__dict__ else None,
        "cause": enc.child(exc.__cause__, index, ".__cause__"),
        "context": enc.child(exc.__context__, index, ".__context__"),
        "suppress": exc.__suppress_context__,
    }
    state = _real_state(exc, cls, True)
    if isinstance(state, tuple):  # the values of its slots, which args do not make again
        result["sl"] = containers.str_keyed(enc, state[1])
    return result


def _reduce(enc, obj, index):
    cls = type(obj)
    plan = plan_for(enc, cls)
    if plan is not None:  # object.__reduce_ex__'s own way, from what the object holds
        _check_makeable(enc, cls)
        return instance(enc, plan, cls, obj)
    real = enc.plans.get((cls, "copies"))
    if real is not None:  # its own reduction copies: see _copies
        return _as_it_is(enc, real, cls, obj)
    reducer = copyreg.dispatch_table.get(cls) or stdlib_forms.LOST_REDUCERS.get(cls)
    try:
        if reducer is not None:
            value = reducer(obj)
        else:
            reduce_ex = bound(lookup(cls, "__reduce_ex__"), obj, cls)
            if reduce_ex is None:
                raise TypeError(f"cannot pickle {cls.__name__!r} object")
            value = reduce_ex(4)
    except Exception as exc:
        return _last_resort(enc, obj, index, exc)
    if isinstance(value, str):
        module = _module_of(obj, cls)
        if module in enc.world.program_modules:  # "the program's global of that name"
            return _by_state(enc, cls, obj, f"{module}.{value}")
        return global_entry(module, value)
    value = tuple(value) + (None,) * (6 - len(value))
    func, args, state, listitems, dictitems, setter = value[:6]
    named = _program_name_in(enc.world, args)
    if named is not None:
        return _by_state(enc, cls, obj, named)
    if func is copyreg.__newobj__ and len(args) == 1 and listitems is None and \
            dictitems is None and setter is None:
        _check_makeable(enc, args[0])
        return plain_instance(enc, args[0], state)
    if reducer is None and _copies(enc, cls, args, state, listitems, dictitems):
        real = plan_for(enc, cls, own_reduce=False)
        if real is not None:
            enc.plans[(cls, "copies")] = real
            return _as_it_is(enc, real, cls, obj)
    result = {
        "t": "reduce",
        "fn": enc.child(func, index, " (constructor)"),
        "args": enc.child(tuple(args or ()), index, " (arguments)"),
    }
    if state is not None:
        result["state"] = enc.child(state, index, " (state)")
    if listitems is not None:
        result["items"] = enc.child(list(listitems), index, " (items)")
    if dictitems is not None:
        result["dictitems"] = enc.child(list(dictitems), index, " (items)")
    if setter is not None:
        result["setter"] = enc.child(setter, index, " (state setter)")
    return result


def _copies(enc, cls, args, state, listitems, dictitems) -> bool:
    """Is a class's own ``__reduce__`` one that copies the object (``return cls,
    (self.items, self.trivia)``; ``load, (dump(self),)``) rather than one that looks it
    up (``logging.getLogger, (name,)``)?

    Such a reduction is written for pickle, which copies: it may drop what it can make
    again (tomlkit's inline table drops its ``_new`` flag, and printed differently after
    a restore), or make a tree afresh whose nodes the program's frames hold (sqlglot's
    expressions, sortedcontainers' inner lists). A migration must give back the object
    itself, so when the instance holds nothing Python cannot see, its real state
    travels instead, as it would for a class without its own reduction. A reduction is
    taken for a lookup when it carries nothing but a few names or numbers.

    The program's own classes always travel by their real state when they can: the
    program's registries travel with it (a lookup would find the same object), and a
    reduction calling the program's functions would run them before their module is
    filled. The standard library's reductions are kept: they are its cross-version form
    (a ``pathlib.Path``'s slots differ between 3.11 and 3.13, its reduction does not)."""
    if _is_standard_library(cls):
        return False
    if cls.__module__ in enc.world.program_modules:
        return True
    if state is not None or listitems is not None or dictitems is not None:
        return True
    return not all(_is_a_name(arg) for arg in args or ())


def _is_a_name(value) -> bool:
    if value is None or type(value) in (str, int, bool, bytes):
        return True
    return type(value) is tuple and len(value) <= 4 and all(map(_is_a_name, value))


def _as_it_is(enc, plan, cls, obj) -> dict:
    result = instance(enc, plan, cls, obj)
    if plan.getstate is None:  # set back as it is: its __setstate__ expects what its
        result["raw"] = 1      # own reduction gives
    return result


def _is_standard_library(cls) -> bool:
    """The standard library's reductions are kept: they are its cross-version form
    (a ``pathlib.Path``'s slots differ between 3.11 and 3.13, its reduction does not)."""
    module = cls.__module__
    return isinstance(module, str) and module.partition(".")[0] in sys.stdlib_module_names


def _module_of(obj, cls) -> str | None:
    try:
        module = getattr(obj, "__module__", None)
    except Exception:
        module = None
    return module if isinstance(module, str) else cls.__module__


def _program_name_in(world, args) -> str | None:
    """A string among a reduction's arguments that names something of the program
    (toolz's curry names its function ``"__main__:scale"``): the library would look it
    up by name, in modules the restore builds itself, before they are filled."""
    if not isinstance(args, tuple):
        return None
    modules = world.program_modules
    for arg in args:
        if type(arg) is not str or len(arg) > 300:
            continue
        if ":" in arg:
            if arg.split(":", 1)[0] in modules:
                return arg
            continue
        if arg in modules:
            return arg
        parts = arg.split(".")
        for cut in range(len(parts) - 1, 0, -1):  # "pkg.mod.Class.attr"
            module = modules.get(".".join(parts[:cut]))
            if module is not None:
                if definitions.attribute_path(module, parts[cut:]) is not None:
                    return arg
                break
    return None


def _by_state(enc, cls, obj, name: str) -> dict:
    """An object whose pickling names the program (by a string) travels as what it holds."""
    plan = plan_for(enc, cls, own_reduce=False)
    if plan is None:
        raise Refused(f"is a {cls.__module__}.{cls.__qualname__} object that pickles as "
                      f"a reference to {name!r} of the program, and its state cannot be "
                      f"read")
    return instance(enc, plan, cls, obj)


# --- instances described from what they hold ------------------------------------------------

_OBJECT_REDUCE_EX = object.__reduce_ex__
_OBJECT_GETSTATE = object.__getstate__
_OBJECT_GETATTRIBUTE = object.__getattribute__
_CONTAINER_BASES = (dict, list, set)
_POINTER = struct.calcsize("P")


def lookup(cls, name: str):
    """``name`` found as the interpreter finds a special method: on the type, in its MRO,
    never on the instance (whose ``__getattr__`` may forward, recurse or fail)."""
    for klass in cls.__mro__:
        namespace = vars(klass)
        if name in namespace:
            return namespace[name]
    return None


def bound(attribute, obj, cls):
    """A class attribute found by :func:`lookup`, bound to ``obj`` as a method would be."""
    if attribute is None:
        return None
    get = getattr(type(attribute), "__get__", None)
    return get(attribute, obj, cls) if get is not None else attribute


class Plan:
    """How instances of a class are described by what they hold."""

    __slots__ = ("base", "getstate", "newargs", "newargs_ex", "careful", "fast")

    def __init__(self, base, getstate, newargs, newargs_ex, careful):
        self.base = base  # object, or the built-in container the class extends
        self.getstate = getstate  # a __getstate__ to call, or None: the real state
        self.newargs = newargs
        self.newargs_ex = newargs_ex
        self.careful = careful  # the class has __getattr__: read slots without it
        self.fast = base is object and newargs is None and newargs_ex is None


def _check_makeable(enc, cls) -> None:
    """An object made again as pickle makes it, ``cls.__new__(cls)``: a ``__new__`` that
    needs more arguments (numpy's finfo) fails there, as pickle's load does. Refused
    here, while the program still runs."""
    key = (cls, "new")
    if key not in enc.plans:
        enc.plans[key] = _needs_arguments(cls)
    if enc.plans[key]:
        raise Refused(f"cannot be made again: {cls.__qualname__}.__new__ needs arguments "
                      f"that its pickling does not give")


def _needs_arguments(cls) -> bool:
    if lookup(cls, "__getnewargs_ex__") is not None or lookup(cls, "__getnewargs__") is not None:
        return False  # pickle gives what they return
    new = inspect.getattr_static(cls, "__new__", None)
    if isinstance(new, staticmethod):
        new = new.__func__
    if not isinstance(new, types.FunctionType):
        return False
    try:
        parameters = list(inspect.signature(new).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                                   p.KEYWORD_ONLY) for p in parameters)


def plan_for(enc, cls, own_reduce: bool = True) -> Plan | None:
    key = cls if own_reduce else (cls, False)
    try:
        return enc.plans[key]
    except KeyError:
        plan = enc.plans[key] = _plan(cls, own_reduce)
        return plan


def _plan(cls, own_reduce: bool) -> Plan | None:
    """A plan if ``object.__reduce_ex__`` is how ``cls`` pickles (``own_reduce=False``: or
    would be) and its instances hold nothing Python code cannot see; else None."""
    base = next((b for b in _CONTAINER_BASES if issubclass(cls, b)), object)
    if own_reduce:
        if copyreg.dispatch_table.get(cls) is not None:
            return None
        if lookup(cls, "__reduce_ex__") is not _OBJECT_REDUCE_EX or \
                lookup(cls, "__reduce__") is not lookup(base, "__reduce__"):
            return None
    if _hidden_layout(cls, base):
        return None
    getstate = lookup(cls, "__getstate__")
    if getstate is _OBJECT_GETSTATE:
        getstate = None
    # A __getstate__ written for pickling may drop live parts (a reporter, a cache, a
    # lock) for __setstate__ to make again: called alone it would leave the restored
    # program without them. It is called only when paired with __setstate__, or when the
    # object has no __dict__ for the real state to go into.
    if getstate is not None and lookup(cls, "__setstate__") is None and \
            cls.__dictoffset__ != 0:
        getstate = None
    careful = lookup(cls, "__getattr__") is not None or \
        lookup(cls, "__getattribute__") is not _OBJECT_GETATTRIBUTE
    return Plan(base, getstate, lookup(cls, "__getnewargs__"),
                lookup(cls, "__getnewargs_ex__"), careful)


def _hidden_layout(cls, base) -> bool:
    """Does an instance hold more than its base, __dict__, __weakref__ and slots (state of
    a C type that only its own reduction knows)? The test object.__reduce_ex__ makes."""
    try:
        size = base.__basicsize__
        if cls.__dictoffset__ > 0 and base.__dictoffset__ == 0:
            size += _POINTER
        if cls.__weakrefoffset__ > 0 and base.__weakrefoffset__ == 0:
            size += _POINTER
        size += _POINTER * len(copyreg._slotnames(cls))
    except Exception:
        return True
    return cls.__basicsize__ > size or cls.__itemsize__ != base.__itemsize__


def described(enc, plan: Plan, cls, obj) -> dict:
    """``{"o": class, "s": state...}``: what pickle would save as the object's state, but
    never from a __getstate__ that could drop live parts (see :func:`_plan`)."""
    if plan.getstate is None:
        return plain_instance(enc, cls, _real_state(obj, cls, plan.careful))
    if _library_class(enc, cls) and cls.__dictoffset__ and not copyreg._slotnames(cls):
        real = _real_state(obj, cls, plan.careful)
        if enc.trial or _can_travel(enc, real):
            # a library's __getstate__/__setstate__ pair is pickle's copy: BeautifulSoup
            # writes its tree as markup and parses it again, so the Tags the program's
            # frames hold are no longer in it. What it really holds travels, if it can.
            result = plain_instance(enc, cls, real)
            result["raw"] = 1
            return result
    try:
        state = bound(plan.getstate, obj, cls)()
    except (AttributeError, RecursionError):
        # Half built (captured inside its __init__): its __getstate__ cannot speak for it
        # yet. It travels as it is, and is made again as it is, without __setstate__.
        result = plain_instance(enc, cls, _real_state(obj, cls, True))
        result["raw"] = 1
        return result
    return plain_instance(enc, cls, state)


def _library_class(enc, cls) -> bool:
    module = cls.__module__
    return isinstance(module, str) and module not in enc.world.program_modules and \
        not _is_standard_library(cls)


def _can_travel(enc, state) -> bool:
    """Would ``state`` travel? Asked of a trial encoder, so that a refusal leaves the
    capture's own table as it was (the pair is then used, as pickle would)."""
    trial = type(enc)(enc.world)
    trial.trial = True  # what it meets is taken as it is: one trial, not one per level
    try:
        trial.item(state)
        trial.drain()
    except Exception:
        return False
    return True


def _real_state(obj, cls, careful: bool):
    """``__dict__`` and slots, as object.__getstate__ gives them; ``careful``: without
    asking the object's own __getattr__ for a slot that is not set."""
    if not careful:
        return _OBJECT_GETSTATE(obj)
    try:
        namespace = _OBJECT_GETATTRIBUTE(obj, "__dict__")
    except AttributeError:
        namespace = None
    state = namespace or None
    names = copyreg._slotnames(cls)
    if names:
        slots = {}
        for name in names:
            try:
                slots[name] = _OBJECT_GETATTRIBUTE(obj, name)
            except AttributeError:
                pass
        if slots:
            state = (state, slots)
    return state


def instance(enc, plan: Plan, cls, obj) -> dict:
    new = kw = None
    if plan.newargs_ex is not None:
        new, kw = bound(plan.newargs_ex, obj, cls)()
    elif plan.newargs is not None:
        new = bound(plan.newargs, obj, cls)()
    result = described(enc, plan, cls, obj)
    if new:
        result["new"] = enc.child(tuple(new), 0, " (arguments)")
    if kw:
        result["kw"] = enc.child(dict(kw), 0, " (arguments)")
    base = plan.base
    if base is dict:  # the items as they are, not through an overridden __setitem__
        flat = []
        for n, (key, value) in enumerate(dict.items(obj)):
            flat.append(enc.child(key, 0, f" key #{n}"))
            flat.append(enc.child(value, 0, f"[{key!r}]"))
        result["dk"] = flat
    elif base is list:
        result["li"] = containers.values(enc, list.copy(obj))
    elif base is set:
        result["se"] = containers.values(enc, list(set.__iter__(obj)))
    return result


def _is_plain_program_class(enc, cls) -> Plan | None:
    """The plan of a program class whose instances pickle as class + state, with nothing
    else to check (no special base, no arguments for __new__); else None."""
    if cls.__module__ not in enc.world.program_modules or isinstance(cls, type(enum.Enum)):
        return None
    if not all(base in _PLAIN_BASES or _is_plain_program_class(enc, base)
               for base in cls.__mro__[1:]):
        return None
    plan = plan_for(enc, cls)
    return plan if plan is not None and plan.fast else None


_PLAIN_BASES = (object,)


def plain_instance(enc, cls, state) -> dict:
    """The common case, written short: ``{"o": class, "s": {attribute: value}}``."""
    result = {"o": enc.child(cls, 0, ".__class__")}
    slots = None
    if isinstance(state, tuple) and len(state) == 2 and (state[1] is None or
                                                        type(state[1]) is dict):
        state, slots = state
    if state is not None:
        if type(state) is dict:
            for key in state:
                if type(key) is not str:
                    result["state"] = enc.child(state, 0, " (state)")
                    break
            else:
                result["s"] = containers.str_keyed(enc, state)
        else:
            result["state"] = enc.child(state, 0, " (state)")
    if slots:
        result["sl"] = containers.str_keyed(enc, slots)
    return result


_CODE_FACTORIES = (b"_create_code", b"_create_function", b"_create_type", b"_load_type",
                   b"_create_cell")


def _last_resort(enc, obj, index, error):
    """dill for a leaf value that pickle cannot take; never for code or classes."""
    if resources.raised_by_program(error) and not isinstance(error, TypeError):
        raise Refused(resources.failure_text(obj, error))  # its own reduction failed
    try:
        import dill

        data = dill.dumps(obj, protocol=4, byref=True, recurse=False)
    except Exception:
        raise Refused(resources.refusal_text(obj)) from None
    if any(name in data for name in _CODE_FACTORIES) or b"__main__" in data:
        raise Refused(resources.refusal_text(obj))
    try:
        pickle.loads(data)
    except Exception:
        raise Refused(resources.refusal_text(obj)) from None
    enc.dill_count += 1
    return {"t": "dill", "type": f"{type(obj).__module__}.{type(obj).__qualname__}",
            "b64": base64.b64encode(data).decode("ascii")}


def _dict(enc, obj, index):
    namespace = definitions.namespace_entry(enc, obj, index)
    if namespace is not None:
        return namespace
    return containers.dict_description(enc, obj)


_BY_TYPE = {
    list: containers.list_entry,
    tuple: containers.tuple_entry,
    set: containers.set_entry,
    frozenset: containers.frozenset_entry,
    dict: _dict,
    bytes: containers.bytes_entry,
    bytearray: containers.bytearray_entry,
    float: containers.float_entry,
    complex: containers.complex_entry,
    type({}.keys()): containers.dict_view_entry,
    type({}.values()): containers.dict_view_entry,
    type({}.items()): containers.dict_view_entry,
    types.MappingProxyType: containers.mappingproxy_entry,
    types.FunctionType: definitions.function_entry,
    types.MethodType: definitions.method_entry,
    types.CodeType: definitions.code_entry,
    types.ModuleType: definitions.module_entry,
    types.CellType: definitions.cell_entry,
    staticmethod: definitions.wrapper_entry,
    classmethod: definitions.wrapper_entry,
    property: definitions.property_entry,
    types.GeneratorType: frames.generator_entry,
    types.CoroutineType: frames.generator_entry,
    **stdlib_forms.BY_TYPE,
}


def register_loaded_forms() -> None:
    """Forms for the types of libraries framemig does not import itself, once the program
    has loaded them."""
    numpy_forms.register(_BY_TYPE)
    stdlib_forms.register_loaded(_BY_TYPE)
