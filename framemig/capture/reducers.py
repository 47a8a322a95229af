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
import pickle
import types

from framemig.capture import containers, definitions, frames, resources
from framemig.capture.definitions import global_entry, library_global_name
from framemig.capture.refusal import Refused


def entry(enc, obj, index: int) -> dict:
    kind = type(obj)
    handler = _BY_TYPE.get(kind)
    if handler is not None:
        return handler(enc, obj, index)
    plain = enc.plain_classes.get(kind)
    if plain is None:
        plain = enc.plain_classes[kind] = _is_plain_program_class(enc, kind)
    if plain:  # the fast path for the program's own instances
        return plain_instance(enc, kind, obj.__getstate__())
    if isinstance(obj, type):
        return definitions.class_entry(enc, obj, index)
    special = resources.entry(enc, obj, index)
    if special is not None:
        return special
    if isinstance(obj, BaseException):
        return _exception(enc, obj, index)
    if isinstance(obj, enum.Enum):
        return {"t": "enum_member", "cls": enc.child(kind, index, ".__class__"),
                "name": obj._name_}
    name = library_global_name(enc.world, obj)
    if name is not None:
        return global_entry(*name)
    return _reduce(enc, obj, index)


def _exception(enc, exc, index):
    return {
        "t": "exception",
        "cls": enc.child(type(exc), index, ".__class__"),
        "args": enc.child(exc.args, index, ".args"),
        "dict": enc.child(exc.__dict__, index, ".__dict__") if exc.__dict__ else None,
        "cause": enc.child(exc.__cause__, index, ".__cause__"),
        "context": enc.child(exc.__context__, index, ".__context__"),
        "suppress": exc.__suppress_context__,
    }


def _reduce(enc, obj, index):
    reducer = copyreg.dispatch_table.get(type(obj))
    try:
        if reducer is not None:
            value = reducer(obj)
        else:
            reduce_ex = getattr(obj, "__reduce_ex__", None)
            if reduce_ex is None:
                raise TypeError(f"cannot pickle {type(obj).__name__!r} object")
            value = reduce_ex(4)
    except Exception as exc:
        return _last_resort(enc, obj, index, exc)
    if isinstance(value, str):
        module = getattr(obj, "__module__", None) or type(obj).__module__
        return global_entry(module, value)
    value = tuple(value) + (None,) * (6 - len(value))
    func, args, state, listitems, dictitems, setter = value[:6]
    if func is copyreg.__newobj__ and len(args) == 1 and listitems is None and \
            dictitems is None and setter is None:
        return plain_instance(enc, args[0], state)
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


def _is_plain_program_class(enc, cls) -> bool:
    """Instances pickle would save as class + ``__getstate__()``, with nothing else to
    check: a program class, no custom reduction, no special base."""
    if cls.__module__ not in enc.world.program_modules or isinstance(cls, type(enum.Enum)):
        return False
    if copyreg.dispatch_table.get(cls) is not None:
        return False
    for name in ("__reduce_ex__", "__reduce__"):
        if getattr(cls, name) is not getattr(object, name):
            return False
    if getattr(cls, "__getnewargs_ex__", None) or getattr(cls, "__getnewargs__", None):
        return False
    return all(base in _PLAIN_BASES or _is_plain_program_class(enc, base)
               for base in cls.__mro__[1:])


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
}
