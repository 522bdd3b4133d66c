"""Tensor constructors with torch's signatures: ``*size`` or a shape tuple,
``dtype=``, ``requires_grad=``. Floats default to float32."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.random import generator
from autograd.tensor import Tensor, _as_array, _wrap

DEFAULT_FLOAT = np.float32


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _make(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(data, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (as ``Tensor(...)``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor that shares memory with the NumPy array ``a``."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(a).__name__}")
    return _wrap(a, None)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_size(size), dtype=dtype or DEFAULT_FLOAT), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_size(size), dtype=dtype or DEFAULT_FLOAT), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(_size(size), dtype=dtype or DEFAULT_FLOAT), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``size`` filled with ``fill_value``; an int fill gives int64, a bool fill bool."""
    if dtype is None:
        dtype = _as_array(fill_value).dtype
    shape = (int(size),) if isinstance(size, int) else tuple(int(s) for s in size)
    return _make(np.full(shape, fill_value, dtype=dtype), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dt = np.dtype(dtype or DEFAULT_FLOAT)
    data = generator().standard_normal(_size(size), dtype=dt if dt in (np.float32, np.float64)
                                       else np.float64).astype(dt, copy=False)
    return _make(data, requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = np.dtype(dtype or DEFAULT_FLOAT)
    data = generator().random(_size(size), dtype=dt if dt in (np.float32, np.float64)
                              else np.float64).astype(dt, copy=False)
    return _make(data, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int arguments give int64, floats float32 (as torch)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, int | np.integer) for v in (start, end, step))
        dtype = np.int64 if is_int else DEFAULT_FLOAT
    return _make(np.arange(start, end, step).astype(dtype, copy=False), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=dtype or DEFAULT_FLOAT), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
