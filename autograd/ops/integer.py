"""Integer and bool tensors: the operators ``// % ~ & | ^ << >>``, ``div`` with
``rounding_mode``, and counting (``bincount``, ``histc``, ``histogram``).

As torch: ``//`` is floor division (torch ≥ 1.13), ``%`` Python's remainder (the sign of
the divisor; ``autograd.ops.elementary.remainder``, differentiable for floats), ``~`` on
bool is logical not, bitwise ops refuse floating tensors, integer division by zero raises.
Counts and floor divisions are piecewise constant: their results carry no graph (torch's
``histc`` does the same); ``bincount`` with ``weights`` that require grad, whose derivative
torch does not implement either, raises rather than silently dropping that gradient.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.backend import asarray
from autograd.graph import STATE, Node
from autograd.ops.arith import _compute, _reduce
from autograd.ops.arith import div as true_div
from autograd.ops.elementary import remainder
from autograd.ops.record import array_of, binary
from autograd.promotion import cpu_scalars_moved
from autograd.tensor import Tensor, _wrap


def _check_int_divisor(name: str, a: Any, b: Any) -> None:
    x, y = asarray(array_of(a)), asarray(array_of(b))
    if x.dtype.kind in "iub" and y.dtype.kind in "iub" and not np.all(y):
        raise RuntimeError(f"ZeroDivisionError: integer {name} by zero")


def floor_divide(input: Any, other: Any) -> Tensor:
    """⌊input / other⌋ elementwise (``//``: floor division, as Python and torch ≥ 1.13);
    no gradient."""
    input, other = cpu_scalars_moved(input, other)
    _check_int_divisor("division", input, other)
    with np.errstate(divide="ignore", invalid="ignore"):  # float x // 0 is ±inf/nan, quietly
        return _wrap(_compute(np.floor_divide, input, other), None)


def _trunc_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.result_type(a, b).kind in "fc":
        return np.trunc(np.true_divide(a, b))
    q = np.floor_divide(a, b)
    # floor and trunc differ where the quotient is negative and inexact
    return q + ((np.remainder(a, b) != 0) & ((asarray(a) < 0) != (asarray(b) < 0)))


class RoundedDivBackward(Node):
    """z = trunc(a / b) or floor(a / b) (piecewise constant);  da = 0, db = 0 (as torch)."""

    def vjp(self, g, xp):
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g * 0, sa, xp) if e[0] is not None else None,
                _reduce(g * 0, sb, xp) if e[1] is not None else None)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; ``rounding_mode='trunc'`` rounds the quotient toward zero,
    ``'floor'`` down (integer results for integer operands; zero gradient)."""
    if rounding_mode is None:
        return true_div(input, other)
    if rounding_mode == "floor":
        fn = np.floor_divide
    elif rounding_mode == "trunc":
        fn = _trunc_divide
    else:
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found {rounding_mode!r}")
    _check_int_divisor("division", input, other)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _compute(fn, input, other)
    if out.dtype.kind not in "fc":
        return _wrap(out, None)
    return binary(RoundedDivBackward, out, input, other)


def _integral(name: str, fn, a: Any, b: Any) -> Tensor:
    for v in (a, b):
        if asarray(array_of(v)).dtype.kind not in "iub":
            raise NotImplementedError(f'"{name}" not implemented for floating-point tensors '
                                      f"(dtype {asarray(array_of(v)).dtype}): only integer "
                                      "and bool tensors")
    return _wrap(_compute(fn, a, b), None)


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _integral("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _integral("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _integral("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    return _integral("bitwise_left_shift", np.left_shift, input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    return _integral("bitwise_right_shift", np.right_shift, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """~x: bitwise not of integers, logical not of bools."""
    d = input._data
    if d.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got dtype {d.dtype}")
    return _wrap(np.invert(d), None)


def _remainder_op(input: Any, other: Any) -> Tensor:
    input, other = cpu_scalars_moved(input, other)
    _check_int_divisor("modulo", input, other)
    return remainder(input, other)


def _reflected(fn):
    def op(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)
    op.__name__ = f"r{fn.__name__}"
    return op


OPERATORS = {
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__mod__": _remainder_op, "__rmod__": _reflected(_remainder_op),
    "__invert__": bitwise_not,
    "__and__": bitwise_and, "__rand__": _reflected(bitwise_and),
    "__or__": bitwise_or, "__ror__": _reflected(bitwise_or),
    "__xor__": bitwise_xor, "__rxor__": _reflected(bitwise_xor),
    "__lshift__": bitwise_left_shift, "__rlshift__": _reflected(bitwise_left_shift),
    "__rshift__": bitwise_right_shift, "__rrshift__": _reflected(bitwise_right_shift),
}


# -- counting ---------------------------------------------------------------------------------
def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    """Count of each value 0..max(input) of a 1-d non-negative integer tensor (summed
    ``weights`` instead of ones when given); at least ``minlength`` bins."""
    d = input._data
    if d.ndim != 1 or d.dtype.kind not in "iub" or (d.size and d.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got "
                           f"shape {d.shape} and dtype {d.dtype}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return _wrap(np.bincount(d, minlength=minlength).astype(np.int64, copy=False), None)
    if isinstance(weights, Tensor) and weights.requires_grad and STATE.grad_enabled:
        raise RuntimeError("the derivative for 'bincount' is not implemented (weights "
                           "requires grad): pass weights.detach()")
    w = asarray(array_of(weights))
    if w.shape != d.shape:
        raise RuntimeError(f"bincount: weights should be 1-d and have the same length as "
                           f"input, got shapes {w.shape} and {d.shape}")
    dtype = w.dtype if w.dtype.kind == "f" else np.float64
    return _wrap(np.bincount(d, weights=w, minlength=minlength).astype(dtype), None)


def _linspace_edges(lo: float, hi: float, bins: int, dtype: np.dtype) -> np.ndarray:
    """bins + 1 edges from lo to hi as torch's linspace computes them (from each end)."""
    step = (hi - lo) / bins
    i = np.arange(bins + 1)
    half = (bins + 1) // 2
    edges = np.where(i < half, lo + step * i, hi - step * (bins - i))
    return edges.astype(dtype)


def _count(d: np.ndarray, edges: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Sum of weights (or counts) per bin [eᵢ, eᵢ₊₁), the last bin closed on the right;
    values outside the edges (and NaN) are left out."""
    x = d.reshape(-1)
    inside = (x >= edges[0]) & (x <= edges[-1])
    x = x[inside]
    idx = np.searchsorted(edges, x, side="right") - 1
    idx[idx == len(edges) - 1] = len(edges) - 2
    wts = None if w is None else w.reshape(-1)[inside]
    return np.bincount(idx, weights=wts, minlength=len(edges) - 1)


def _float_input(name: str, d: np.ndarray) -> None:
    if d.dtype.kind != "f":
        raise RuntimeError(f"{name}: input must be a floating-point tensor, got dtype {d.dtype}")


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Histogram of ``bins`` equal bins over [min, max] (the data's range when min = max;
    values outside are ignored); the input's dtype; no gradient."""
    d = input._data
    _float_input("histc", d)
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"histc: max must be larger than min, got min={lo}, max={hi}")
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"histc: range of [{lo}, {hi}] is not finite")
    edges = _linspace_edges(lo, hi, bins, d.dtype)
    return _wrap(_count(d, edges, None).astype(d.dtype), None)


class HistogramResult(NamedTuple):
    """What :func:`histogram` returns (torch.return_types.histogram)."""

    hist: Tensor
    bin_edges: Tensor


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None,  # noqa: A002
              weight: Any = None, density: bool = False) -> HistogramResult:
    """(hist, bin_edges): ``bins`` equal bins over ``range`` (default the data's min, max)
    or the given increasing edges; ``weight`` sums weights per bin; ``density`` divides by
    the total and the bin widths (the histogram integrates to 1). No gradient."""
    d = input._data
    _float_input("histogram", d)
    if isinstance(weight, Tensor) and weight.requires_grad and STATE.grad_enabled:
        raise RuntimeError("the derivative for 'histogram' is not implemented (weight "
                           "requires grad): pass weight.detach()")
    if isinstance(bins, Tensor | np.ndarray | list | tuple):
        edges = asarray(array_of(bins), dtype=d.dtype)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) < 0):
            raise RuntimeError("histogram: bins must be a 1-d tensor of at least 2 "
                               "increasing edges")
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"histogram(): bins must be > 0, but got {bins}")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise RuntimeError(f"histogram(): min should not exceed max, got {lo} > {hi}")
        else:
            lo, hi = (float(d.min()), float(d.max())) if d.size else (0.0, 0.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace_edges(lo, hi, int(bins), d.dtype)
    w = None if weight is None else asarray(array_of(weight))
    if w is not None and w.shape != d.shape:
        raise RuntimeError(f"histogram(): weight should have the same shape as input, got "
                           f"{w.shape} and {d.shape}")
    hist = _count(d, edges, w).astype(d.dtype)
    if density:
        total = hist.sum()
        hist = (hist / (total * np.diff(edges))).astype(d.dtype)
    return HistogramResult(_wrap(hist, None), _wrap(edges, None))
