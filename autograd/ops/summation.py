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
    n = x.size  # terms an output sums
    if axes is not None:
        n = 1
        for a in axes:
            n *= shape[a]
    if n <= SEQUENTIAL_MAX:  # few terms an output, however NumPy orders them
        return None
    if axes is None:
        if x.flags.c_contiguous or x.flags.f_contiguous:
            return None  # one pairwise run over the whole buffer
        axes = tuple(range(nd))
    else:
        k = len(axes)
        if (x.flags.c_contiguous and axes == tuple(range(nd - k, nd))) or (
                x.flags.f_contiguous and axes == tuple(range(k))):
            return None  # the reduced axes form one contiguous run per output
    # NumPy's inner loop runs pairwise along the axis of smallest stride when it is reduced
    inner = min(range(nd), key=lambda i: abs(x.strides[i]) if shape[i] > 1 else 1 << 62)
    sequential = n // shape[inner] if inner in axes else n
    return _F64 if sequential > SEQUENTIAL_MAX else None


def sum_array(x: np.ndarray, axes: tuple | None, keepdims: bool = False) -> np.ndarray:
    """Σ x over ``axes`` in x's dtype, accumulated in float64 where NumPy's would drift.
    The one sum behind ``Tensor.sum`` and the gradient of a broadcast (``sum_to``), so
    that a bias's ``.grad`` is bit for bit the ``g.sum(0)`` a learner writes by hand, as
    in torch."""
    acc = accumulator(x, axes)
    if acc is None:
        if x.dtype.kind == "u" and x.dtype.itemsize < 8:  # torch: int64 (NumPy: uint64)
            return np.add.reduce(x, axis=axes, dtype=np.int64, keepdims=keepdims)
        return np.add.reduce(x, axis=axes, keepdims=keepdims)
    k = len(axes) if axes is not None else x.ndim
    if (x.__class__ is np.ndarray and x.dtype.itemsize == 4 and x.flags.c_contiguous
            and axes == tuple(range(k)) and k < x.ndim):  # float16 blocks would drift
        out = _leading_sum(x.reshape(-1, math.prod(x.shape[k:])))
        return out.reshape((1,) * k + x.shape[k:] if keepdims else x.shape[k:])
    return np.add.reduce(x, axis=axes, dtype=acc, keepdims=keepdims).astype(x.dtype)


def _leading_sum(x: np.ndarray) -> np.ndarray:
    """Column sums of a C-contiguous (rows, cols) float32 array of more than
    ``SEQUENTIAL_MAX`` rows: blocks of ``SEQUENTIAL_MAX`` rows summed one row at a time in
    float32 (error ~ε·256 a column at most), the blocks' sums added in float64 (blocked
    summation). As accurate as casting every value to float64 (~1e-7 relative at 16,384
    rows), and 1.5 to 4 times faster: no cast pass, NumPy's vectorised row adds."""
    rows, cols = x.shape
    whole = rows - rows % SEQUENTIAL_MAX
    blocks = np.add.reduce(x[:whole].reshape(-1, SEQUENTIAL_MAX, cols), axis=1)
    total = np.add.reduce(blocks, axis=0, dtype=_F64)
    if whole < rows:
        total += np.add.reduce(x[whole:], axis=0)
    return total.astype(x.dtype)


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
