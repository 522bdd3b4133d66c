"""Tensor constructors with torch's signatures: ``*size`` or a shape tuple,
``dtype=``, ``requires_grad=``. Floats default to float32."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import backend
from autograd.dims import Size as Size  # torch.Size, re-exported here as it always was
from autograd.dims import size_args, size_tuple
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _check_int_range, _wrap

DEFAULT_FLOAT = np.float32


def _make(data: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    """A leaf around ``data`` (made on the host), moved to ``device`` when given."""
    if device is not None or backend._Default.device is not None:
        data = backend.to(data, backend.default_device(device))
    t = _wrap(data, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None,
           device: Any = None) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (as ``Tensor(...)``), on ``device``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor that shares memory with the NumPy array ``a``."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(a).__name__}")
    return _wrap(a, None)


def zeros(*args: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _make(np.zeros(size_args(args, size, "zeros"), dtype=dtype or DEFAULT_FLOAT),
                 requires_grad, device)


def ones(*args: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _make(np.ones(size_args(args, size, "ones"), dtype=dtype or DEFAULT_FLOAT),
                 requires_grad, device)


def empty(*args: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _make(np.empty(size_args(args, size, "empty"), dtype=dtype or DEFAULT_FLOAT),
                 requires_grad, device)


def _fill_dtype(fill_value: Any) -> np.dtype:
    """torch's dtype for a fill value: bool, int64 for an integer, the default float for
    a float (a NumPy float64 scalar too), complex64 for a complex."""
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    if isinstance(fill_value, bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(fill_value, int | np.integer):
        return np.dtype(np.int64)
    if isinstance(fill_value, complex | np.complexfloating):
        return np.dtype(np.complex64)
    return np.dtype(DEFAULT_FLOAT)


def _check_fits(value: Any, dt: np.dtype) -> Any:
    """``value`` as a fill of the integer dtype ``dt``, or torch's overflow error (the rule
    of ``tensor()``: an unsigned type takes negative ints down to −max, wrapping); other
    dtypes' values as they are."""
    if dt.kind in "iu" and not isinstance(value, bool | np.bool_):
        v = value.item() if isinstance(value, Tensor | np.generic) else value
        if isinstance(v, int | float):
            big = isinstance(v, int) and not -(1 << 63) <= v < 1 << 63
            _check_int_range(np.asarray(float(v) if big else v), dt)
            return np.asarray(v).astype(dt)[()]  # (a negative int wraps, as in tensor())
    return value


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """``size`` filled with ``fill_value``; an int fill gives int64, a bool fill bool, a
    float fill the default float (float32), as torch."""
    dt = _fill_dtype(fill_value) if dtype is None else np.dtype(dtype)
    fill_value = _check_fits(fill_value, dt)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = size_tuple((size,), "full")
    return _make(np.full(shape, fill_value, dtype=dt), requires_grad, device)


def _number(v: Any) -> Any:
    return v.item() if isinstance(v, Tensor) else v


