"""Indexing along a dimension: gather and its adjoint (put_along, a scatter-add into
zeros), scatter, scatter_add, scatter_reduce (sum, prod, mean, amax, amin; torch's
``include_self``), index_select, take_along_dim,
masked_select, nonzero, one-argument where and index_put_ (torch's names and rules).

``gather(x, dim, index)[i][j][k] = x[i][index[i][j][k]][k]`` (for dim=1): the index
tensor has x's number of dimensions and is no larger than x outside ``dim``. Its
adjoint adds each gradient element back where it was read from; the two are each
other's VJP, so every op here differentiates to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, follow, xp_of
from autograd.graph import Away, Node
from autograd.ops.arith import add, div
from autograd.ops.inplace import apply_inplace
from autograd.ops.inplace import index_put as put_at
from autograd.ops.record import array_of, nary, unary
from autograd.ops.reduce import axes_of
from autograd.ops.select import getitem, index_add, masked_fill
from autograd.ops.select import where as _where3
from autograd.tensor import Tensor, _wrap


def dim_of(dim: Any, ndim: int) -> int:
    """``dim`` as a non-negative axis (0 for a 0-d tensor); IndexError out of range."""
    if not isinstance(dim, int | np.integer):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    (axis,) = axes_of(int(dim), ndim) or (0,)
    return axis


def _index_array(index: Any, op: str, like: Any = None) -> np.ndarray:
    """The index as an integer array; one on another device than ``like`` (the input's
    array) raises torch's RuntimeError (indexing with ``[]`` takes host indices; these ops
    do not, as torch's)."""
    idx = asarray(array_of(index))
    if like is not None and like.__class__ is not idx.__class__:
        check_same_device(like, idx)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {idx.dtype}")
    return idx


def full_index(index: np.ndarray, dim: int) -> tuple:
    """The NumPy advanced index that reads ``x[..., index, ...]`` along ``dim`` for every
    position of ``index`` (an open grid over the other dimensions)."""
    n = index.ndim
    xp = np if index.__class__ is np.ndarray else xp_of(index)
    return tuple(index if i == dim else xp.arange(s).reshape((-1,) + (1,) * (n - 1 - i))
                 for i, s in enumerate(index.shape))


def _check_index(op: str, shape: tuple, dim: int, idx: np.ndarray, src: tuple | None = None
                 ) -> None:
    if idx.ndim != len(shape) and not (idx.ndim <= 1 and len(shape) <= 1):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index {idx.shape}, input {shape})")
    for d, s in enumerate(idx.shape):
        if d != dim and d < len(shape) and s > shape[d]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {d} expected index "
                               f"{idx.shape} to be smaller than self {shape} apart from "
                               f"dimension {dim}")
        if src is not None and d < len(src) and s > src[d]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {d} expected index "
                               f"{idx.shape} to be smaller than src {src}")
    size = shape[dim] if shape else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):  # torch wraps no negative index
        bad = idx.max() if idx.max() >= size else idx.min()
        raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {dim} with "
                           f"size {size}")


