"""Predicates, truth reductions and logical ops: bool results, never differentiable.

``isclose allclose equal isfinite isnan isinf``, ``all any`` (over ``dim`` and ``keepdim``
as torch), ``logical_and/or/not/xor``, and the function forms of the comparisons
(``eq ne lt le gt ge`` with torch's aliases ``greater``, ``less_equal``...). Operands may
be Tensors, arrays or Python numbers; results are bool tensors with no graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import asarray
from autograd.errors import ShapeError
from autograd.ops.arith import eq, ge, gt, le, lt, ne
from autograd.ops.record import array_of
from autograd.ops.reduce import axes_of
from autograd.tensor import Tensor, _wrap


def _bool(out: Any) -> Tensor:
    return _wrap(asarray(out), None)


def _check_same_dtype(name: str, a: Any, b: Any) -> None:
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype != b.dtype:
        raise RuntimeError(f"{name}(): expected both tensors to have the same dtype, but got "
                           f"{a.dtype} and {b.dtype}")


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol·|other| elementwise (equal infinities are close; NaNs
    only with ``equal_nan``)."""
    _check_same_dtype("isclose", input, other)
    return _bool(np.isclose(array_of(input), array_of(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    _check_same_dtype("allclose", input, other)
    return bool(np.allclose(array_of(input), array_of(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both have the same shape and the same elements (False for other shapes)."""
    a, b = array_of(input), array_of(other)
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))


def isfinite(input: Tensor) -> Tensor:
    return _bool(np.isfinite(input._data))


def isnan(input: Tensor) -> Tensor:
    return _bool(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return _bool(np.isinf(input._data))


def isposinf(input: Tensor) -> Tensor:
    return _bool(np.isposinf(input._data))


def isneginf(input: Tensor) -> Tensor:
    return _bool(np.isneginf(input._data))


def _truth(fn, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    d = input._data
    axes = axes_of(dim, d.ndim)
    out = fn(d, axis=axes, keepdims=keepdim)
    # torch keeps uint8 for uint8 inputs, bool for everything else
    return _bool(asarray(out, dtype=np.uint8 if d.dtype == np.uint8 else np.bool_))


def all(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Whether all elements (over ``dim``: int or tuple, None for all) are nonzero."""
    dim = axis if dim is None else dim
    return _truth(np.all, input, dim, keepdim if keepdims is None else keepdims)


def any(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Whether any element (over ``dim``: int or tuple, None for all) is nonzero."""
    dim = axis if dim is None else dim
    return _truth(np.any, input, dim, keepdim if keepdims is None else keepdims)


def _logical(fn):
    def op(input: Any, other: Any) -> Tensor:
        try:
            return _bool(fn(array_of(input), array_of(other)))
        except ValueError:
            raise ShapeError(f"{fn.__name__}: shapes {np.shape(array_of(input))} and "
                             f"{np.shape(array_of(other))} cannot be broadcast together") from None
    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise {fn.__name__} of the operands' truth values (a bool tensor)."
    return op


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)


def logical_not(input: Tensor) -> Tensor:
    """Elementwise not of the truth values (a bool tensor)."""
    return _bool(np.logical_not(input._data))


# torch's aliases of the comparisons
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
__all__ = [
    "all", "allclose", "any", "eq", "equal", "ge", "greater", "greater_equal", "gt", "isclose",
    "isfinite", "isinf", "isnan", "isneginf", "isposinf", "le", "less", "less_equal",
    "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "ne", "not_equal",
]
