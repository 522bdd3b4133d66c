"""Tensors assembled from others (no node of their own: each differentiates as the ops it
is made of): ``cartesian_prod``, ``combinations``, ``block_diag``, ``vander``; and the
trapezoid rule, ``trapezoid`` (``trapz``) and ``cumulative_trapezoid``, in torch's
formulas (so the float rounding is torch's too)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from autograd.dims import normalize_dim
from autograd.ops.rearrange import flip
from autograd.ops.scan import cumprod, cumsum
from autograd.ops.select import getitem
from autograd.ops.shape import cat, pad, reshape, stack
from autograd.ops.torch_names import meshgrid
from autograd.ops.unary import astype
from autograd.promotion import result_type
from autograd.tensor import Tensor


def _vector(input: Tensor) -> None:
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """The Cartesian product of 1-d tensors, (Π nᵢ, k) (one tensor: itself)."""
    for t in tensors:
        _vector(t)
    if len(tensors) == 1:
        return tensors[0]
    if len({t._data.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, -1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-d tensor's elements, (M, r), in itertools' order
    (with_replacement: with repeats); r = 0 gives an empty (0,) tensor."""
    _vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor(np.empty((0,), dtype=input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(pick(range(input._data.shape[0]), r)), dtype=np.int64)
    return getitem(input, idx.reshape(-1, r))


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d as 1×1, 1-d as one row) along the diagonal of one matrix, zeros
    elsewhere, in their promoted dtype."""
    blocks = []
    for i, t in enumerate(tensors):
        n = t._data.ndim
        if n > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {n} dimensions")
        blocks.append(reshape(t, 1, 1) if n == 0 else reshape(t, 1, -1) if n == 1 else t)
    if not blocks:
        return Tensor(np.empty((1, 0), dtype=np.float32))
    dtype = result_type(*tensors)  # torch's rule: 0-d blocks weigh less
    width = sum(b._data.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        cols = b._data.shape[1]
        b = astype(b, dtype)
        rows.append(pad(b, ((0, 0), (left, width - left - cols))))
        left += cols
    return cat(rows, 0)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix (n, N) of a 1-d x: columns x^(N−1), …, x, 1 (increasing:
    1, x, …); as torch, a cumulative product (integers become int64)."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x._data.dtype if x._data.dtype.kind in "fc" else np.dtype(np.int64)
    ones = Tensor(np.ones((x._data.shape[0], min(n, 1)), dtype=dtype))
    if n > 1:
        powers = cumprod(astype(x, dtype).unsqueeze(1).expand(-1, n - 1), 1)
        out = cat([ones, powers], 1)
    else:
        out = ones
    return out if increasing else flip(out, 1)


def _trapezoid_args(op: str, y: Tensor, x: Any, dx: Any) -> None:
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: x and dx "
                        f"cannot both be given")
    if y._data.dtype == np.bool_:
        raise RuntimeError(f"{op}: received a bool input for `y`, but bool is not supported")


def _spacing(op: str, y: Tensor, x: Tensor, axis: int) -> Tensor:
    """The steps of x along ``axis``, shaped to broadcast against y's intervals."""
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[axis]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        steps = x[1:] - x[:-1]
        shape = [1] * y._data.ndim
        shape[axis] = steps._data.shape[0]
        return reshape(steps, *shape)
    lead = (slice(None),) * (axis - y._data.ndim + x._data.ndim) if x._data.ndim else ()
    return x[lead + (slice(1, None),)] - x[lead + (slice(None, -1),)]


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """∫ y along ``dim`` by the trapezoid rule, at the sample points x (a 1-d tensor as
    long as the dim, or one of y's shape) or with a constant spacing dx (default 1)."""
    _trapezoid_args("trapezoid", y, x, dx)
    axis = normalize_dim(dim, max(y._data.ndim, 1))
    lead = (slice(None),) * axis
    n = y._data.shape[axis]
    if x is None:
        step = 1 if dx is None else dx
        if n == 0:
            return y.sum(axis) * 0  # torch: zeros of the reduced shape
        ends = getitem(y, lead + (0,)) + getitem(y, lead + (-1,))
        return (y.sum(axis) - ends * 0.5) * step  # torch's form
    if n == 0:  # torch: zeros, whatever x is
        return y.sum(axis) * 0
    steps = _spacing("trapezoid", y, x, axis)
    mids = getitem(y, lead + (slice(1, None),)) + getitem(y, lead + (slice(None, -1),))
    return (steps * mids).sum(axis) / 2.0


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral of y along ``dim`` (one value fewer than y)."""
    _trapezoid_args("cumulative_trapezoid", y, x, dx)
    axis = normalize_dim(dim, max(y._data.ndim, 1))
    lead = (slice(None),) * axis
    left = getitem(y, lead + (slice(None, -1),))
    right = getitem(y, lead + (slice(1, None),))
    if x is None:
        step = 1 if dx is None else dx
        return cumsum((left + right) * step / 2.0, axis)
    steps = _spacing("cumulative_trapezoid", y, x, axis)
    return cumsum(steps / 2.0 * (left + right), axis)


METHODS: dict[str, Any] = {}
PUBLIC = ["cartesian_prod", "combinations", "block_diag", "vander", "trapezoid",
          "cumulative_trapezoid"]