def arange(start: Any = None, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """``[start, end)`` in steps; int arguments give int64, floats float32 (as torch).

    As torch, the length is ceil((end - start) / step) and value i is start + i·step,
    computed in the output's kind: for an integer dtype start and step are first
    truncated to integers (``arange(1, 2.5, 0.5, dtype=int32)`` is [1, 1, 1]); for int64
    end too, before the length is counted (``arange(0, 4.5, dtype=int64)`` is [0, 1, 2, 3],
    a step of 0.5 raises)."""
    if end is None:
        start, end = 0, start
    elif start is None:
        start = 0
    if start is None or end is None:
        raise TypeError("arange() missing required argument 'end'")
    start, end, step = _number(start), _number(end), _number(step)
    if dtype is None:
        is_int = all(isinstance(v, int | np.integer) for v in (start, end, step))
        dtype = np.int64 if is_int else DEFAULT_FLOAT
    dt = np.dtype(dtype)
    if dt == np.int64:  # torch truncates all three to int64 first and counts in integers
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt == np.int64:  # ceil((end - start) / step), exactly: arange(0, 4.5, dtype=int64) has 4
        n = -((start - end) // step)
    else:
        n = math.ceil((float(end) - float(start)) / float(step))
    return _make(_progression(start, step, n, dt), requires_grad, device)


def _progression(start: Any, step: Any, n: int, dt: np.dtype) -> np.ndarray:
    """start + i·step for i < n, computed in the output's kind (integers: start and step
    truncated first, as torch)."""
    if dt.kind in "iub":
        return (int(start) + int(step) * np.arange(n, dtype=np.int64)).astype(dt)
    return (np.float64(start) + np.float64(step) * np.arange(n, dtype=np.float64)).astype(dt)


def deprecated_range(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None,
                     layout: Any = None, device: Any = None,
                     requires_grad: bool = False) -> Tensor:
    """torch.range, deprecated there and warned of as torch's: start, start + step, ... up
    to and including ``end`` (⌊(end − start) / step⌋ + 1 values), of the default float
    dtype unless ``dtype`` says otherwise, value i computed as ``arange``'s."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.floor((float(end) - float(start)) / float(step)) + 1
    return _make(_progression(start, step, n, np.dtype(dtype or DEFAULT_FLOAT)),
                 requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    if n < 0 or m is not None and m < 0:
        raise RuntimeError(f"n and m must be greater or equal to 0, got n={n}, m={m}")
    return _make(np.eye(n, m, dtype=dtype or DEFAULT_FLOAT), requires_grad, device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad,
                 device if device is not None else t.device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad,
                 device if device is not None else t.device)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """An uninitialised tensor with ``t``'s shape and dtype."""
    return _make(np.empty(t.shape, dtype=dtype or t.dtype), requires_grad,
                 device if device is not None else t.device)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """``t``'s shape and dtype (unless ``dtype``), filled with ``fill_value`` (cast to the
    dtype, as torch: ``full_like(int_tensor, 2.7)`` holds 2)."""
    return _make(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad,
                 device if device is not None else t.device)


def _steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _linspace(start: Any, end: Any, steps: int, dt: np.dtype) -> np.ndarray:
    # torch's kernel: the first half counts up from start, the second half down from
    # end (both ends exact, the grid symmetric), with a fused multiply-add; for float32
    # and float16 the product and sum in float64 then one rounding give the same result.
    if steps == 1:
        return np.full(1, start, dtype=dt)
    st = dt if dt.kind == "f" else np.dtype(np.float64)  # the step's dtype, as torch
    if dt.kind in "iu":  # torch first converts the ends to the integer dtype
        start, end = dt.type(start), dt.type(end)
    lo, hi = st.type(start), st.type(end)
    step = (hi - lo) / st.type(steps - 1)
    wide = np.float64
    i = np.arange(steps, dtype=wide)
    up = wide(lo) + wide(step) * i
    down = wide(hi) - wide(step) * (steps - 1 - i)
    return np.where(i < steps // 2, up, down).astype(st).astype(dt, copy=False)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive; float32 unless
    ``dtype``: value i is start + i·(end − start)/(steps − 1)."""
    n = _steps(steps)
    dt = np.dtype(dtype or DEFAULT_FLOAT)
    return _make(_linspace(start, end, n, dt), requires_grad, device)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """``base ** linspace(start, end, steps)``; float32 unless ``dtype``. As torch, the
    exponents and the power are computed in float64 from start and end rounded to the
    output dtype, then rounded once."""
    n = _steps(steps)
    dt = np.dtype(dtype or DEFAULT_FLOAT)
    if n == 1:
        return _make(np.full(1, float(base) ** float(start)).astype(dt), requires_grad, device)
    st = dt if dt.kind == "f" else np.dtype(np.float64)
    if dt.kind in "iu":  # torch first converts the ends to the integer dtype
        start, end = dt.type(start), dt.type(end)
    lo, hi = np.float64(st.type(start)), np.float64(st.type(end))
    step = np.float64(st.type(end) - st.type(start)) / (n - 1)
    i = np.arange(n, dtype=np.float64)
    exps = np.where(i < n // 2, lo + step * i, hi - step * (n - 1 - i))
    return _make(np.power(float(base), exps).astype(dt), requires_grad, device)


def scalar_tensor(s: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype``
    says otherwise (torch.scalar_tensor: an int or a bool too)."""
    value = s.item() if isinstance(s, Tensor) else s
    return _make(np.array(value, dtype=dtype or DEFAULT_FLOAT), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor without a copy where possible (torch's ``as_tensor``): a Tensor
    of that dtype and device is returned itself, a NumPy array of that dtype is shared (a
    change to one shows in the other); anything else is converted as ``tensor()`` does."""
    dt = None if dtype is None else np.dtype(dtype)
    if isinstance(data, Tensor):
        if (dt is None or dt == data.dtype) and (device is None or
                                                 backend.as_device(device) == data.device):
            return data
        return data.to(dtype=dt or data.dtype, device=device or data.device)
    if isinstance(data, np.ndarray) and (dt is None or dt == data.dtype) and \
            data.dtype.kind in "biufc" and device is None and backend._Default.device is None:
        return _wrap(data, None)
    return Tensor(data, dtype=dt, device=device)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """torch.asarray: ``obj`` as a tensor, sharing memory where it can (:func:`as_tensor`: a
    Tensor of that dtype and device is returned itself, with its graph; a NumPy array of
    that dtype is shared). ``copy=True`` always copies (a Tensor's copy is recorded, as
    ``clone``); ``copy=False`` raises ValueError where only a copy would do (torch's
    message). ``requires_grad=True`` makes a new leaf require grad."""
    out = as_tensor(obj, dtype=dtype, device=device)
    shared = out is obj or isinstance(obj, np.ndarray) and out._data is obj
    if copy is False and not shared and isinstance(obj, Tensor | np.ndarray):
        have = obj.dtype if isinstance(obj, Tensor) else np.dtype(obj.dtype)
        raise ValueError(f"can't alias tensor with dtype '{torch_name(have)}' into "
                         f"dtype '{torch_name(out.dtype)}'.")
    if copy and shared:
        out = out.clone() if isinstance(obj, Tensor) else Tensor(obj, dtype=dtype)
    if requires_grad and not out.requires_grad:
        out.requires_grad_(True)
    return out


def get_default_dtype() -> Any:
    """The dtype Python floats become: float32 (chainrule's fixed default)."""
    return DEFAULT_FLOAT


def set_default_dtype(d: Any) -> None:
    """Only float32, the fixed default, is accepted: anything else raises, rather than a
    program silently computing in float32 where it asked for float64."""
    if np.dtype(d) != np.dtype(DEFAULT_FLOAT):
        raise NotImplementedError(
            f"set_default_dtype({np.dtype(d)}): chainrule's default float dtype is float32 "
            "and cannot be changed; pass dtype= to the factories (ag.tensor(..., "
            "dtype=ag.float64)) or cast with .double()")
