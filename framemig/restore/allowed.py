"""What the object table may call while a program is rebuilt.

A snapshot's object table is data; rebuilding an object pickle's way calls the
constructor its entry names (``reduce``). So that a snapshot cannot make a restore run
code it does not visibly carry, a constructor is called only if it is

- one framemig knows to build a value and nothing else (``ALLOWED``, below: the
  containers, dates, numbers, paths and helpers that pickle's own reductions name), or
- defined by the program itself, in a module whose source the snapshot carries (that
  code is in the snapshot for anyone to read, and it runs anyway once the program goes
  on), or
- anything else a library offers, **only** in a snapshot signed with the fleet key:
  whoever holds that key can run any program on the fleet already, so a signed snapshot
  is trusted as a ``run`` is. An unsigned one (``restore --trust-unsigned``) never has a
  library function called (``os.system``, ``builtins.exec``, ``subprocess.Popen``).

The same goes for state setters, and for dill payloads (which run what they hold): only
from signed snapshots.
"""

from __future__ import annotations

import sys
import types

from framemig.errors import Untrusted

# (module, names): constructors that make a value from values, touch nothing outside
# the process and call nothing they are given while they build
ALLOWED_NAMES = {
    "builtins": "object int float complex str bytes bytearray bool list tuple dict set "
                "frozenset slice range getattr property staticmethod classmethod "
                "enumerate reversed zip map filter memoryview iter",
    "random": "Random",
    "copyreg": "_reconstructor __newobj__ __newobj_ex__",
    "collections": "OrderedDict deque defaultdict Counter ChainMap UserDict UserList "
                   "UserString",
    "datetime": "date time datetime timedelta timezone",
    "decimal": "Decimal Context",
    "fractions": "Fraction",
    "uuid": "UUID",
    "functools": "partial partialmethod",
    "operator": "attrgetter itemgetter methodcaller",
    "re": "_compile",
    "array": "array _array_reconstructor",
    "types": "SimpleNamespace MappingProxyType",
    "pathlib": "PurePath PurePosixPath PureWindowsPath Path PosixPath",
    "ipaddress": "IPv4Address IPv6Address IPv4Network IPv6Network IPv4Interface "
                 "IPv6Interface",
    "struct": "Struct",
    "string": "Template",
    "itertools": "count cycle repeat islice chain compress dropwhile takewhile "
                 "filterfalse zip_longest product permutations combinations "
                 "combinations_with_replacement accumulate groupby tee",
    "_codecs": "encode",
    "codecs": "encode",
    "zoneinfo": "ZoneInfo",
    "numpy": "ndarray dtype",
    "numpy.core.multiarray": "_reconstruct scalar",
    "numpy._core.multiarray": "_reconstruct scalar",
}


_scanned: set[str] = set()  # the modules of ALLOWED_NAMES whose objects are in _ids
_ids: set[int] = set()


def _allowed_ids() -> set[int]:
    """The ids of the allowed constructors, of the modules imported so far: a callable
    from a module not imported yet cannot be at hand (the decoder imports a global's
    module to reach it), and importing them all here would load numpy into every
    restored program — a ``sys.modules`` the original never had, and 0.2 s."""
    if len(_scanned) < len(ALLOWED_NAMES):
        for module_name, names in ALLOWED_NAMES.items():
            module = sys.modules.get(module_name)
            if module_name in _scanned or module is None or \
                    getattr(getattr(module, "__spec__", None), "_initializing", False):
                continue  # (a module still being imported: its names may come later)
            _scanned.add(module_name)
            for name in names.split():
                obj = getattr(module, name, None)
                if obj is not None:
                    _ids.add(id(obj))
    return _ids


def _program_defined(fn, context) -> bool:
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    if not isinstance(fn, (type, types.FunctionType)):
        return False
    module = getattr(fn, "__module__", None)
    return isinstance(module, str) and context.is_program_module(module)


def named(fn) -> str:
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if isinstance(module, str) and isinstance(name, str):
        return f"{module}.{name}"
    return f"a {type(fn).__name__} object"


def check_call(fn, context, what: str) -> None:
    """Raise ``Untrusted`` unless rebuilding may call ``fn`` (see the module's text);
    ``what`` says what the call is for, for the one-line refusal."""
    if id(fn) in _allowed_ids() or context.signed or _program_defined(fn, context):
        return
    raise Untrusted(f"{what} would call {named(fn)}, which only a snapshot signed with "
                    f"the fleet key may ask for (this one is not signed)")


def check_dill(context, type_name) -> None:
    if not context.signed:
        raise Untrusted(f"a {type_name} value is a dill payload, which is loaded only "
                        f"from a snapshot signed with the fleet key (this one is not)")
