"""torch's ``select_scatter``, ``slice_scatter`` and ``diagonal_scatter``: a copy of
``input`` with the view that ``select``/slicing/``diagonal`` would make of it replaced by
``src`` (of exactly that view's shape; cast to input's dtype).

Each is ``views.copy_slices`` (the out-of-place write through a view chain that in-place
ops on views use): dinput = g with the region zeroed, dsrc = the region of g.
"""

from __future__ import annotations

from typing import Any

from autograd.ops import rearrange  # noqa: F401 - registers the diagonal view step
from autograd.ops.along import dim_of
from autograd.ops.views import chain_array, copy_slices
from autograd.tensor import Tensor


def _scatter(input: Tensor, src: Tensor, chain: tuple) -> Tensor:
    region = chain_array(input._data, chain)
    s = src._data if isinstance(src, Tensor) else None
    if s is None:
        raise TypeError(f"expected src to be a Tensor, got {type(src).__name__}")
    if s.shape != region.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(s.shape)}, slice size = {list(region.shape)}")
    return copy_slices(input, chain, src)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    shape = input._data.shape
    axis = dim_of(dim, len(shape))
    if not -shape[axis] <= int(index) < shape[axis]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {dim}")
    # (..., index, ...): a 0-d view of a 1-D input too (NumPy gives a scalar for a[i])
    return _scatter(input, src, (("index", (slice(None),) * axis + (int(index), Ellipsis)),))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """``input`` with ``input[..., start:end:step]`` (along ``dim``) replaced by ``src``."""
    axis = dim_of(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * axis + (slice(start, end, step),)
    return _scatter(input, src, (("index", key),))


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src`` (whose last
    dim runs along the diagonal, as diagonal's output)."""
    nd = input._data.ndim
    a, b = dim_of(dim1, nd), dim_of(dim2, nd)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _scatter(input, src, (("diagonal", (int(offset), a, b)),))


PUBLIC = ["select_scatter", "slice_scatter", "diagonal_scatter"]

METHODS: dict[str, Any] = {
    "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter,
}
FUNCTIONS: dict[str, Any] = dict(METHODS)
