"""Type promotion between operands, as ``torch.result_type`` (float32 the default float).

Operands fall in three priority groups: tensors with dimensions, zero-dimensional tensors,
and Python (or NumPy) scalars. Within a group dtypes promote as torch's table (an integer
with a float gives that float: int64 with float16 is float16, not NumPy's float64). Across
groups a lower group only matters when its *category* (bool < integer < floating <
complex) is higher: ``int64 tensor * 0-d float64 tensor`` is float64, ``float32 tensor *
0-d float64 tensor`` stays float32. A scalar stands for the default dtype of its kind
(``float`` → float32, ``int`` → int64, ``complex`` → complex64), so ``int tensor * 1.5`` is
float32 and ``float32 tensor * np.float64(0.5)`` stays float32. NumPy arrays count as
tensors of their dtype.

:func:`result_type` is the one rule; :func:`promote` applies it to two operands with a
free fast path (same-dtype arrays, and the scalar cases where NumPy's own weak-scalar rule
already agrees), so ordinary float32 code pays one dtype comparison per op.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import check_pair, cpu_scalar_pair, device_of, is_array
from autograd.backend import to as to_device

_BOOL = np.dtype(np.bool_)
_INT64 = np.dtype(np.int64)
_FLOAT32 = np.dtype(np.float32)
_COMPLEX64 = np.dtype(np.complex64)
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


# NumPy converts a Python number operand to the array's dtype on every call (NEP 50's weak
# scalar), a third of a small op's time; a 0-d array of that dtype holding the same value
# computes the same thing in the same loop, and costs nothing more once made. Per float
# dtype: number -> its 0-d array, for the constants a program uses (cleared when large).
NUMBER_ARRAYS: dict = {}
_NUMBER_ARRAYS_MAX = 1024
_EXACT = 1 << 53  # ints up to here are exact as floats


def number_array(c: float | int, dtype: np.dtype) -> Any:
    """``c`` as a 0-d array of the float dtype ``dtype``, or None where NumPy's own
    conversion must stay in charge: other dtypes, zeros (0.0 and −0.0 are one dict key),
    ints beyond 2⁵³ and numbers the dtype cannot hold (overflow to ±inf, which NumPy may
    warn about)."""
    if dtype.kind != "f" or c == 0 or (c.__class__ is int and not -_EXACT < c < _EXACT):
        return None
    with np.errstate(all="ignore"):
        z = np.array(c, dtype)
    if not np.isfinite(z) and math.isfinite(c):
        return None
    z.flags.writeable = False  # shared by every op with this number: nothing may write it
    consts = NUMBER_ARRAYS.get(dtype)
    if consts is None or len(consts) >= _NUMBER_ARRAYS_MAX:
        consts = NUMBER_ARRAYS[dtype] = {}
    consts[c] = z
    return z


def _category(dt: np.dtype) -> int:
    return _CATEGORY.get(dt.kind, 1)


def _promote_types(a: np.dtype | None, b: np.dtype | None) -> np.dtype | None:
    """torch's promotion table for two dtypes of one priority group."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    ca, cb = _category(a), _category(b)
    if ca == cb:
        return np.promote_types(a, b)
    high, low = (a, b) if ca > cb else (b, a)
    if high.kind == "c" and low.kind == "f":  # complex keeps the float's precision
        return np.promote_types(high, np.result_type(low, np.complex64))
    return high


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A higher-priority group's dtype combined with a lower one's (torch's
    ``combine_categories``): the lower group only counts when its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    ch, cl = _category(higher), _category(lower)
    if ch == 3:
        return higher
    if cl == 3:
        return np.promote_types(lower, np.result_type(higher, np.complex64)) if ch == 2 \
            else lower
    if ch == 2:
        return higher
    if ch == 0 or cl == 2:
        return _promote_types(higher, lower)
    return higher


def _group(x: Any) -> tuple[int, np.dtype]:
    """(priority group, dtype): 2 for tensors/arrays with dims, 1 for 0-d ones, 0 for
    scalars (standing for the default dtype of their kind)."""
    arr = getattr(x, "_data", x)
    if is_array(arr):
        return (2 if arr.ndim else 1), arr.dtype
    if isinstance(x, bool | np.bool_):
        return 0, _BOOL
    if isinstance(x, int | np.integer):
        return 0, _INT64
    if isinstance(x, float | np.floating):
        return 0, _FLOAT32
    if isinstance(x, complex | np.complexfloating):
        return 0, _COMPLEX64
    arr = np.asarray(x)  # a list or other array-like: a tensor of NumPy's dtype for it
    return (2 if arr.ndim else 1), arr.dtype


def result_type(*operands: Any) -> np.dtype:
    """The dtype ``torch.result_type`` gives for these operands (Tensors, arrays, scalars)."""
    groups: list[np.dtype | None] = [None, None, None]
    for x in operands:
        g, dt = _group(x)
        groups[g] = _promote_types(groups[g], dt)
    return _combine(groups[2], _combine(groups[1], groups[0]))


_INT_RANGES: dict = {}  # integer dtype -> (lowest, highest)


