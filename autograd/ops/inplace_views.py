"""In-place ops that change a tensor's shape rather than its values, as torch's:
``squeeze_``, ``unsqueeze_``, ``t_``, ``transpose_``, ``swapaxes_``/``swapdims_``,
``resize_``, ``resize_as_``; and the elementwise in-place methods that take a Python
callable, ``apply_`` and ``map_``, and ``nan_to_num_``.

torch changes such a tensor's own metadata (sizes and strides over the same storage). Here
the tensor takes the view op's result: its array becomes the NumPy view with the new
shape, and, in a graph, the view's node (``t_()`` of a non-leaf gives ``TransposeBackward``
as torch's ``TBackward``). The version counter goes up (torch's does), so a backward that
saved the tensor raises. Views of the tensor made before keep their own layout; their
recorded chain from the base (``ops/views.py``) gets the inverse step in front, so a later
recorded in-place change of the base still replays them right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.dims import normalize_dim, size_args
from autograd.ops.composite import nan_to_num
from autograd.ops.inplace import inplace_of
from autograd.ops.shape import (
    SqueezeBackward,
    TransposeBackward,
    UnsqueezeBackward,
    squeeze,
    transpose,
    unsqueeze,
)
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _bump_version, _check_inplace


def _become(x: Tensor, r: Tensor, step: tuple, inverse: tuple) -> Tensor:
    """``x`` takes the view ``r = step(x)`` of itself: its array, and its node when one was
    recorded; a view's chain from its base gets ``step``, the chains of x's own views
    ``inverse`` in front (they were made from x's old layout: old = inverse(new))."""
    _check_inplace(x)
    _bump_version(x)  # before the node changes: x's producer sees its output changed
    _forget(r)
    if x._base is None:
        for ref in getattr(x, "_links", None) or ():
            v = ref()
            if v is not None and getattr(v, "_links", None) is not None:
                v._links = (inverse, *v._links)
    else:
        if getattr(x, "_links", None) is not None:
            x._links = (*x._links, step)
        if getattr(x, "_view_key", None) is not None:
            x._view_key = None  # the index no longer makes x from its base: the chain does
    x._data = r._data
    if r._node is not None:
        x._node = r._node
        x._requires_grad = True
    return x


def _forget(r: Tensor) -> None:
    """Drop the temporary view ``r`` from its base's list of views (x stands for it)."""
    base = r._base
    refs = getattr(base, "_links", None) if base is not None else None
    if isinstance(refs, list):
        refs[:] = [ref for ref in refs if ref() is not r]


def squeeze_(x: Tensor, dim: Any = None) -> Tensor:
    """``squeeze`` in place: x's size-1 dims (only ``dim``'s, when given) removed."""
    _check_inplace(x)
    old = x._data.shape
    r = squeeze(x, dim)
    return _become(x, r, ("reshape", (r._data.shape, SqueezeBackward)),
                   ("reshape", (old, UnsqueezeBackward)))


def unsqueeze_(x: Tensor, dim: int) -> Tensor:
    """``unsqueeze`` in place: a size-1 dim inserted at ``dim``."""
    _check_inplace(x)
    old = x._data.shape
    r = unsqueeze(x, dim)
    return _become(x, r, ("reshape", (r._data.shape, UnsqueezeBackward)),
                   ("reshape", (old, SqueezeBackward)))


def _swap(x: Tensor, dim0: int, dim1: int) -> Tensor:
    _check_inplace(x)
    n = x._data.ndim
    axes = list(range(n))
    if n:
        a, b = normalize_dim(dim0, n), normalize_dim(dim1, n)
        axes[a], axes[b] = axes[b], axes[a]
    step = ("permute", (tuple(axes), TransposeBackward))  # a swap is its own inverse
    return _become(x, transpose(x, dim0, dim1), step, step)


def transpose_(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """``transpose`` in place: dims ``dim0`` and ``dim1`` swapped."""
    return _swap(x, dim0, dim1)


def swapaxes_(x: Tensor, axis0: int, axis1: int) -> Tensor:
    """``swapaxes`` in place (``transpose_``)."""
    return _swap(x, axis0, axis1)


def swapdims_(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """``swapdims`` in place (``transpose_``)."""
    return _swap(x, dim0, dim1)


def t_(x: Tensor) -> Tensor:
    """``t`` in place: a matrix transposed; a tensor below 2 dims unchanged."""
    nd = x._data.ndim
    if nd > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd == 2:
        return _swap(x, 0, 1)
    _check_inplace(x)  # below 2 dims nothing moves, but it counts as an in-place change
    _bump_version(x)
    return x


def _memory(x: Tensor) -> tuple:
    """The array owning x's memory, row-major and flat, and x's offset in it (elements);
    (None, 0) when x's memory is no such array."""
    arr = x._data
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if arr.__class__ is not np.ndarray or not root.flags.c_contiguous or not arr.size:
        return None, 0
    start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return root.reshape(-1), start // arr.itemsize


def resize_(x: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Give x the shape ``sizes`` in place, reading its memory in row-major order from x's
    first element (torch's storage order: a transposed tensor resized reads its storage,
    not its logical order). Shrinking, or growing within the memory x's base owns, keeps
    sharing it; growing past it gives x new memory holding the old elements first and
    zeros after (torch leaves them uninitialised). A tensor that requires grad cannot be
    resized (torch)."""
    shape = tuple(size_args(sizes, None, "resize_"))
    if x.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    if shape == x._data.shape:
        return x
    n = math.prod(shape)
    flat, start = _memory(x)
    if flat is not None and start + n <= flat.size:
        data = flat[start:start + n].reshape(shape)
    else:
        data = xp_of(x._data).zeros(n, dtype=x._data.dtype)
        old = x._data.reshape(-1) if flat is None else flat[start:start + n]
        data[:min(n, old.size)] = old[:n]
        data = data.reshape(shape)
        _unlink(x)
        x._base = None  # new memory: no longer shared with a base
    _bump_version(x)
    _unlink(x)
    x._data = data
    return x


def _unlink(x: Tensor) -> None:
    """x no longer is the view its chain makes of its base: drop the chain."""
    base = x._base
    if base is None:
        return
    refs = getattr(base, "_links", None)
    if isinstance(refs, list):
        refs[:] = [ref for ref in refs if ref() is not x]
    if getattr(x, "_links", None) is not None:
        x._links = None
    if getattr(x, "_view_key", None) is not None:
        x._view_key = None


def resize_as_(x: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """``resize_`` to ``the_template``'s shape."""
    return resize_(x, tuple(the_template.shape))


def _python_values(x: Tensor, what: str) -> np.ndarray:
    if x.requires_grad:
        raise RuntimeError(f"Can't call {what}() on Variable that requires grad. Use "
                           f"var.detach().{what}() instead.")
    if x._data.__class__ is not np.ndarray:
        raise TypeError(f"{what} is only implemented on CPU tensors")
    return x._data


def _cast(value: Any, dtype: np.dtype) -> Any:
    """A callable's result as torch stores it: a real number, truncated for integers."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"must be real number, not {type(value).__name__}")
    if dtype.kind == "b":
        return bool(value)
    return int(value) if dtype.kind in "iu" else float(value)


def apply_(x: Tensor, callable: Callable[[Any], Any]) -> Tensor:
    """Each element replaced by ``callable(element)``, called with a Python int, float or
    bool (CPU only; not recorded, and not version counted, as torch's)."""
    d = _python_values(x, "apply_")
    for i in np.ndindex(d.shape):
        d[i] = _cast(callable(d[i].item()), d.dtype)
    return x


def map_(x: Tensor, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """Each element replaced by ``callable(element, other's element)``, ``tensor``
    broadcast to x's shape and of x's dtype (CPU only; not recorded, as torch's)."""
    if tensor.requires_grad:
        _python_values(tensor, "map_")
    d = _python_values(x, "map_")
    o = tensor._data
    if o.dtype != d.dtype:
        from autograd.tensor_meta import type as type_name

        raise TypeError(f"map_: expected {type_name(x)} for 'other' (got "
                        f"{type_name(tensor)})")
    try:
        other = np.broadcast_to(o, d.shape)
    except ValueError:
        raise RuntimeError(f"map_: the tensor of shape {list(o.shape)} cannot be expanded to "
                           f"the shape {list(d.shape)} ({torch_name(d.dtype)})") from None
    for i in np.ndindex(d.shape):
        d[i] = _cast(callable(d[i].item(), other[i].item()), d.dtype)
    return x


nan_to_num_ = inplace_of(nan_to_num, "nan_to_num_")

METHODS: dict[str, Any] = {
    "squeeze_": squeeze_, "unsqueeze_": unsqueeze_, "t_": t_, "transpose_": transpose_,
    "swapaxes_": swapaxes_, "swapdims_": swapdims_, "resize_": resize_,
    "resize_as_": resize_as_, "apply_": apply_, "map_": map_, "nan_to_num_": nan_to_num_,
}
FUNCTIONS: dict[str, Any] = {"resize_as_": resize_as_, "nan_to_num_": nan_to_num_}
