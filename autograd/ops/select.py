"""Choosing elements: indexing (and its adjoint, scatter-add), where, masked_fill,
and the elementwise maximum/minimum."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import asarray, check_same_device, is_array, is_device_array, xp_of
from autograd.errors import ShapeError
from autograd.graph import Node
from autograd.ops.record import array_of, binary, nary, unary
from autograd.promotion import cpu_scalars_moved, promote
from autograd.tensor import Tensor, _view


def _index_part(k: Any) -> Any:
    if isinstance(k, Tensor):
        k = k._data
    if is_array(k) and k.dtype == np.uint8:
        return k.astype(bool)  # torch's (deprecated) uint8 masks
    return k


def _sequence_is_tuple(key: list) -> bool:
    """torch's legacy rule: a list holding a sequence, tensor, slice, None or Ellipsis (and
    under 32 items) indexes as the tuple of its items (``x[[[0, 1]]]`` is ``x[[0, 1]]``)."""
    return len(key) < 32 and any(
        k is None or k is Ellipsis or isinstance(k, list | tuple | slice | Tensor)
        or is_array(k) for k in key)


def _index_key(key: Any) -> Any:
    """A NumPy index for ``key`` (Tensors inside it become arrays)."""
    if isinstance(key, list) and _sequence_is_tuple(key):
        key = tuple(key)
    if isinstance(key, tuple):
        return tuple(_index_part(k) for k in key)
    return _index_part(key)


def _dims_taken(k: Any) -> int:
    if k is None:
        return 0
    if is_array(k) and k.dtype == np.bool_:
        return k.ndim
    return 1


def _is_int(k: Any) -> bool:
    return isinstance(k, int | np.integer) and not isinstance(k, bool) or (
        is_array(k) and k.ndim == 0 and k.dtype.kind in "iu")


def split_ints(k: Any) -> tuple | None:
    """torch applies integer indices (0-d integer tensors too) first, as selects, and then
    the advanced ones with NumPy's rules on what is left: ``x[0, :, [1, 0]]`` has shape
    (3, 2) for x of shape (2, 3, 4), where NumPy, counting the 0 as advanced and split from
    the list by the slice, gives (2, 3). The two keys to apply in turn where that differs
    (an integer and an advanced index both in ``k``), else None."""
    if not isinstance(k, tuple) or not any(_is_int(p) for p in k):
        return None
    if not any(isinstance(p, list) or (is_array(p) and p.ndim > 0) for p in k):
        return None
    first, then = [], []
    for p in k:
        if _is_int(p):
            first.append(int(p))
        elif p is Ellipsis:
            first.append(p)
            then.append(p)
        else:
            first.extend([slice(None)] * _dims_taken(p))
            then.append(p)
    return tuple(first), tuple(then)


def _is_advanced(key: Any) -> bool:
    """Whether ``key`` uses integer-array indexing (which may repeat elements)."""
    parts = key if isinstance(key, tuple) else (key,)
    for k in parts:
        if isinstance(k, list):
            return True
        if is_array(k) and k.dtype != np.bool_:
            return True
    return False


def index_add_array(g: np.ndarray, shape: tuple, key: Any) -> np.ndarray:
    """zeros(shape) with ``g`` added at ``key``: repeated integer indices accumulate."""
    z = (np if g.__class__ is np.ndarray else xp_of(g)).zeros(shape, dtype=g.dtype)
    if _is_advanced(key):
        np.add.at(z, key, g)
    else:
        z[key] = g
    return z


class IndexBackward(Node):
    """y = x[key];  dx = zeros(x.shape) with g added at key (repeats accumulate)."""

    def vjp(self, g, xp):
        shape, key = self.meta
        return (xp.index_add(g, shape, key),)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]`` with NumPy's rules: ints, slices, None, Ellipsis, bool masks, int arrays."""
    k = _index_key(key)
    parts = split_ints(k)
    if parts is not None:
        return getitem(getitem(x, parts[0]), parts[1])
    d = x._data
    try:
        out = d[k]
    except IndexError as err:
        raise IndexError(f"{err} (indexing a tensor of shape {d.shape})") from None
    if out.__class__ is not np.ndarray and not is_array(out):
        # all ints: NumPy copies out a scalar, torch a 0-d view
        k = (k if isinstance(k, tuple) else (k,)) + (Ellipsis,)
        out = d[k]
    y = unary(IndexBackward, out, x, meta=(d.shape, k))
    b = out.base  # basic indexing gives a view (shares x's version counter), the rest copies
    if b is not None and (b is d or b is d.base):
        if x._base is None:
            y._view_key = k  # in-place ops on y write into x at k (ops/inplace.py)
        _view(y, x, ("index", k))
    return y


class IndexAddBackward(Node):
    """y = zeros(shape) + g scattered at key;  dg = y_grad[key]."""

    def vjp(self, g, xp):
        return (g[self.meta],)


def index_add(g: Tensor, shape: tuple, key: Any) -> Tensor:
    """Scatter-add ``g`` into zeros of ``shape`` at ``key`` (the adjoint of indexing)."""
    k = _index_key(key)
    return unary(IndexAddBackward, index_add_array(g._data, tuple(shape), k), g, meta=k)


