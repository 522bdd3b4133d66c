"""Set and search ops without gradients, as torch's: unique, unique_consecutive,
searchsorted, bucketize, isin (results are int64 indices, the input's distinct values or
a bool mask)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import asarray, follow, to_host, xp_of
from autograd.dims import normalize_dim
from autograd.ops.record import array_of
from autograd.promotion import result_type
from autograd.tensor import Tensor, _wrap


def _out(a: Any, like: Any, dtype: Any = None) -> Tensor:
    """A result tensor on ``like``'s device."""
    return _wrap(follow(asarray(a, dtype=dtype), like), None)


def _host(x: Any) -> np.ndarray:
    return np.asarray(to_host(asarray(array_of(x))))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values, sorted (torch sorts on the CPU whatever ``sorted`` says; NaNs
    stay distinct), with the index of each input element among them (``return_inverse``)
    and how often each occurs (``return_counts``); with ``dim``, the distinct slices."""
    d = input._data
    a = _host(input)
    if dim is None:
        vals, inv, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                      equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        axis = normalize_dim(dim, a.ndim)
        vals, inv, counts = np.unique(a, return_inverse=True, return_counts=True, axis=axis,
                                      equal_nan=False)
        inv = inv.reshape(-1)
    out = [_out(vals, d)]
    if return_inverse:
        out.append(_out(inv, d, np.int64))
    if return_counts:
        out.append(_out(counts, d, np.int64))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """Each run of equal consecutive values (or slices along ``dim``) kept once."""
    d = input._data
    a = _host(input)
    if dim is None:
        flat = a.reshape(-1)
        new = np.ones(flat.shape[0], bool)
        new[1:] = flat[1:] != flat[:-1]
        vals = flat[new]
        inv_shape = a.shape
    else:
        axis = normalize_dim(dim, a.ndim)
        moved = np.moveaxis(a, axis, 0)
        new = np.ones(moved.shape[0], bool)
        if moved.shape[0] > 1:
            new[1:] = (moved[1:] != moved[:-1]).reshape(moved.shape[0] - 1, -1).any(1)
        vals = np.moveaxis(moved[new], 0, axis)
        inv_shape = (moved.shape[0],)
    inv = (np.cumsum(new) - 1).reshape(inv_shape)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, new.shape[0]))
    out = [_out(vals, d)]
    if return_inverse:
        out.append(_out(inv, d, np.int64))
    if return_counts:
        out.append(_out(counts, d, np.int64))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """For each value of ``input``, the index where it would go in ``sorted_sequence``
    (the last dim; leading dims match ``input``'s), the first such (``right``/``side=
    'right'``: the last). A Python number gives a 0-d result."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = _host(sorted_sequence)
    if sorter is not None:
        seq = np.take_along_axis(seq, _host(sorter).astype(np.int64), -1)
    vals = _host(input)
    how = "right" if right else "left"
    if seq.ndim == 1:
        idx = np.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               f"the first N-1 dimensions of boundaries tensor and input value "
                               f"tensor must match, but we got boundaries tensor "
                               f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = vals.reshape(-1, vals.shape[-1])
        idx = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(s2, v2)]
                       ).reshape(vals.shape)
    return _out(idx, sorted_sequence._data, np.int32 if out_int32 else np.int64)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value of ``input`` among the 1-D ``boundaries``:
    ``boundaries[i-1] < x <= boundaries[i]`` (``right``: ``boundaries[i-1] <= x <
    boundaries[i]``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)

def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each of ``elements`` is among ``test_elements`` (torch.isin): a bool tensor
    of ``elements``' shape, True where a value equals one of the test values (compared as
    numbers after type promotion: 2 matches 2.0; NaN matches nothing), negated with
    ``invert``. Either argument may be a number, not both; bool tensors raise, as torch's.
    ``assume_unique`` is a speed hint (the result is the same)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        f"expected (Tensor elements, Tensor test_elements, *, bool "
                        f"assume_unique = False, bool invert = False)")
    for x in (elements, test_elements):
        if not isinstance(x, (Tensor, int, float, np.number)) or isinstance(x, bool):
            raise TypeError(f"isin(): elements and test_elements must be Tensors or "
                            f"numbers, got {type(x).__name__}")
        if isinstance(x, Tensor) and x._data.dtype == np.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    like = elements if isinstance(elements, Tensor) else test_elements
    xp = xp_of(like._data)
    # compared at torch's result type (a number wraps into a uint8 tensor's, as torch's)
    dt = result_type(elements, test_elements)
    with np.errstate(all="ignore"):
        a, b = (x._data.astype(dt, copy=False) if isinstance(x, Tensor)
                else xp.asarray(np.array(x).astype(dt)) for x in (elements, test_elements))
    return _wrap(xp.isin(a, b, assume_unique=assume_unique, invert=invert), None)


PUBLIC_NO_GRAD = ["unique", "unique_consecutive", "searchsorted", "bucketize",
                  "isin"]

METHODS = {"unique": unique, "unique_consecutive": unique_consecutive}
