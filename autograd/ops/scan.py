"""Cumulative ops along one dimension (scans): cumsum, cumprod, cummax, cummin and
logcumsumexp, with torch's dim rule (required, negative allowed) and dtypes."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away, Node
from autograd.ops.along import dim_of, gather
from autograd.ops.record import unary
from autograd.ops.reduce import _cast
from autograd.tensor import Tensor, _wrap


def _scan_input(x: Tensor, dim: Any, dtype: Any) -> tuple:
    d = x._data
    if dtype is not None:
        d = d.astype(np.dtype(dtype), copy=False)
    elif d.dtype.kind in "biu":
        d = d.astype(np.int64)  # torch promotes integer and bool scans to int64
    axis = dim_of(dim, d.ndim)
    return (d.reshape(1) if d.ndim == 0 else d), axis


def rcumsum_array(g: np.ndarray, axis: int) -> np.ndarray:
    """Σ_{i ≥ k} g_i along ``axis`` (the adjoint of a cumulative sum)."""
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def rcumsum(g: Tensor, axis: int) -> Tensor:
    rev = (slice(None),) * axis + (slice(None, None, -1),)
    return cumsum(g[rev], axis)[rev]


class CumsumBackward(Node):
    """y_i = Σ_{j ≤ i} x_j;  dx_k = Σ_{i ≥ k} g_i (a reversed cumulative sum)."""

    def vjp(self, g, xp):
        axis, shape = self.meta
        return (xp.reshape(xp.rcumsum(xp.reshape(g, shape), axis), self.shape),)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``dim``: ``y_i = x_0 + ... + x_i`` (ints become int64)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cumsum", cumsum, input, dim, dtype=dtype)
    input = _cast(input, dtype)  # recorded: the gradient comes back in the input's dtype
    d, axis = _scan_input(input, dim, None)
    out = np.cumsum(d, axis=axis).reshape(input._data.shape)
    return unary(CumsumBackward, out, input, meta=(axis, d.shape))


def _lower_mask(n: int, axis: int, ndim: int, like: Any) -> Any:
    """[i ≥ k] as a (1.., n_k, n_i, ..1) array for the O(n²) pairwise forms below, on the
    device of the array ``like``."""
    xp = xp_of(like)
    return xp.triu(xp.ones((n, n), bool)).reshape((1,) * axis + (n, n) + (1,) *
                                                  (ndim - axis - 1))


def _pairs(t: Any, axis: int, xp, first: bool) -> Any:
    """``t`` with a size-1 axis inserted after (``first``: k index) or before ``axis``."""
    s = tuple(t.shape)
    new = s[:axis + 1] + (1,) + s[axis + 1:] if first else s[:axis] + (1,) + s[axis:]
    return xp.reshape(t, new)


class CumprodBackward(Node):
    """y_i = Π_{j ≤ i} x_j;  dx_k = Σ_{i ≥ k} g_i Π_{j ≤ i, j ≠ k} x_j.
    Without zeros that is (Σ_{i ≥ k} g_i y_i) / x_k; with zeros (as torch, exact) the
    products leaving x_k out are formed pairwise: O(n²) along ``dim``."""

    def vjp(self, g, xp):
        axis, shape, has_zero = self.meta
        if shape[axis] == 1:  # y = x: dx = g, also where x is ±inf or NaN (as torch)
            return (g,)
        (x,) = self.inputs(xp)
        x = xp.reshape(x, shape)
        g = xp.reshape(g, shape)
        if not has_zero:
            gx = xp.rcumsum(g * xp.reshape(self.output(xp), shape), axis) / x
        else:
            n = shape[axis]
            like = getattr(g, "_data", g)  # the constant masks go where the gradient is
            mask = _lower_mask(n, axis, len(shape), like)
            eye = xp_of(like).eye(n, dtype=bool).reshape(mask.shape)
            others = xp.cumprod(xp.where(eye, 1.0, _pairs(x, axis, xp, False)), axis + 1)
            gx = xp.sum(xp.where(mask, others, 0.0) * _pairs(g, axis, xp, False), axis + 1,
                        False)
        return (xp.reshape(gx, self.shape),)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative product along ``dim``: ``y_i = x_0 · ... · x_i`` (ints become int64);
    its gradient is exact where the input has zeros (as torch)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cumprod", cumprod, input, dim, dtype=dtype)
    input = _cast(input, dtype)
    d, axis = _scan_input(input, dim, None)
    out = np.cumprod(d, axis=axis).reshape(input._data.shape)
    has_zero = bool((d == 0).any())
    return unary(CumprodBackward, out, input, save_input=True, save_out=True,
                 meta=(axis, d.shape, has_zero))


class ReturnTypes(NamedTuple):
    """``(values, indices)`` as torch's named tuple."""

    values: Tensor
    indices: Tensor


