"""Sums, means and variances of float32 arrays as accurate along every axis as torch's.

NumPy sums pairwise (error ~ ε·log n) only along a contiguous run: across rows it adds one
row at a time, and the error grows like ε·n. For ``x`` of shape (182625, 32) float32,
``x.var(0)`` came out 5e-4 away from float64 (torch: 4.5e-7). Where a reduction would add
more than :data:`SEQUENTIAL_MAX` terms one at a time, these functions accumulate in
float64 instead (NumPy casts in buffered blocks, ~1.5–2× the float32 time on those
reductions only) and round the result back to the input's dtype. Reductions NumPy already
does pairwise (the trailing axes of a C-contiguous array, the whole of a contiguous one),
float64 input and small reductions take NumPy's path unchanged.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.backend import asarray

SEQUENTIAL_MAX = 256  # terms NumPy may add one at a time before float64 accumulation pays
_F64 = np.dtype(np.float64)


def accumulator(x: np.ndarray, axes: tuple | None) -> np.dtype | None:
    """float64 when reducing ``x`` over ``axes`` (None: all) in its own dtype would add more
    than ``SEQUENTIAL_MAX`` terms sequentially; None when NumPy's own sum is accurate."""
    if x.dtype.kind != "f" or x.dtype.itemsize >= 8 or x.size <= SEQUENTIAL_MAX:
        return None
    shape, nd = x.shape, x.ndim
    if axes is None:
        if x.flags.c_contiguous or x.flags.f_contiguous:
            return None  # one pairwise run over the whole buffer
        axes = tuple(range(nd))
    else:
        k = len(axes)
        if (x.flags.c_contiguous and axes == tuple(range(nd - k, nd))) or (
                x.flags.f_contiguous and axes == tuple(range(k))):
            return None  # the reduced axes form one contiguous run per output
    n = math.prod(shape[a] for a in axes)
    # NumPy's inner loop runs pairwise along the axis of smallest stride when it is reduced
    inner = min(range(nd), key=lambda i: abs(x.strides[i]) if shape[i] > 1 else 1 << 62)
    sequential = n // shape[inner] if inner in axes else n
    return _F64 if sequential > SEQUENTIAL_MAX else None


def sum_array(x: np.ndarray, axes: tuple | None, keepdims: bool = False) -> np.ndarray:
    """Σ x over ``axes`` in x's dtype, accumulated in float64 where NumPy's would drift."""
    acc = accumulator(x, axes)
    if acc is None:
        if x.dtype.kind == "u" and x.dtype.itemsize < 8:  # torch: int64 (NumPy: uint64)
            return np.add.reduce(x, axis=axes, dtype=np.int64, keepdims=keepdims)
        return np.add.reduce(x, axis=axes, keepdims=keepdims)
    return np.add.reduce(x, axis=axes, dtype=acc, keepdims=keepdims).astype(x.dtype)


def mean_array(x: np.ndarray, axes: tuple | None, keepdims: bool = False) -> np.ndarray:
    """(1/n) Σ x over ``axes`` (as :func:`sum_array`)."""
    acc = accumulator(x, axes)
    if acc is None:
        return np.mean(x, axis=axes, keepdims=keepdims)
    return np.mean(x, axis=axes, dtype=acc, keepdims=keepdims).astype(x.dtype)


def var_array(x: np.ndarray, axes: tuple | None, correction: int, keepdims: bool
              ) -> np.ndarray:
    """Σ(x − x̄)² / (n − c) over ``axes``: two passes, each accumulated as
    :func:`sum_array` (NaN at 0/0 and inf at v/0 where n − c ≤ 0, as torch)."""
    acc = accumulator(x, axes)
    if acc is None:
        return np.var(x, axis=axes, ddof=correction, keepdims=keepdims)
    n = x.size if axes is None else math.prod(x.shape[a] for a in axes)
    d = x - np.mean(x, axis=axes, dtype=acc, keepdims=True).astype(x.dtype)
    np.multiply(d, d, out=d)  # squared deviations: each exact to ε, only their sum drifts
    s = np.add.reduce(d, axis=axes, dtype=acc, keepdims=keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(s / max(n - correction, 0)).astype(x.dtype)
