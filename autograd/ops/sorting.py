"""Sorting and selection along a dimension: sort, argsort, topk, kthvalue, median and
mode, as torch (values and int64 indices; NaN sorts as the largest value). The values
are the input read at the indices (``gather``), so the gradient goes to the selected
elements; sorting is stable, so equal values keep their order."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.backend import asarray, xp_of
from autograd.dims import check_nonempty_reduction
from autograd.ops.along import dim_of, gather
from autograd.ops.record import unary
from autograd.ops.reduce import MaxBackward
from autograd.tensor import Tensor, _wrap


class ReturnTypes(NamedTuple):
    """``(values, indices)`` as torch's named tuple."""

    values: Tensor
    indices: Tensor


def _order(d: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sorting permutation along ``axis`` (NaN last ascending, first descending)."""
    if not descending:
        return np.argsort(d, axis=axis, kind="stable")
    n = d.shape[axis]
    rev = np.argsort(np.flip(d, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - rev, axis)


def _prepare(input: Tensor, dim: Any) -> tuple:
    d = input._data
    axis = dim_of(dim, d.ndim)
    return (d.reshape(1) if d.ndim == 0 else d), axis


def _select(input: Tensor, axis: int, idx: np.ndarray, keepdim: bool = True) -> ReturnTypes:
    shape = input._data.shape
    if not shape:
        idx = idx.reshape(())
        return ReturnTypes(gather(input, 0, idx), _wrap(idx.astype(np.int64), None))
    values = gather(input, axis, idx)
    if not keepdim:
        values = values.squeeze(axis)
        idx = idx.squeeze(axis)
    return ReturnTypes(values, _wrap(idx.astype(np.int64, copy=False), None))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> ReturnTypes:
    """The elements along ``dim`` in order, and where each came from."""
    d, axis = _prepare(input, dim)
    return _select(input, axis, _order(d, axis, descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64)."""
    d, axis = _prepare(input, dim)
    return _wrap(_order(d, axis, descending).reshape(input._data.shape).astype(np.int64), None)


def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> ReturnTypes:
    """The ``k`` largest (or smallest) elements along ``dim``, in order, and their indices."""
    d, axis = _prepare(input, dim)
    n = d.shape[axis]
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, size {n} along dim {axis})")
    idx = _order(d, axis, largest)[(slice(None),) * axis + (slice(0, k),)].copy()
    return _select(input, axis, idx)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ReturnTypes:
    """The ``k``-th smallest element (1-based) along ``dim`` and its index."""
    d, axis = _prepare(input, dim)
    check_nonempty_reduction("kthvalue", d.shape, (axis,))
    n = d.shape[axis]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis} "
                           f"(k={k}, size {n})")
    idx = np.take(_order(d, axis, False), [k - 1], axis=axis)
    return _select(input, axis, idx, keepdim)


class MedianBackward(MaxBackward):
    """y = the lower median of all elements;  dx = g split evenly over the elements equal
    to it (as torch)."""


def _check_not_bool(d: Any, dim: Any) -> None:
    """torch's median kernels take no bool input (its two kernels' names in the error)."""
    if d.dtype == np.bool_:
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median (the ⌊(n−1)/2⌋-th smallest) of all elements (0-d), or
    ``(values, indices)`` along ``dim``. NaN anywhere gives NaN, as torch."""
    d = input._data
    _check_not_bool(d, dim)
    if dim is None:
        flat = d.reshape(-1)
        if not flat.size:  # NaN, with a gradient of zeros (torch's)
            return unary(MedianBackward, asarray(np.nan, d.dtype), input,
                         meta=(d.shape, (1,) * d.ndim), cache=xp_of(d).zeros_like(d))
        o = _order(flat, 0, False)
        m = flat[o[(flat.size - 1) // 2]] if not np.isnan(flat).any() else asarray(
            np.nan, d.dtype)
        # torch's evenly_distribute_backward: ties share the gradient, a NaN median goes
        # to every NaN
        mask = (flat == m) | (np.isnan(flat) & np.isnan(m))
        w = (mask / max(mask.sum(), 1)).astype(d.dtype).reshape(d.shape)
        return unary(MedianBackward, asarray(m, d.dtype), input,
                     meta=(d.shape, (1,) * d.ndim), cache=w)
    flat, axis = _prepare(input, dim)
    check_nonempty_reduction("median", flat.shape, (axis,))
    n = flat.shape[axis]
    order = _order(flat, axis, False)
    xp = np if flat.__class__ is np.ndarray else xp_of(flat)
    pos = xp.full(flat.shape[:axis] + (1,) + flat.shape[axis + 1:], (n - 1) // 2)
    nan = np.isnan(flat).any(axis=axis, keepdims=True)
    # the first NaN is the median of a slice holding one (a device skips the test: no sync)
    if xp is not np or nan.any():
        pos = np.where(nan, np.sum(~np.isnan(flat), axis=axis, keepdims=True), pos)
    return _select(input, axis, np.take_along_axis(order, pos, axis), keepdim)


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """:func:`median` of the non-NaN elements (NaN only where all are NaN)."""
    d = input._data
    _check_not_bool(d, dim)
    if dim is None:
        flat = d.reshape(-1)
        valid = flat[~np.isnan(flat)]
        if not valid.size:
            return median(input)
        m = valid[_order(valid, 0, False)[(valid.size - 1) // 2]]
        mask = flat == m
        w = (mask / mask.sum()).astype(d.dtype).reshape(d.shape)
        return unary(MedianBackward, asarray(m, d.dtype), input,
                     meta=(d.shape, (1,) * d.ndim), cache=w)
    flat, axis = _prepare(input, dim)
    check_nonempty_reduction("median", flat.shape, (axis,))  # torch's message names median
    order = _order(flat, axis, False)  # NaNs sort last
    count = np.sum(~np.isnan(flat), axis=axis, keepdims=True)
    pos = np.maximum(count - 1, 0) // 2
    return _select(input, axis, np.take_along_axis(order, pos, axis), keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ReturnTypes:
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and
    the index of its last occurrence (as torch)."""
    flat, axis = _prepare(input, dim)
    check_nonempty_reduction("mode", flat.shape, (axis,))
    moved = np.moveaxis(flat, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    best = xp_of(flat).empty(rows.shape[0], np.int64)  # the indices stay where the data is
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]  # unique sorts: the first maximum is the smallest value
        best[r] = np.flatnonzero(row == v)[-1] if v == v else np.flatnonzero(row != row)[-1]
    idx = np.moveaxis(best.reshape(moved.shape[:-1] + (1,)), -1, axis)
    return _select(input, axis, idx, keepdim)


# The differentiable ops of this family (each has registry cases).
PUBLIC = [
    "sort", "topk", "kthvalue", "median", "mode", "nanmedian",
]

METHODS = {"sort": sort, "argsort": argsort, "msort": msort, "topk": topk,
           "kthvalue": kthvalue, "median": median, "mode": mode, "nanmedian": nanmedian}