def _cumextreme(input: Tensor, dim: int, is_max: bool) -> ReturnTypes:
    d = input._data
    axis = dim_of(dim, d.ndim)
    flat = d.reshape(1) if d.ndim == 0 else d
    run = (np.maximum if is_max else np.minimum).accumulate(flat, axis=axis)
    pos = xp_of(d).arange(flat.shape[axis]).reshape((-1,) + (1,) * (flat.ndim - axis - 1))
    # torch takes the last index among ties (x_j ≥ running max moves the index).
    hit = flat == run
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=axis)
    nan_seen = np.isnan(flat)
    if nan_seen.any():  # once a NaN is the running value, only a later NaN moves the index
        last_nan = np.maximum.accumulate(np.where(nan_seen, pos, -1), axis=axis)
        idx = np.where(last_nan >= 0, last_nan, idx)
    idx = idx.astype(np.int64).reshape(d.shape)
    values = gather(input, axis, idx)
    return ReturnTypes(values, _wrap(idx, None))


def cummax(input: Tensor, dim: int) -> ReturnTypes:
    """Running maximum along ``dim`` and the index where it was found (the last among
    ties, as torch); the gradient goes to that index."""
    return _cumextreme(input, dim, True)


def cummin(input: Tensor, dim: int) -> ReturnTypes:
    """Running minimum along ``dim`` and its index (the last among ties, as torch)."""
    return _cumextreme(input, dim, False)


class LogcumsumexpBackward(Node):
    """y_i = log Σ_{j ≤ i} e^{x_j};  dx_k = Σ_{i ≥ k} g_i e^{x_k − y_i}. Each term is at
    most |g_i| (x_k ≤ y_k ≤ y_i); when y spans more than exp can hold it is summed
    pairwise (O(n²) along ``dim``) instead of as e^{x−y_n} · Σ g_i e^{y_n−y_i}."""

    def vjp(self, g, xp):
        axis, shape, wide = self.meta
        (x,) = self.inputs(xp)
        x = xp.reshape(x, shape)
        g = xp.reshape(g, shape)
        y = xp.reshape(self.output(xp), shape)
        if not wide:
            last = y[(slice(None),) * axis + (slice(-1, None),)]
            gx = xp.exp(x - last) * xp.rcumsum(g * xp.exp(last - y), axis)
        else:
            mask = _lower_mask(shape[axis], axis, len(shape), getattr(g, "_data", g))
            diff = _pairs(x, axis, xp, True) - _pairs(y, axis, xp, False)
            terms = xp.exp(xp.where(mask, diff, -np.inf)) * _pairs(g, axis, xp, False)
            gx = xp.sum(terms, axis + 1, False)
        return (xp.reshape(gx, self.shape),)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log of the cumulative sum of exp along ``dim``, computed without overflow."""
    d = input._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"logcumsumexp(): expected a floating point tensor, got {d.dtype}")
    axis = dim_of(dim, d.ndim)
    flat = d.reshape(1) if d.ndim == 0 else d
    out = np.logaddexp.accumulate(flat, axis=axis)
    span = np.nanmax(out, axis=axis) - np.take(out, 0, axis=axis) if out.size else 0.0
    limit = 60.0 if d.dtype == np.float32 else 600.0
    wide = bool(np.any(~np.isfinite(span)) or np.any(span > limit))
    return unary(LogcumsumexpBackward, out.reshape(d.shape), input, save_input=True,
                 save_out=True, meta=(axis, flat.shape, wide))


# The differentiable ops of this family (each has registry cases).
PUBLIC = [
    "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
]

METHODS = {"cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin,
           "logcumsumexp": logcumsumexp}