def fits(c: int, dt: np.dtype) -> bool:
    """Whether the Python int ``c`` is a value of the integer dtype ``dt``."""
    bounds = _INT_RANGES.get(dt)
    if bounds is None:
        info = np.iinfo(dt)
        bounds = _INT_RANGES[dt] = (int(info.min), int(info.max))
    return bounds[0] <= c <= bounds[1]


def _cast(x: Any, dt: np.dtype) -> Any:
    if is_array(x):
        return x if x.dtype == dt else x.astype(dt)
    if x.__class__ is int and dt.kind in "iu" and not fits(x, dt):
        # torch wraps a number into the integer dtype (uint8 * -3 multiplies by 253), where
        # NumPy raises; beyond int64 both raise OverflowError
        return np.array(x, np.int64).astype(dt)[()]
    return dt.type(x)  # a scalar at the result dtype (torch casts it to the op's dtype)


def float_operands(x: Any, y: Any) -> tuple[Any, Any]:
    """The operands (arrays or numbers) of a function torch computes in floating point
    (``atan2``, ``hypot``, ``xlogy``, ``logaddexp``...) cast to their :func:`result_type`,
    or to float32 (the default float) where that is an integer or bool type. Both are cast,
    numbers included, so that NumPy's own rules cannot widen the result: a number beside a
    float32 tensor stays float32, and a 0-d float64 tensor beside an int64 one gives
    float64, as torch's."""
    dt = result_type(x, y)
    if dt.kind not in "fc":
        dt = _FLOAT32
    return _cast(x, dt), _cast(y, dt)


def promote(x: Any, y: Any) -> tuple[Any, Any]:
    """The two operands' arrays (or scalars) cast to their :func:`result_type`.

    ``x``/``y`` are arrays or scalars (a Tensor's ``_data`` already taken out). Free when
    both arrays share a dtype, or when one is a Python scalar NumPy already treats as
    torch does (a float with a floating array, an int with a non-bool array)."""
    cx, cy = x.__class__, y.__class__
    if cx is np.ndarray:
        if cy is np.ndarray:
            if x.dtype is y.dtype or x.dtype == y.dtype:
                return x, y
        elif (cy is float and x.dtype.kind in "fc") or (cy is int and (
                x.dtype.kind == "f" or x.dtype.kind in "iu" and fits(y, x.dtype))):
            return x, y
    elif cy is np.ndarray and ((cx is float and y.dtype.kind in "fc") or (cx is int and (
            y.dtype.kind == "f" or y.dtype.kind in "iu" and fits(x, y.dtype)))):
        return x, y
    check_pair(x, y)  # a host and a device array: torch's error (NumPy pairs never get here)
    dt = result_type(x, y)
    return _cast(x, dt), _cast(y, dt)


def cpu_scalar_operands(a: Any, b: Any, x: Any, y: Any) -> tuple[Any, Any, Any, Any]:
    """Operands ``a``, ``b`` (Tensors or constants) of a differentiable binary op whose
    arrays ``x``, ``y`` are of two classes: torch's CPU-scalar rule, a 0-d host tensor beside
    a device array moved to that device by a recorded copy (``Tensor.to``), so its gradient
    comes back to the host as torch's does; torch's RuntimeError for any other pair of
    devices (:func:`backend.cpu_scalar_pair`). Returns ``(a, b, x, y)`` after the move."""
    if not cpu_scalar_pair(x, y):
        return a, b, x, y
    if x.__class__ is np.ndarray:
        a = a.to(device_of(y)) if hasattr(a, "_data") else to_device(x, device_of(y))
        return a, b, getattr(a, "_data", a), y
    b = b.to(device_of(x)) if hasattr(b, "_data") else to_device(y, device_of(x))
    return a, b, x, getattr(b, "_data", b)


def cpu_scalars_moved(*operands: Any) -> tuple:
    """torch's CPU-scalar rule for ops of several operands (``where``, ``maximum``, clamp's
    bounds, ``lerp``, ``atan2``, ``//``...): when an operand is a device tensor, every 0-d
    host Tensor among the operands is moved there by a recorded copy (``Tensor.to``), so its
    gradient comes back to the host as torch's does. Anything else is returned as it is
    (a host tensor with dimensions beside a device one still raises torch's RuntimeError in
    the op). All host arrays: the operands unchanged, after a class test each."""
    device = None
    for t in operands:
        d = getattr(t, "_data", None)
        if d is not None and d.__class__ is not np.ndarray:
            device = device_of(d)
            break
    if device is None:
        return operands
    return tuple(t.to(device) if getattr(t, "_data", None).__class__ is np.ndarray
                 and t._data.ndim == 0 else t for t in operands)


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def torch_name(dtype: Any) -> str:
    """torch's name for a dtype in its error messages (``Float``, ``Long``...)."""
    name = np.dtype(dtype).name
    return _TORCH_NAMES.get(name, name)


def same_dtype(op: str, what: str, x: np.ndarray, y: np.ndarray) -> None:
    """Raise torch's RuntimeError when two operands that do not promote (matmul's, linear's)
    differ in dtype: ``"{what} must have the same dtype, but got Long and Float"``."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"{op}: {what} must have the same dtype, but got "
                           f"{torch_name(x.dtype)} and {torch_name(y.dtype)}")
