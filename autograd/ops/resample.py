"""Separable resampling along one axis: the primitive under interpolation (nearest,
linear, cubic), adaptive average pooling and the reflect / replicate / circular pads.

A :class:`Taps` spec is a linear map from an axis of length ``n_in`` to one of length
``n_out``: output ``o`` is Σ_t weight[t, o] · x[idx[t, o]] (summed in tap order, which
is the order torch's kernels add their terms in). ``resample`` applies it with one
gather per tap; its adjoint ``resample_adjoint`` scatters a gradient back: per tap, the
entries are (stably) sorted by source index, summed over each run of equal indices with
``np.add.reduceat``, and added once per distinct index, with no Python loop over pixels.
Each is the other's VJP (``xp.resample`` / ``xp.resample_adjoint``), so every order of
derivative is recorded by the same two ops. A 2-D resize is two calls, the last axis
first (torch's order of the separable passes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from autograd.graph import Node
from autograd.ops.record import unary
from autograd.tensor import Tensor

__all__ = ["Taps", "make_taps", "resample", "resample_adjoint"]


class Taps(NamedTuple):
    """One axis's linear map (see the module docstring)."""

    axis: int
    n_in: int
    idx: np.ndarray  # (T, n_out) int64 source indices
    weight: np.ndarray | None  # (T, n_out) weights; None: one tap of weight 1 (a gather)
    order: tuple  # per tap: (permutation sorting idx[t] or None, run starts, run indices)


def make_taps(axis: int, n_in: int, idx: np.ndarray, weight: np.ndarray | None = None
              ) -> Taps:
    """A :class:`Taps` spec; precomputes the sorted runs the adjoint sums over."""
    idx = np.atleast_2d(np.asarray(idx, dtype=np.int64))
    if idx.size and (idx.min() < 0 or idx.max() >= n_in):
        raise IndexError(f"resample: source index out of range for an axis of length {n_in}")
    order = []
    for row in idx:
        perm = None
        if row.size > 1 and (np.diff(row) < 0).any():
            perm = np.argsort(row, kind="stable")
            row = row[perm]
        starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if row.size else row
        order.append((perm, starts, row[starts]))
    if weight is not None:
        weight = np.atleast_2d(np.asarray(weight))
    return Taps(int(axis), int(n_in), idx, weight, tuple(order))


def _weights(t: Taps, tap: int, dtype: np.dtype, ndim: int) -> np.ndarray:
    w = t.weight[tap].astype(dtype, copy=False)
    return w.reshape(w.shape + (1,) * (ndim - 1 - t.axis))


def resample_array(x: np.ndarray, t: Taps) -> np.ndarray:
    """y with axis ``t.axis`` of length n_out: y[.., o, ..] = Σ_t w[t, o]·x[.., idx[t, o], ..]."""
    out = None
    for k in range(t.idx.shape[0]):
        v = np.take(x, t.idx[k], axis=t.axis)
        if t.weight is not None:
            v *= _weights(t, k, v.dtype, x.ndim)
        out = v if out is None else np.add(out, v, out=out)
    return out


def resample_adjoint_array(g: np.ndarray, t: Taps) -> np.ndarray:
    """The transpose map: g's axis (length n_out) scattered back onto length n_in."""
    shape = list(g.shape)
    shape[t.axis] = t.n_in
    dx = np.zeros(shape, dtype=g.dtype)
    lead = (slice(None),) * t.axis
    for k, (perm, starts, dest) in enumerate(t.order):
        gk = g * _weights(t, k, g.dtype, g.ndim) if t.weight is not None else g
        if perm is not None:
            gk = np.take(gk, perm, axis=t.axis)
        if starts.size == g.shape[t.axis]:  # every index distinct: no sums needed
            dx[lead + (dest,)] += gk
        else:
            dx[lead + (dest,)] += np.add.reduceat(gk, starts, axis=t.axis)
    return dx


class ResampleBackward(Node):
    """y = A·x along one axis (A: the taps' sparse matrix);  dx = Aᵀ·g."""

    def vjp(self, g, xp):
        return (xp.resample_adjoint(g, self.meta),)


class ResampleAdjointBackward(Node):
    """y = Aᵀ·x along one axis;  dx = A·g."""

    def vjp(self, g, xp):
        return (xp.resample(g, self.meta),)


def resample(x: Tensor, t: Taps) -> Tensor:
    """Differentiable :func:`resample_array`."""
    return unary(ResampleBackward, resample_array(x._data, t), x, meta=t)


def resample_adjoint(g: Tensor, t: Taps) -> Tensor:
    """Differentiable :func:`resample_adjoint_array`."""
    return unary(ResampleAdjointBackward, resample_adjoint_array(g._data, t), g, meta=t)
