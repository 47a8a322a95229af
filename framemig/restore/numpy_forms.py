"""numpy arrays made again from their compact form (see framemig/capture/numpy_forms.py)."""

from __future__ import annotations

import base64
import importlib

from framemig.errors import RestoreFailed


def _numpy():
    try:
        return importlib.import_module("numpy")
    except ImportError:
        raise RestoreFailed("the snapshot holds numpy arrays, and numpy is not installed "
                            "here") from None


def _shape(e) -> tuple[int, ...]:
    shape = e.get("shape")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise RestoreFailed("a numpy array entry has no valid shape")
    return tuple(shape)


def _dtype(numpy, descr):
    try:
        return numpy.lib.format.descr_to_dtype(descr)
    except Exception:
        raise RestoreFailed(f"numpy here has no dtype {descr!r}") from None


def ndarray(d, n, e):
    numpy = _numpy()
    yield from d.deps(n, [e["descr"], e.get("items")])
    dtype = _dtype(numpy, d.value(e["descr"]))
    shape, order = _shape(e), "F" if e.get("order") == "F" else "C"
    if "items" in e:
        items = d.value(e["items"])
        array = numpy.empty(shape, dtype=dtype, order=order)
        flat = array.reshape(-1, order=order)
        if len(items) != flat.size:
            raise RestoreFailed("a numpy array entry has the wrong number of items")
        for i, item in enumerate(items):
            flat[i] = item
    else:
        data = base64.b64decode(e["b64"])
        if len(data) != dtype.itemsize * int(numpy.prod(shape, dtype=numpy.int64)):
            raise RestoreFailed("a numpy array entry has the wrong number of bytes")
        array = numpy.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy(
            order=order)
    array.flags.writeable = bool(e.get("writeable", True))
    d.memo[n] = array


def ndarray_view(d, n, e):
    numpy = _numpy()
    yield from d.deps(n, [e["base"], e["descr"]])
    base = d.value(e["base"])
    if type(base) is not numpy.ndarray:
        raise RestoreFailed("a numpy view names no array")
    dtype = _dtype(numpy, d.value(e["descr"]))
    strides = e.get("strides")
    if not isinstance(strides, list) or not all(type(s) is int for s in strides):
        raise RestoreFailed("a numpy view entry has no valid strides")
    offset = e.get("offset")
    if type(offset) is not int or offset < 0:
        raise RestoreFailed("a numpy view entry has no valid offset")
    try:
        view = numpy.ndarray(_shape(e), dtype=dtype, buffer=base, offset=offset,
                             strides=tuple(strides))
    except (TypeError, ValueError) as exc:
        raise RestoreFailed(f"a numpy view does not fit in its array: {exc}") from None
    if not e.get("writeable", True):
        view.flags.writeable = False
    d.memo[n] = view


BUILDERS = {"ndarray": ndarray, "ndarray_view": ndarray_view}
