"""Reductions over dimensions: sum, mean, var, std, max, min, argmax, argmin,
logsumexp, and the softmax pair. ``dim`` is an int, a negative int, a tuple or
``None`` (all dimensions), as torch."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray
from autograd.dims import check_nonempty_reduction, normalize_dim, normalize_dims
from autograd.graph import Away, Node
from autograd.ops.record import array_of, unary
from autograd.ops.select import maximum, minimum
from autograd.ops.summation import mean_array, sum_array, var_array
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _wrap


def axes_of(dim: Any, ndim: int) -> tuple | None:
    """``dim`` as a sorted tuple of non-negative axes, or ``None`` for all of them (also
    for ``dim=()``, as torch). Out-of-range dims raise IndexError, repeated ones
    RuntimeError (torch's messages)."""
    if dim is None:
        return None
    axes = normalize_dims(dim, ndim)
    if not axes or not ndim:
        return None
    return axes if len(axes) == 1 else tuple(sorted(axes))


def kept_shape(shape: tuple, axes: tuple | None) -> tuple:
    """``shape`` with the reduced axes kept as size 1 (keepdim=True's shape)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _count(shape: tuple, axes: tuple | None) -> int:
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _spread(g: Any, meta: tuple, xp) -> Any:
    """Broadcast a reduction's gradient back over the input: g → x.shape."""
    shape, kshape = meta
    return xp.broadcast_to(xp.reshape(g, kshape), shape)


class SumBackward(Node):
    """y = Σ x over dims;  dx = g broadcast back to x's shape."""

    def vjp(self, g, xp):
        return (_spread(g, self.meta, xp),)


def _cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` in a reduction's ``dtype=`` (torch casts before reducing; differentiable
    between float dtypes)."""
    from autograd.ops.unary import astype  # (unary imports this module's neighbours)

    return x if dtype is None else astype(x, dtype)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        dtype: Any = None) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("sum", sum, x, dim, keepdim, dtype=dtype)
    x = _cast(x, dtype)
    axes = axes_of(dim, x._data.ndim)
    out = sum_array(x._data, axes, keepdim)
    return unary(SumBackward, out, x, meta=(x._data.shape, kept_shape(x._data.shape, axes)))


class MeanBackward(Node):
    """y = (1/n) Σ x;  dx = g / n broadcast back."""

    def vjp(self, g, xp):
        shape, kshape, n = self.meta
        return (_spread(g, (shape, kshape), xp) / n,)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    x = _cast(x, dtype)
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x._data.dtype}")
    axes = axes_of(dim, x._data.ndim)
    out = mean_array(x._data, axes, keepdim)
    shape = x._data.shape
    return unary(MeanBackward, out, x, meta=(shape, kept_shape(shape, axes), _count(shape, axes)))


def _correction(unbiased: bool | None, correction: int | None) -> int:
    if correction is not None:
        return int(correction)
    return 0 if unbiased is False else 1


def _var_grad(g: Any, x: Any, meta: tuple, xp) -> Any:
    """torch's ``var_backward``: dx = g ⊙ 2(x − x̄) / (n − c). With no ``dim`` and n − c ≤ 0
    (one element, or ``correction >= n``) 2/(n − c) is infinite: torch gives g·inf, or
    NaN where x = x̄ (∞·0); with a ``dim`` it uses 2/(n − c) as it comes (∞ at n = c, a
    finite negative factor past it)."""
    kshape, axes, dof, full = meta
    xm = x - xp.mean(x, axes, True)
    if full and dof <= 0:
        t = x.dtype.type
        return xp.where(array_of(xm) == 0, t(np.nan), t(np.inf)) * xp.reshape(g, kshape)
    factor = 2 / dof if dof else np.inf
    return xp.reshape(g, kshape) * xm * factor


class VarBackward(Node):
    """y = Σ(x − x̄)² / (n − c);  dx = g ⊙ 2(x − x̄) / (n − c)  (torch's edge cases: see
    ``_var_grad``)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (_var_grad(g, x, self.meta, xp),)


def _moments(x: Tensor, dim: Any, unbiased: bool | None, correction: int | None) -> tuple:
    """(axes, correction, VJP meta) of a var/std over ``dim``. A bool first argument is
    torch's ``std(unbiased)`` overload (``x.std(False)``: all dims, biased), not a dim."""
    if isinstance(dim, bool | np.bool_):
        dim, unbiased = None, bool(dim)
    if x._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    c = _correction(unbiased, correction)
    axes = axes_of(dim, x._data.ndim)
    shape = x._data.shape
    full = dim is None or x._data.ndim == 0
    return axes, c, (kept_shape(shape, axes), axes, _count(shape, axes) - c, full)


def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 = unbiased, as torch); NaN or
    inf where n − c ≤ 0, as torch."""
    axes, c, meta = _moments(x, dim, unbiased, correction)
    out = var_array(x._data, axes, c, keepdim)
    return unary(VarBackward, out, x, save_input=True, meta=meta)


class StdBackward(Node):
    """y = √var(x);  dx = var's VJP of g / (2y), with g / (2y) taken as 0 where y = 0 (a
    constant input: torch's convention, not the NaN of 0/0)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        y = self.output(xp)
        with np.errstate(divide="ignore", invalid="ignore"):
            gv = xp.where(array_of(y) == 0, 0, g / (y * 2))
            return (_var_grad(gv, x, self.meta, xp),)


def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """Standard deviation over ``dim`` (square root of :func:`var`)."""
    axes, c, meta = _moments(x, dim, unbiased, correction)
    out = np.sqrt(var_array(x._data, axes, c, keepdim))
    return unary(StdBackward, out, x, save_input=True, save_out=True, meta=meta)


class ReturnTypes(NamedTuple):
    """``(values, indices)`` of ``max(dim)``/``min(dim)``, as torch's named tuple."""

    values: Tensor
    indices: Tensor


class MaxBackward(Node):
    """y = max x (or min);  dx = g routed to the chosen element (split evenly over ties
    for a full reduction; the first index along ``dim``)."""

    def vjp(self, g, xp):
        shape, kshape = self.meta
        return (xp.reshape(g, kshape) * self.cached(),)


class MinBackward(MaxBackward):
    """y = min x;  dx = g routed to the chosen element (as MaxBackward)."""


def _extreme(x: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Any:
    d = x._data
    cls = MaxBackward if is_max else MinBackward
    if dim is None:
        check_nonempty_reduction("max" if is_max else "min", d.shape, None)
        m = d.max() if is_max else d.min()
        # NaN propagates (torch): the gradient is split over the NaN entries then
        mask = d == m if m == m else np.isnan(d)
        weights = (mask / mask.sum()).astype(d.dtype, copy=False)
        return unary(cls, asarray(m), x, meta=(d.shape, (1,) * d.ndim), cache=weights)
    if isinstance(dim, Tensor):  # torch's max(a, b) overload
        return maximum(x, dim) if is_max else minimum(x, dim)
    axis = normalize_dim(dim, d.ndim)
    if d.ndim == 0:
        return ReturnTypes(x, _wrap(asarray(0), None))
    check_nonempty_reduction("max" if is_max else "min", d.shape, (axis,))
    idx = np.argmax(d, axis=axis, keepdims=True) if is_max else np.argmin(d, axis=axis,
                                                                          keepdims=True)
    vals = np.take_along_axis(d, idx, axis=axis)
    onehot = np.zeros_like(d)
    np.put_along_axis(onehot, idx, 1, axis=axis)
    kshape = vals.shape
    if not keepdim:
        vals = vals.squeeze(axis)
        idx = idx.squeeze(axis)
    values = unary(cls, vals, x, meta=(d.shape, kshape), cache=onehot)
    return ReturnTypes(values, _wrap(idx.astype(np.int64, copy=False), None))


class AmaxBackward(MaxBackward):
    """y = amax(x, dims);  dx = g split evenly over the elements equal to y (torch's rule
    for amax/amin, unlike max(dim)'s single index); NaN over a slice whose y is NaN."""


class AminBackward(MaxBackward):
    """y = amin(x, dims);  dx as AmaxBackward's."""


def _amax(x: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Tensor:
    d = x._data
    axes = axes_of(dim, d.ndim)
    check_nonempty_reduction("amax" if is_max else "amin", d.shape, axes)
    with np.errstate(invalid="ignore"):
        m = d.max(axis=axes, keepdims=True) if is_max else d.min(axis=axes, keepdims=True)
        mask = d == m  # a NaN result matches nothing: 0/0, NaN over its slice (torch)
        weights = (mask / mask.sum(axis=axes, keepdims=True)).astype(d.dtype, copy=False)
    out = m if keepdim else m.reshape(tuple(
        n for i, n in enumerate(d.shape) if axes is not None and i not in axes))
    cls = AmaxBackward if is_max else AminBackward
    return unary(cls, out, x, meta=(d.shape, m.shape), cache=weights)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Largest values over ``dim`` (all dims when empty); ties share the gradient."""
    return _amax(input, dim, keepdim, True)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Smallest values over ``dim`` (all dims when empty); ties share the gradient."""
    return _amax(input, dim, keepdim, False)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """Largest element (a 0-d tensor), or ``(values, indices)`` along ``dim``."""
    return _extreme(x, dim, keepdim, True)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """Smallest element (a 0-d tensor), or ``(values, indices)`` along ``dim``."""
    return _extreme(x, dim, keepdim, False)


def _arg_extreme(x: Tensor, dim: Any, keepdim: bool, fn: Any) -> Tensor:
    d = x._data
    if dim is None:
        check_nonempty_reduction(fn.__name__, d.shape, None)
        out = asarray(fn(d), dtype=np.int64)
        return _wrap(out.reshape((1,) * d.ndim if keepdim else ()), None)
    axis = normalize_dim(dim, d.ndim)
    if not d.ndim:  # a 0-d tensor takes dim 0 or -1 (torch); its only index is 0
        return _wrap(np.zeros((), np.int64), None)
    check_nonempty_reduction(fn.__name__, d.shape, (axis,))
    return _wrap(asarray(fn(d, axis=axis, keepdims=keepdim), dtype=np.int64), None)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (flattened when ``dim`` is None), int64."""
    return _arg_extreme(x, dim, keepdim, np.argmax)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (flattened when ``dim`` is None), int64."""
    return _arg_extreme(x, dim, keepdim, np.argmin)


def logsumexp_array(x: np.ndarray, axes: Any, keepdims: bool = False) -> np.ndarray:
    """log Σ exp x over ``axes``, shifted by the max so that nothing overflows (−inf over
    an empty dim, as torch)."""
    if x.dtype.kind not in "fc":  # torch: integers and bools give float32
        x = x.astype(np.float32)
    if not x.size:
        with np.errstate(divide="ignore"):
            return np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdims))
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axes)


class LogsumexpBackward(Node):
    """y = log Σ eˣ;  dx = g ⊙ eˣ⁻ʸ (the softmax of x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        kshape = self.meta
        y = xp.reshape(self.output(xp), kshape)
        return (xp.reshape(g, kshape) * xp.exp(x - y),)


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("logsumexp", logsumexp, x, dim, keepdim)
    axes = axes_of(dim, x._data.ndim)
    out = logsumexp_array(x._data, axes, keepdim)
    return unary(LogsumexpBackward, out, x, save_input=True, save_out=True,
                 meta=kept_shape(x._data.shape, axes))


def softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """eˣ / Σ eˣ along ``axis``, shifted by the max (no overflow for |x| ~ 1e4)."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _nothing_to_normalise(op: str, d: np.ndarray, axis: int) -> bool:
    """True for an empty input (its empty result is the input's copy, as torch's); torch's
    NotImplementedError for an integer or bool one (its kernels are floating only)."""
    if d.size == 0:
        return True
    if d.dtype.kind not in "fc":
        kernel = f"{op}_lastdim_kernel_impl" if axis == d.ndim - 1 else f"{op}_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_name(d.dtype)}\'')
    return False


class SoftmaxBackward(Node):
    """y = softmax(x);  dx = y ⊙ (g − Σ g ⊙ y)  (the Jacobian diag(y) − yyᵀ applied to g)."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (y * (g - xp.sum(g * y, self.meta, True)),)


def softmax(x: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("softmax", softmax, x, dim, dtype)
    x = _cast(x, dtype)  # torch casts before the op (float32 logits, a float64 softmax)
    axis = normalize_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        return unary(SoftmaxBackward, np.ones_like(x._data), x, save_out=True, meta=None)
    if _nothing_to_normalise("softmax", x._data, axis):
        return unary(SoftmaxBackward, x._data.copy(), x, save_out=True, meta=axis)
    return unary(SoftmaxBackward, softmax_array(x._data, axis), x, save_out=True, meta=axis)


class LogSoftmaxBackward(Node):
    """y = x − logsumexp(x);  dx = g − softmax(x) ⊙ Σ g."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (g - xp.exp(y) * xp.sum(g, self.meta, True),)


def log_softmax(x: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("log_softmax", log_softmax, x, dim, dtype)
    x = _cast(x, dtype)
    axis = normalize_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        return unary(LogSoftmaxBackward, np.zeros_like(x._data), x, save_out=True, meta=None)
    if _nothing_to_normalise("log_softmax", x._data, axis):
        return unary(LogSoftmaxBackward, x._data.copy(), x, save_out=True, meta=axis)
    d = x._data
    # (x − m) − log Σ e^(x − m): subtracting in the shifted frame keeps float32 exact for
    # logits of magnitude 1e4 (x − (m + log Σ) loses the small term to rounding).
    m = np.max(d, axis=axis, keepdims=True)
    shifted = d - np.where(np.isfinite(m), m, 0)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return unary(LogSoftmaxBackward, out, x, save_out=True, meta=axis)


def _axes_tuple(axis: Any, ndim: int) -> tuple | None:
    if axis is None or isinstance(axis, tuple):
        return axis
    return (axis % ndim,)


def _sum_array(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return sum_array(x, _axes_tuple(axis, x.ndim), keepdims)


def _mean_array(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return mean_array(x, _axes_tuple(axis, x.ndim), keepdims)
