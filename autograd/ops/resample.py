"""Separable resampling along one axis: the primitive under interpolation (nearest,
linear, cubic), adaptive average pooling and the reflect / replicate / circular pads.

A :class:`Taps` spec is a sparse linear map A from an axis of length ``n_in`` to one of
length ``n_out``: output ``o`` is Σ_t weight[t, o] · x[idx[t, o]], summed in tap order
(the order torch's kernels add their terms in). ``resample`` applies it with one gather
(``np.take``) per tap, no Python loop over pixels. Its VJP is the transposed map Aᵀ,
which is again a gather-sum — input i collects weight·g[o] from every (t, o) that reads
it, padded to the largest such count with weight-0 taps — so the VJP is ``resample``
with ``taps.T``, and ``(taps.T).T`` is ``taps``: one primitive serves every order of
derivative. A 2-D resize is two calls, the last axis first (torch's order of passes).
"""

from __future__ import annotations

import numpy as np

from autograd.backend import asarray, device_table
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.tensor import Tensor

__all__ = ["Taps", "make_taps", "resample", "resample_array"]


class Taps:
    """One axis's sparse linear map (see the module docstring)."""

    __slots__ = ("axis", "n_in", "idx", "weight", "_t")

    def __init__(self, axis: int, n_in: int, idx: np.ndarray, weight: np.ndarray | None,
                 transposed: Taps | None = None) -> None:
        self.axis = axis
        self.n_in = n_in
        self.idx = idx  # (T, n_out) int64 source indices
        self.weight = weight  # (T, n_out) float64, or None: weight 1 everywhere
        self._t = transposed

    @property
    def n_out(self) -> int:
        return self.idx.shape[1]

    @property
    def T(self) -> Taps:
        """The transposed map Aᵀ (from n_out back to n_in), built once."""
        if self._t is None:
            self._t = _transpose(self)
        return self._t

    def __repr__(self) -> str:
        return f"Taps(axis={self.axis}, {self.n_in} -> {self.n_out}, taps={self.idx.shape[0]})"


def make_taps(axis: int, n_in: int, idx: np.ndarray, weight: np.ndarray | None = None
              ) -> Taps:
    """A :class:`Taps` spec from (T, n_out) (or (n_out,)) source indices and weights."""
    idx = np.atleast_2d(asarray(idx, dtype=np.int64))
    if idx.size and (idx.min() < 0 or idx.max() >= n_in):
        raise IndexError(f"resample: source index out of range for an axis of length {n_in}")
    if weight is not None:
        weight = np.broadcast_to(np.atleast_2d(asarray(weight, dtype=np.float64)),
                                 idx.shape)
    return Taps(int(axis), int(n_in), idx, weight)


def _transpose(t: Taps) -> Taps:
    """Aᵀ as taps: for each input i, the outputs o that read it (ascending), with their
    weights; inputs read fewer times are padded with weight-0 taps."""
    n_taps, n_out = t.idx.shape
    src = t.idx.ravel()
    out = np.tile(np.arange(n_out), n_taps)
    w = np.ones(src.size) if t.weight is None else t.weight.ravel()
    keep = w != 0
    src, out, w = src[keep], out[keep], w[keep]
    order = np.lexsort((out, src))
    src, out, w = src[order], out[order], w[order]
    counts = np.bincount(src, minlength=t.n_in)
    k = max(int(counts.max()) if counts.size else 0, 1)
    first = np.cumsum(counts) - counts  # where each input's run starts in src
    rank = np.arange(src.size) - first[src]
    idx = np.zeros((k, t.n_in), dtype=np.int64)
    weight = np.zeros((k, t.n_in))
    idx[rank, src] = out
    weight[rank, src] = w
    if k == 1 and (weight == 1).all():
        weight = None  # a permutation (or a gather read once per input): no multiply
    return Taps(t.axis, n_out, idx, weight, transposed=t)


def resample_array(x: np.ndarray, t: Taps) -> np.ndarray:
    """y with axis ``t.axis`` of length n_out: y[.., o, ..] = Σ_t w[t, o]·x[.., idx[t, o], ..]."""
    if x.shape[t.axis] != t.n_in:
        raise ValueError(f"resample: axis {t.axis} of an array of shape {x.shape} does not "
                         f"have the map's input length {t.n_in}")
    tail = (1,) * (x.ndim - 1 - t.axis)
    out = None
    idx, weight = t.idx, t.weight
    if x.__class__ is not np.ndarray:  # the (small) taps go where x is, once per device
        idx = device_table(idx, x)
        weight = None if weight is None else device_table(weight, x)
    for k in range(idx.shape[0]):
        v = np.take(x, idx[k], axis=t.axis)
        if weight is not None:
            v *= weight[k].astype(v.dtype, copy=False).reshape((-1,) + tail)
        out = v if out is None else np.add(out, v, out=out)
    return out


class ResampleBackward(Node):
    """y = A·x along one axis (A: the taps' sparse matrix);  dx = Aᵀ·g (``taps.T``)."""

    def vjp(self, g, xp):
        return (xp.resample(g, self.meta.T),)


def resample(x: Tensor, t: Taps) -> Tensor:
    """Differentiable :func:`resample_array`."""
    return unary(ResampleBackward, resample_array(x._data, t), x, meta=t)
