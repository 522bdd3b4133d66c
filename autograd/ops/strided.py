"""``as_strided``: elements of a tensor's memory read through sizes and strides of your own
(torch's ``x.as_strided(size, stride, storage_offset)``, the sliding-window trick).

Element ``i`` of the result (``i`` a multi-index over ``size``) is the memory element at
``offset + Σ_k i_k · stride_k``, counted in elements from the start of the memory ``x``
views (its "storage": the NumPy array that owns it; ``offset`` defaults to ``x``'s own
storage offset, as torch's). Windows may overlap, so the gradient adds up: x's element at
memory position p receives the sum of g over every result element read from p
(``index_add``), and elements read from memory outside ``x`` pass theirs nowhere.

Unlike torch's, the result is a copy, not a view: writing into it does not change ``x``.
That keeps overlapping windows (several result elements on one memory element) from
aliasing, which NumPy's views cannot track for the engine's in-place checks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.tensor import Tensor
from autograd.tensor_meta import address, storage_root

__all__ = ["as_strided"]


def _storage(d: Any) -> tuple[Any, int]:
    """The 1-d memory ``d`` views (its owning array, flat, in ``d``'s dtype) and ``d``'s
    offset in it, in elements."""
    root = storage_root(d)
    if not root.flags.c_contiguous or root.nbytes % d.itemsize:
        root = d = d.copy()  # memory that is not one block: d's own copy is the storage
    flat = root.reshape(-1).view(d.dtype) if root.size else root.reshape(-1)
    return flat, (address(d) - address(root)) // d.itemsize


def _positions(arrays: Any, size: tuple, stride: tuple, offset: int) -> Any:
    """offset + Σ_k i_k · stride_k over the index grid of ``size`` (int64, shape ``size``),
    with the array module ``arrays`` (NumPy or CuPy)."""
    pos = arrays.full(size, offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        pos = pos + (arrays.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


class AsStridedBackward(Node):
    """y_i = memory[p_i];  dx_j = Σ_{i: p_i = q_j} g_i, q_j the memory position of x_j
    (``meta``: x's element index for each y element, n for one outside x; x's shape)."""

    def vjp(self, g, xp):
        index, shape = self.meta
        n = math.prod(shape)
        flat = xp.index_add(g, (n + 1,), (index,))  # slot n gathers what lies outside x
        return (xp.reshape(flat[:n], shape),)


def as_strided(input: Tensor, size: Any, stride: Any, storage_offset: int | None = None
               ) -> Tensor:
    """The elements of ``input``'s memory at ``storage_offset + Σ_k i_k · stride_k``, shape
    ``size`` (a copy; see the module docstring). torch's errors for sizes and strides of
    different lengths, negative strides and positions outside the memory."""
    d = input._data
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape (as_strided: size "
                           f"{list(size)}, stride {list(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"as_strided: negative size in {list(size)}")
    arrays = xp_of(d)
    flat, own = _storage(d)
    offset = own if storage_offset is None else int(storage_offset)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if math.prod(size) and (offset < 0 or last >= flat.size):
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {d.itemsize} requiring a storage "
                           f"size of {(last + 1) * d.itemsize} are out of bounds for storage "
                           f"of size {flat.size * d.itemsize}")
    pos = _positions(arrays, size, stride, offset)
    out = flat[pos] if pos.size else arrays.empty(size, dtype=d.dtype)
    if not input.requires_grad:
        return unary(AsStridedBackward, out, input)
    # x's own memory positions, inverted: which element of x each memory element is
    mine = _positions(arrays, d.shape, tuple(s // d.itemsize for s in d.strides), own)
    owner = arrays.full(flat.size, d.size, dtype=np.int64)
    owner[mine.reshape(-1)] = arrays.arange(d.size, dtype=np.int64)
    return unary(AsStridedBackward, out, input, meta=(owner[pos], d.shape))