def gather_array(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    """``x`` read at ``index`` along ``dim`` (torch's gather on arrays)."""
    return x[full_index(index, dim)]


def put_along_array(g: np.ndarray, shape: tuple, dim: int, index: np.ndarray) -> np.ndarray:
    """zeros(shape) with ``g`` added at ``index`` along ``dim`` (repeats accumulate)."""
    size = int(np.prod(shape))
    xp = np if g.__class__ is np.ndarray else xp_of(g)
    index = follow(index, g)
    flat = xp.ravel_multi_index(full_index(index % shape[dim] if shape else index, dim),
                                shape).ravel() if shape else xp.zeros(g.size, np.intp)
    if g.dtype.kind == "f":
        out = xp.bincount(flat, weights=g.ravel(), minlength=size)
        return out.astype(g.dtype, copy=False).reshape(shape)
    out = xp.zeros(size, g.dtype)
    np.add.at(out, flat, g.ravel())
    return out.reshape(shape)


class GatherBackward(Node):
    """y = gather(x, dim, index);  dx = put_along(g, x.shape, dim, index) (a scatter-add)."""

    def vjp(self, g, xp):
        shape, dim, index = self.meta
        return (xp.put_along(g, shape, dim, index),)


class PutAlongBackward(Node):
    """y = zeros(shape) + g added at index along dim;  dg = gather(y_grad, dim, index)."""

    def vjp(self, g, xp):
        dim, index = self.meta
        return (xp.gather(g, dim, index),)


def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` (dim=1); out has index's shape."""
    idx = _index_array(index, "gather", input._data)
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    _check_index("gather", shape, axis, idx)
    d = input._data.reshape(-1) if not shape else input._data
    i = idx.reshape(-1) if idx.ndim == 0 else idx
    out = d[full_index(i, axis)].reshape(idx.shape)
    return unary(GatherBackward, out, input, meta=(shape, axis, idx))


def put_along(g: Tensor, shape: tuple, dim: int, index: Any) -> Tensor:
    """The adjoint of gather: ``g`` summed into zeros of ``shape`` at ``index``."""
    idx = asarray(array_of(index))
    shape = tuple(shape)
    if not shape:
        out = asarray(g._data.sum(), dtype=g._data.dtype)
    else:
        out = put_along_array(g._data.reshape(idx.shape), shape, dim, idx)
    return unary(PutAlongBackward, out, g, meta=(dim, idx))


def _gather_tensor(x: Tensor, dim: int, index: np.ndarray) -> Tensor:
    return gather(x, dim, index)


def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``input`` read at ``indices`` along ``dim`` (NumPy's take_along_axis; the index
    broadcasts against input); ``dim=None`` reads the flattened input."""
    idx = _index_array(indices, "take_along_dim", input._data)
    if dim is None:
        return gather(input.reshape(-1), 0, idx.reshape(-1))
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    n = shape[axis] if shape else 1
    if idx.size and idx.min() < 0 and idx.min() >= -n:  # torch wraps here (gather does not)
        idx = idx + n * (idx < 0)
    if idx.ndim != len(shape):
        raise RuntimeError(f"take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {len(shape)} and {idx.ndim}")
    bshape = tuple(max(a, b) if i != axis else b
                   for i, (a, b) in enumerate(zip(shape, idx.shape)))
    ishape = tuple(b if i != axis else a for i, (a, b) in enumerate(zip(shape, bshape)))
    x = input if ishape == shape else input.broadcast_to(ishape)
    return gather(x, axis, np.broadcast_to(idx, bshape))


def _src_part(src: Any, idx: np.ndarray) -> Any:
    """The part of ``src`` scatter reads: its leading ``index.shape`` block."""
    if not isinstance(src, Tensor):
        return np.broadcast_to(asarray(src), idx.shape)
    if src._data.shape == idx.shape:
        return src
    return getitem(src, tuple(slice(0, s) for s in idx.shape))


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """``out = input`` with ``src[i][j][k]`` added at ``out[i][index[i][j][k]][k]`` (dim=1)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("scatter_add", scatter_add, input, dim, index, src)
    idx = _index_array(index, "scatter_add", input._data)
    check_same_device(input._data, array_of(src))
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    _check_index("scatter_add", shape, axis, idx, np.shape(array_of(src)))
    part = _src_part(src, idx)
    if not isinstance(part, Tensor):
        part = Tensor._const(asarray(part, dtype=input._data.dtype))
    return add(input, put_along(part, shape, axis, idx))


class ScatterBackward(Node):
    """y = input with src written at index along dim;
    dinput = g with 0 where written,  dsrc = gather(g, dim, index) (padded to src)."""

    def vjp(self, g, xp):
        dim, index, src_shape = self.meta
        gi = gs = None
        if self.edges[0] is not None:
            gi = xp.where(self.cached(), 0, g)
        if self.edges[1] is not None:
            gs = xp.gather(g, dim, index)
            if gs.shape != src_shape:
                gs = xp.index_add(gs, src_shape, tuple(slice(0, s) for s in index.shape))
        return gi, gs


def scatter(input: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """``out = input`` with ``src`` (or the scalar ``value``) written at ``index`` along
    ``dim``; ``reduce='add'|'multiply'`` accumulates instead (torch's legacy form)."""
    if src is None:
        src = value
    if reduce is not None:
        names = {"add": "sum", "multiply": "prod"}
        if reduce not in names:
            raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, "
                               f"got {reduce!r}")
        return scatter_reduce(input, dim, index, src if isinstance(src, Tensor) else
                              _const_like(input, src, index), names[reduce])
    idx = _index_array(index, "scatter", input._data)
    check_same_device(input._data, array_of(src))
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    src_shape = np.shape(array_of(src))
    _check_index("scatter", shape, axis, idx, src_shape if src_shape else None)
    key = full_index(idx, axis)
    out = input._data.copy()
    if isinstance(src, Tensor):
        out[key] = src._data[tuple(slice(0, s) for s in idx.shape)]
    else:
        out[key] = src
    mask = (np if out.__class__ is np.ndarray else xp_of(out)).zeros(shape, bool)
    mask[key] = True
    s = src if isinstance(src, Tensor) else None
    return nary(ScatterBackward, out, (input, s), meta=(axis, idx, src_shape), cache=mask)


def _const_like(input: Tensor, value: Any, index: Any) -> Tensor:
    return Tensor._const(xp_of(input._data).full(np.shape(array_of(index)), value,
                                                 dtype=input._data.dtype))


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of ``input`` at the 1-D ``index`` along ``dim`` (repeats allowed)."""
    idx = _index_array(index, "index_select", input._data)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{idx.shape}")
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    size = shape[axis] if shape else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise IndexError(f"index_select(): index out of range in self (index {idx.tolist()} "
                         f"for dimension {axis} of size {size})")
    if not shape:
        return getitem(input.reshape(1), idx.reshape(-1)).reshape(())
    return getitem(input, (slice(None),) * axis + (idx.reshape(-1),))


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements of ``input`` where the bool ``mask`` holds, as a 1-D tensor (the two
    broadcast together first)."""
    m = asarray(array_of(mask))
    if m.__class__ is not input._data.__class__:
        check_same_device(input._data, m)  # torch's error, never a copy
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype}")
    shape = np.broadcast_shapes(input._data.shape, m.shape)
    x = input if input._data.shape == shape else input.broadcast_to(shape)
    return getitem(x, np.broadcast_to(m, shape))


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or with ``as_tuple``
    one 1-D index tensor per dimension (0-d input counts as 1-D)."""
    d = asarray(array_of(input))
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64), None) for i in np.nonzero(np.atleast_1d(d)))
    return _wrap(np.argwhere(d).astype(np.int64), None)


def argwhere(input: Any) -> Tensor:
    return nonzero(input)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``where(cond, a, b)``: elements of a where cond holds, else b; ``where(cond)``:
    ``nonzero(cond, as_tuple=True)``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() takes 1 or 3 arguments (condition, input, other)")
    _check_condition(condition)
    return _where3(condition, input, other)


def _check_condition(condition: Any) -> None:
    """torch's where takes a bool condition tensor (uint8 still, deprecated), never ints or
    floats read as truth values."""
    if isinstance(condition, Tensor) and condition._data.dtype.kind not in "bu":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {condition._data.dtype}")


def _tensor_where(self: Tensor, condition: Any, other: Any) -> Tensor:
    _check_condition(condition)
    return _where3(condition, self, other)


# The in-place forms go through ops/inplace.py's apply_inplace as every in-place op: the
# leaf check, the version counter, a view's base rewritten (torch's CopySlices) and the
# base's other views replayed.
def index_put_(self: Tensor, indices: tuple, values: Any, accumulate: bool = False) -> Tensor:
    """``self[indices] = values`` in place; with ``accumulate`` repeated indices add up
    (``self[indices] += values`` with every repeat counted)."""
    return apply_inplace(self, "index_put_", lambda t, v: index_put(t, indices, v, accumulate),
                         values)


def scatter_(self: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    """In-place :func:`scatter`."""
    return apply_inplace(self, "scatter_", lambda t, s, v: scatter(t, dim, index, s, value=v,
                                                                   reduce=reduce), src, value)


def scatter_add_(self: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """In-place :func:`scatter_add`."""
    return apply_inplace(self, "scatter_add_", lambda t, s: scatter_add(t, dim, index, s), src)


def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
    """In-place :func:`masked_fill` (the mask broadcasts to ``self``, not the other way)."""
    return apply_inplace(self, "masked_fill_", lambda t, v: masked_fill(t, mask, v), value)


def index_put(self: Tensor, indices: tuple, values: Any, accumulate: bool = False) -> Tensor:
    """Out-of-place ``index_put_``: ``self`` with ``values`` put (or added) at ``indices``."""
    key = tuple(array_of(i) for i in indices)
    shape = self._data.shape
    sub = xp_of(self._data).empty(shape, bool)[key].shape  # the key may hold device arrays
    v = values if isinstance(values, Tensor) else Tensor._const(
        follow(asarray(values, dtype=self._data.dtype), self._data))
    if v._data.shape != sub:
        v = v.broadcast_to(sub)
    if accumulate:
        return add(self, index_add(v, shape, key))
    # Repeated positions: the last write wins (as torch on CPU), and each repeat's value
    # still gets the gradient at its position, as torch's index_put VJP (grad[indices]).
    return put_at(self, key, v)


# -- scatter_reduce ------------------------------------------------------------------------
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
    if not include_self:  # the fold's identity (an integer dtype's extreme for amax/amin)
        start = _START[op]
        if out.dtype.kind in "iu" and op != "prod":
            info = np.iinfo(out.dtype)
            start = info.min if op == "amax" else info.max
        out[hit] = start
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
    # torch counts input's ties even with include_self=False (its VJP counts self == y
    # before zeroing self's share): a source equal to an excluded input value gets half
    tie_in = hit & (x == out)
    at = full_index(idx, dim)
    tie_src = part == out[at]
    count = tie_in + put_along_array(tie_src.astype(np.float64), x.shape, dim, idx)
    w_in = np.where(hit, tie_in / np.maximum(count, 1) if include_self else 0, 1
                    ).astype(x.dtype)
    w_src = (tie_src / np.maximum(count[at], 1)).astype(x.dtype)
    return w_in, w_src


def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Fold ``src`` into ``input`` at ``index`` along ``dim`` with ``reduce`` (sum, prod,
    mean, amax, amin); positions no index reaches keep ``input``'s value."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"scatter_reduce(): reduce argument must be one of sum, prod, "
                           f"mean, amax, amin, got {reduce!r}")
    idx = _index_array(index, "scatter_reduce", input._data)
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    _check_index("scatter_reduce", shape, axis, idx, np.shape(array_of(src)))
    part = _src_part(src, idx)
    if not isinstance(part, Tensor):
        part = Tensor._const(asarray(part, dtype=input._data.dtype))
    ones = (np if idx.__class__ is np.ndarray else xp_of(idx)).ones(idx.shape)
    hit = put_along_array(ones, shape, axis, idx) > 0
    if reduce in ("sum", "mean"):
        base = input if include_self else masked_fill(input, hit, 0)
        total = add(base, put_along(part, shape, axis, idx))
        if reduce == "sum":
            return total
        count = put_along_array(ones, shape, axis, idx) + include_self
        count = np.maximum(count, 1).astype(np.int64)
        if input._data.dtype.kind in "biu":  # integer means round down, as torch
            mean = Tensor._const(np.floor_divide(total._data, count).astype(input._data.dtype))
        else:
            mean = div(total, count.astype(input._data.dtype))
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
    return apply_inplace(self, "scatter_reduce_", lambda t, s: scatter_reduce(
        t, dim, index, s, reduce, include_self=include_self), src)


# The differentiable ops of this family (each has registry cases).
PUBLIC = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "take_along_dim",
    "masked_select", "index_put",
]

METHODS = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add,
    "index_select": index_select, "take_along_dim": take_along_dim,
    "masked_select": masked_select, "nonzero": nonzero, "argwhere": argwhere,
    "where": _tensor_where, "index_put_": index_put_, "index_put": index_put,
    "scatter_": scatter_, "scatter_add_": scatter_add_, "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_, "masked_fill_": masked_fill_,
}
