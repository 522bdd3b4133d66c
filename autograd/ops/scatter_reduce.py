"""``scatter_reduce``: every ``src`` element folded into ``input`` at ``index`` along
``dim`` with sum, prod, mean, amax or amin (torch's ``include_self`` rule: whether the
existing values of the written positions take part)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.ops.arith import add, div
from autograd.ops.gather import (
    _check_index,
    _index_array,
    _src_part,
    dim_of,
    full_index,
    put_along,
    put_along_array,
    write_inplace,
)
from autograd.ops.record import array_of, nary
from autograd.ops.select import masked_fill, where
from autograd.tensor import Tensor

_UFUNC = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}
_START = {"prod": 1.0, "amax": -np.inf, "amin": np.inf}


class ScatterReduceBackward(Node):
    """y = scatter_reduce(input, dim, index, src, amax|amin|prod);
    dinput = g ⊙ w_in,  dsrc = gather(g, dim, index) ⊙ w_src, where for amax/amin
    w = [value = y] / (number of ties) (the gradient split evenly over ties, as torch) and
    for prod w = y / value (the product of the other factors; no zeros, see below)."""

    def vjp(self, g, xp):
        dim, index, src_shape, op = self.meta
        if op == "prod" and not xp.raw:
            # y / value is a function of the inputs: treating it as constant would give a
            # silently wrong second derivative.
            raise NotImplementedError("scatter_reduce(reduce='prod') is differentiable once "
                                      "in chainrule (no create_graph)")
        w_in, w_src = self.cached()
        gi = gs = None
        if self.edges[0] is not None:
            gi = g * w_in
        if self.edges[1] is not None:
            gs = xp.gather(g, dim, index) * w_src
            if gs.shape != src_shape:
                gs = xp.index_add(gs, src_shape, tuple(slice(0, s) for s in index.shape))
        return gi, gs


def _fold(op: str, x: np.ndarray, key: tuple, part: np.ndarray, hit: np.ndarray,
          include_self: bool) -> np.ndarray:
    out = x.astype(np.result_type(x, part), copy=True)
    if not include_self:
        out[hit] = _START[op]
    _UFUNC[op].at(out, key, part)
    return out


def _weights(op: str, x: np.ndarray, part: np.ndarray, out: np.ndarray, hit: np.ndarray,
             dim: int, idx: np.ndarray, include_self: bool) -> tuple:
    """Constant per-element weights of the VJP (see ScatterReduceBackward)."""
    if op == "prod":
        if (part == 0).any() or (include_self and (x[hit] == 0).any()):
            raise NotImplementedError(
                "scatter_reduce(reduce='prod') with a zero among the reduced values has no "
                "gradient in chainrule yet (use reduce='sum' on logs, or avoid zeros)")
        w_in = np.where(hit, out / np.where(x == 0, 1, x), 1) if include_self else \
            np.where(hit, 0, 1)
        w_src = out[full_index(idx, dim)] / part
        return w_in.astype(x.dtype), w_src.astype(x.dtype)
    tie_in = hit & (x == out) if include_self else np.zeros_like(hit)
    at = full_index(idx, dim)
    tie_src = part == out[at]
    count = tie_in + put_along_array(tie_src.astype(np.float64), x.shape, dim, idx)
    w_in = np.where(hit, tie_in / np.maximum(count, 1), 1).astype(x.dtype)
    w_src = (tie_src / np.maximum(count[at], 1)).astype(x.dtype)
    return w_in, w_src


def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Fold ``src`` into ``input`` at ``index`` along ``dim`` with ``reduce`` (sum, prod,
    mean, amax, amin); positions no index reaches keep ``input``'s value."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"scatter_reduce(): reduce argument must be one of sum, prod, "
                           f"mean, amax, amin, got {reduce!r}")
    idx = _index_array(index, "scatter_reduce")
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    _check_index("scatter_reduce", shape, axis, idx, np.shape(array_of(src)))
    part = _src_part(src, idx)
    if not isinstance(part, Tensor):
        part = Tensor._const(np.asarray(part, dtype=input._data.dtype))
    hit = put_along_array(np.ones(idx.shape), shape, axis, idx) > 0
    if reduce in ("sum", "mean"):
        base = input if include_self else masked_fill(input, hit, 0)
        total = add(base, put_along(part, shape, axis, idx))
        if reduce == "sum":
            return total
        count = put_along_array(np.ones(idx.shape), shape, axis, idx) + include_self
        mean = div(total, np.maximum(count, 1).astype(input._data.dtype))
        if input._data.dtype.kind in "iu":
            mean = Tensor._const(np.floor_divide(total._data, np.maximum(count, 1)))
        return where(hit, mean, input)
    x, p = input._data, part._data
    key = full_index(idx, axis)
    out = _fold(reduce, x, key, p, hit, include_self).astype(x.dtype, copy=False)
    t = nary(ScatterReduceBackward, out, (input, src if isinstance(src, Tensor) else None),
             meta=(axis, idx, np.shape(array_of(src)), reduce))
    if t._node is not None:
        t._node.cache = _weights(reduce, x, p, out, hit, axis, idx, include_self)
    return t


def scatter_reduce_(self: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,
                    include_self: bool = True) -> Tensor:
    """In-place :func:`scatter_reduce`."""
    return write_inplace(self, scatter_reduce(self, dim, index, src, reduce,
                                              include_self=include_self))


METHODS = {"scatter_reduce": scatter_reduce, "scatter_reduce_": scatter_reduce_}
