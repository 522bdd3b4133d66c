"""torch's ``index_reduce`` and ``put``: writes of whole slices, or of flat positions, of
a source into a copy of the input (and their in-place forms).

* ``index_reduce(dim, index, source, reduce, include_self=True)``: slice ``i`` of
  ``source`` along ``dim`` is folded (prod, mean, amax, amin) into slice ``index[i]`` of
  the input. It is ``scatter_reduce`` with the index broadcast over the slice, so the
  gradients are scatter_reduce's (ties split evenly for amax/amin, as torch).
* ``put(index, source, accumulate=False)``: ``source`` written (or added) at the flat
  positions ``index`` of the input taken as 1-D (negative positions count from the end).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import follow, to, to_host
from autograd.ops.along import dim_of, index_put, scatter_reduce
from autograd.ops.inplace import inplace_of
from autograd.ops.record import array_of
from autograd.ops.shape import reshape
from autograd.promotion import torch_name
from autograd.tensor import Tensor


def _index(index: Any, op: str) -> np.ndarray:
    idx = to_host(array_of(index))  # checked on the host (an index may live on a device)
    if idx.dtype.kind not in "iu":
        raise IndexError(f"{op}: Expected dtype int32/int64 for index but got "
                         f"{torch_name(idx.dtype)}")
    return idx


def index_reduce(input: Tensor, dim: int, index: Any, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """``input`` with ``source``'s slices along ``dim`` folded in at ``index`` by
    ``reduce``; slices no index reaches keep input's values. Integer means round down."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    x, s = input._data, array_of(source)
    axis = dim_of(dim, x.ndim)
    idx = _index(index, "index_reduce_()")
    if idx.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, got "
                         f"{idx.ndim}-D")
    idx = idx.reshape(-1).astype(np.int64)
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_reduce_(): self ({torch_name(x.dtype)}) and source "
                           f"({torch_name(s.dtype)}) must have the same scalar type")
    if s.ndim != x.ndim and not (x.ndim <= 1 and s.ndim <= 1):
        raise IndexError(f"index_reduce_(): source and self must have the same number of "
                         f"dimensions, got {s.ndim} and {x.ndim}")
    sshape = s.shape if s.ndim else (1,)
    if idx.size != sshape[axis]:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.size}) should be equal "
                           f"to source.size(dim): ({sshape[axis]}), for dim: {dim}")
    xshape = x.shape if x.ndim else (1,)
    if idx.size and (idx.min() < 0 or idx.max() >= xshape[axis]):
        raise IndexError("index out of range in self")
    for d, (a, b) in enumerate(zip(xshape, sshape)):
        if d != axis and a != b:
            raise RuntimeError(f"index_reduce_(): source size {list(sshape)} must match self "
                               f"size {list(xshape)} except at dim {axis}")
    view = [1] * len(sshape)
    view[axis] = idx.size
    # checked on the host above; scatter_reduce takes it where the input is
    full = follow(np.ascontiguousarray(np.broadcast_to(idx.reshape(view), sshape)), x)
    if x.ndim == 0:
        flat = scatter_reduce(reshape(input, 1), 0, full, reshape(source, 1), reduce,
                              include_self=include_self)
        return reshape(flat, ())
    return scatter_reduce(input, axis, full, source, reduce, include_self=include_self)


def put(input: Tensor, index: Any, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` with ``source``'s elements written (added, with ``accumulate``) at the
    flat positions ``index`` (any shape, int64; negative from the end)."""
    x = input._data
    idx = to_host(array_of(index))
    src = source._data if isinstance(source, Tensor) else np.asarray(source)
    if idx.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{torch_name(idx.dtype)}")
    if src.dtype != x.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {torch_name(x.dtype)} and source.dtype = "
                           f"{torch_name(src.dtype)}")
    if src.size != idx.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {src.size}, index.numel() = "
                         f"{idx.size}")
    n = x.size
    if n == 0 and idx.size:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    flat_idx = idx.reshape(-1)
    bad = flat_idx[(flat_idx < -n) | (flat_idx >= n)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {int(bad[0])} on a tensor of "
                         f"{n} elements.")
    flat_idx = to(np.where(flat_idx < 0, flat_idx + n, flat_idx), input.device)
    out = index_put(reshape(input, -1), (flat_idx,), reshape(source, -1), accumulate)
    return reshape(out, x.shape)


index_reduce_ = inplace_of(index_reduce, "index_reduce_")
put_ = inplace_of(put, "put_")

PUBLIC = ["index_reduce", "put"]

METHODS: dict[str, Any] = {
    "index_reduce": index_reduce, "index_reduce_": index_reduce_, "put": put, "put_": put_,
}
FUNCTIONS: dict[str, Any] = {"index_reduce": index_reduce, "put": put}
