"""numpy arrays in a compact form: raw bytes, dtype and shape — the form ``np.save`` uses —
instead of pickle's reduction (a module path that moved between numpy 1 and 2, a tuple
of flags); views as where they look into the array they share memory with.

framemig never imports numpy: the form is used only when the program has loaded it.

- An array that owns its memory (or sits on a buffer that is not an array) is one entry:
  ``dtype`` as ``np.lib.format.dtype_to_descr`` gives it (byte order and fields
  included), ``shape``, the memory order, and its bytes in base64. An array of Python
  objects lists its items instead, each an object of the snapshot.
- A view of such an array (a slice, a transpose, a reshape) names that array and gives
  its byte offset, shape, strides and dtype: after a restore the two still share memory,
  as the program's code expects when it writes through one and reads the other.
"""

from __future__ import annotations

import base64
import sys

from framemig.capture.refusal import Refused


def register(table: dict) -> None:
    """Add the forms to an encoder's table of forms by type, if numpy is loaded."""
    numpy = sys.modules.get("numpy")
    ndarray = getattr(numpy, "ndarray", None)
    if isinstance(ndarray, type) and ndarray not in table:
        table[ndarray] = ndarray_entry


def _address(array) -> int:
    return array.__array_interface__["data"][0]


def _owner(array):
    """The array whose memory ``array`` looks into (itself if it owns its memory, or sits
    on another kind of buffer)."""
    numpy = sys.modules["numpy"]
    owner = array
    while isinstance(owner.base, numpy.ndarray) and type(owner.base) is numpy.ndarray:
        owner = owner.base
    return owner


def _descr(array):
    numpy = sys.modules["numpy"]
    try:
        return numpy.lib.format.dtype_to_descr(array.dtype)
    except (ValueError, TypeError):
        raise Refused(f"is a numpy array of dtype {array.dtype}, which has no portable "
                      f"description") from None


def ndarray_entry(enc, array, index) -> dict:
    owner = _owner(array)
    if owner is not array and owner.flags.c_contiguous | owner.flags.f_contiguous:
        return {
            "t": "ndarray_view",
            "base": enc.child(owner, index, ".base"),
            "offset": _address(array) - _address(owner) if array.size else 0,
            "shape": list(array.shape),
            "strides": list(array.strides),
            "descr": enc.child(_descr(array), index, ".dtype"),
            "writeable": bool(array.flags.writeable),
        }
    order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
    result = {"t": "ndarray", "descr": enc.child(_descr(array), index, ".dtype"),
              "shape": list(array.shape), "order": order,
              "writeable": bool(array.flags.writeable)}
    if array.dtype.hasobject:
        if array.dtype.fields is not None or array.dtype.subdtype is not None:
            raise Refused("is a numpy array of records holding Python objects")
        result["items"] = enc.child(array.ravel(order=order).tolist() if array.ndim else
                                    [array.item()], index, " (items)")
    else:
        result["b64"] = base64.b64encode(array.tobytes(order=order)).decode("ascii")
    return result