class WhereBackward(Node):
    """y = where(c, a, b);  da = g ⊙ c,  db = g ⊙ ¬c  (each summed back to its shape)."""

    def vjp(self, g, xp):
        cond = self.cached()
        sa, sb = self.meta
        ea, eb = self.edges[1], self.edges[2]
        ga = gb = None
        if ea is not None:
            ga = xp.where(cond, g, 0)
            ga = ga if sa is None else xp.sum_to(ga, sa)
        if eb is not None:
            gb = xp.where(cond, 0, g)
            gb = gb if sb is None else xp.sum_to(gb, sb)
        return None, ga, gb


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elements of ``a`` where ``condition`` holds, else of ``b`` (broadcasting)."""
    condition, a, b = cpu_scalars_moved(condition, a, b)
    cond = asarray(array_of(condition), dtype=bool)
    x, y = promote(array_of(a), array_of(b))
    if not (cond.__class__ is x.__class__ is np.ndarray):
        check_same_device(cond, x, y)
    try:
        out = np.where(cond, x, y)
    except ValueError:
        raise ShapeError(f"where: shapes {cond.shape}, {np.shape(array_of(a))} and "
                         f"{np.shape(array_of(b))} cannot be broadcast together") from None
    shape = out.shape
    sa, sb = np.shape(array_of(a)), np.shape(array_of(b))
    meta = (None if sa == shape else sa, None if sb == shape else sb)
    return nary(WhereBackward, out, (condition, a, b), meta=meta, cache=cond)


class MaskedFillBackward(Node):
    """y = x with ``value`` where mask;  dx = g with 0 where mask,  dvalue = Σ g over the
    filled positions (``value`` a 0-d tensor that requires grad, as torch)."""

    def vjp(self, g, xp):
        mask = self.cached()
        ex, ev = self.edges
        gx = gv = None
        if ex is not None:
            gx = xp.where(mask, 0, g)
            gx = gx if self.meta is None else xp.sum_to(gx, self.meta)
        if ev is not None:
            gv = xp.sum(xp.where(mask, g, 0), None, False)
        return gx, gv


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` written where ``mask`` is true (mask broadcasts to x). ``value``
    is a number or a 0-d tensor; a tensor value that requires grad gets the sum of the
    filled positions' gradient."""
    if isinstance(mask, Tensor) and mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                           f"dtype {mask._data.dtype}")
    x, mask, value = cpu_scalars_moved(x, mask, value)
    m = asarray(array_of(mask), dtype=bool)
    v = array_of(value)
    if m.__class__ is not x._data.__class__:
        check_same_device(m, x._data, v)
    if isinstance(value, Tensor) and v.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {v.ndim} dimension(s).")
    try:
        # a number goes in as a NumPy scalar: a device takes those, not host 0-d arrays
        fill = asarray(v, dtype=x._data.dtype) if is_array(v) else x._data.dtype.type(v)
        out = np.where(m, fill, x._data)
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {x._data.shape}") from None
    meta = None if out.shape == x._data.shape else x._data.shape
    return nary(MaskedFillBackward, out, (x, value), meta=meta, cache=m)


class MaximumBackward(Node):
    """y = max(a, b) elementwise;  da = g ⊙ wa,  db = g ⊙ wb  with wa = [a > b] + ½[a = b],
    wb = 1 − wa; where either is NaN, y is NaN and both get g (torch's convention)."""

    def vjp(self, g, xp):
        wa, wb = self.cached()
        sa, sb = self.meta
        ea, eb = self.edges
        ga = gb = None
        if ea is not None:
            ga = g * wa
            ga = ga if sa is None else xp.sum_to(ga, sa)
        if eb is not None:
            gb = g * (1 - wa if wb is None else wb)
            gb = gb if sb is None else xp.sum_to(gb, sb)
        return ga, gb


class MinimumBackward(MaximumBackward):
    """y = min(a, b) elementwise;  wa = [a < b] + ½[a = b] (as MaximumBackward)."""


def _extremum(a: Any, b: Any, is_max: bool) -> Tensor:
    a, b = cpu_scalars_moved(a, b)
    x, y = promote(array_of(a), array_of(b))
    out = np.maximum(x, y) if is_max else np.minimum(x, y)
    t = binary(MaximumBackward if is_max else MinimumBackward, out, a, b)
    if t._node is not None:
        dtype = out.dtype if out.dtype.kind == "f" else np.float32
        wins = (x > y) if is_max else (x < y)
        on_host = not is_device_array(wins)
        wa = np.array(wins, dtype=dtype) if on_host else wins.astype(dtype)
        wa[asarray(x == y)] = 0.5
        wb = None
        nan = np.isnan(out)
        # torch: a NaN on either side sends g to both (a device always takes this way:
        # asking whether there is a NaN would wait for the host)
        if not on_host or nan.any():
            wb = 1 - wa
            wa[nan] = 1
            wb[nan] = 1
        t._node.cache = (wa, wb)
    return t


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; ties split the gradient half and half (as torch)."""
    return _extremum(a, b, True)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; ties split the gradient half and half (as torch)."""
    return _extremum(a, b, False)


def _where_tensor(cond: Any, a: Any, b: Any) -> Tensor:
    return where(cond, a, b)
