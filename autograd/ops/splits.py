"""torch's remaining ways to cut and reshape a tensor, as compositions of the view ops:
``split_with_sizes``, ``hsplit``/``vsplit``/``dsplit``, ``unsafe_split``/``unsafe_chunk``/
``unsafe_split_with_sizes`` (torch's unchecked-alias variants: here the same views as
``split``), ``narrow_copy``, ``diagflat`` and ``sum_to_size``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.dims import size_args
from autograd.ops.broadcast import sum_to
from autograd.ops.composite import narrow
from autograd.ops.geometry import tensor_split
from autograd.ops.rearrange import chunk, diag, split
from autograd.ops.shape import reshape
from autograd.ops.unary import clone
from autograd.tensor import Tensor


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple:
    """Pieces of the given sizes along ``dim`` (they must add up to its length)."""
    return split(input, [int(s) for s in split_sizes], dim)


def _split_along(input: Tensor, ios: Any, dim: int, name: str, need: int) -> tuple:
    nd = input._data.ndim
    if nd < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, "
                           f"but got a tensor with {nd} dimensions!")
    if isinstance(ios, int | np.integer):
        size = input._data.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {size} is not divisible by the "
                               f"split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 1 (dim 0 of a 1-D tensor) into equal sections or at indices."""
    dim = 0 if input._data.ndim == 1 else 1
    return _split_along(input, indices_or_sections, dim, "hsplit", 1)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 0 (at least 2-D) into equal sections or at indices."""
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 2 (at least 3-D) into equal sections or at indices."""
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)


def unsafe_split(input: Tensor, split_size: Any, dim: int = 0) -> tuple:
    """``split`` (torch's variant skips alias checks; the pieces are the same)."""
    return split(input, split_size, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` (torch's variant skips alias checks; the pieces are the same)."""
    return chunk(input, chunks, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple:
    """``split_with_sizes`` (torch's variant skips alias checks)."""
    return split_with_sizes(input, split_sizes, dim)


def narrow_copy(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``narrow`` copied out (a new tensor, not a view)."""
    nd = input._data.ndim
    if not nd:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if not -nd <= dim < nd:
        raise RuntimeError(f"narrow_copy(): dim {dim} out of range for a tensor of {nd} "
                           "dimensions")
    return clone(narrow(input, dim, start, length))


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input as the ``offset``-th diagonal of a square matrix."""
    return diag(reshape(input, -1), offset)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """``input`` summed down to ``size``, a shape ``input`` broadcasts from (summing over
    leading dims and over dims of size 1 in ``size``)."""
    shape = tuple(size_args(size, None, "sum_to_size"))
    have = tuple(input._data.shape)
    ok = len(shape) <= len(have) and all(
        s == h or s == 1 for s, h in zip(shape[::-1], have[::-1]))
    if not ok:
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(have)}}}.")
    return sum_to(input, shape)


PUBLIC = ["split_with_sizes", "hsplit", "vsplit", "dsplit", "narrow_copy", "diagflat",
          "sum_to_size"]

METHODS: dict[str, Any] = {
    "split_with_sizes": split_with_sizes, "hsplit": hsplit, "vsplit": vsplit,
    "dsplit": dsplit, "unsafe_split": unsafe_split, "unsafe_chunk": unsafe_chunk,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "narrow_copy": narrow_copy,
    "diagflat": diagflat, "sum_to_size": sum_to_size,
}
FUNCTIONS: dict[str, Any] = {k: v for k, v in METHODS.items() if k != "sum_to_size"}
