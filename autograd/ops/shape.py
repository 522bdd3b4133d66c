"""Ops that move elements without changing them: reshape and its relatives,
transpose/permute, cat, stack and constant padding. Each VJP moves the
gradient back the same way."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device
from autograd.dims import normalize_dim, normalize_dims
from autograd.errors import ShapeError
from autograd.graph import Away, Node
from autograd.ops.record import nary, unary
from autograd.promotion import result_type
from autograd.tensor import Tensor, _view


def _sizes(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        return tuple(shape[0])
    return tuple(shape)


class ReshapeBackward(Node):
    """y = reshape(x);  dx = reshape(g, x.shape)."""

    def vjp(self, g, xp):
        return (xp.reshape(g, self.meta),)


class ViewBackward(ReshapeBackward):
    """y = x.view(shape);  dx = g.view(x.shape)."""


class FlattenBackward(ReshapeBackward):
    """y = flatten(x);  dx = reshape(g, x.shape)."""


class SqueezeBackward(ReshapeBackward):
    """y = squeeze(x);  dx = reshape(g, x.shape)."""


class UnsqueezeBackward(ReshapeBackward):
    """y = unsqueeze(x);  dx = reshape(g, x.shape)."""


def _reshape(x: Tensor, shape: tuple, cls: type[Node]) -> Tensor:
    d = x._data
    if d.shape == shape:
        return x if cls is ReshapeBackward else _view(unary(cls, d, x, meta=d.shape), x,
                                                       ("reshape", (shape, cls)))
    try:
        out = d.reshape(shape)
    except ValueError:
        raise RuntimeError(
            f"shape {tuple(shape)} is invalid for input of shape {d.shape} "
            f"({d.size} elements)"
        ) from None
    b = out.base  # NumPy reshapes to a view when the strides allow, else copies
    if b is not None and (b is d or b is d.base):
        return _view(unary(cls, out, x, meta=d.shape), x, ("reshape", (shape, cls)))
    base = x._base
    if cls is ViewBackward and d.size and base is not None and base._data.flags.c_contiguous:
        # x is a view of a row-major tensor, so its strides are torch's: torch raises here
        # (a copy would be no view). Elsewhere chainrule's layout may differ from torch's
        # (a VJP's gradient can be a slice of a padded buffer where torch's is contiguous):
        # there the copy stands in for torch's view, as reshape does.
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): view {tuple(shape)} of shape "
            f"{d.shape} with strides {_elements(d)}. Use .reshape(...) instead.")
    return unary(cls, out, x, meta=d.shape)


def _elements(d: Any) -> tuple:
    """Strides in elements, as torch prints them (NumPy's are in bytes)."""
    return tuple(s // d.itemsize for s in d.strides)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in ``shape`` (one dimension may be -1)."""
    return _reshape(x, _sizes(shape), ReshapeBackward)


def view(x: Tensor, *shape: Any) -> Tensor:
    return _reshape(x, _sizes(shape), ViewBackward)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one."""
    shape = x._data.shape
    if not shape:
        normalize_dim(start_dim, 0), normalize_dim(end_dim, 0)
        return _reshape(x, (1,), FlattenBackward)
    n = len(shape)
    s, e = normalize_dim(start_dim, n), normalize_dim(end_dim, n)
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim cannot come after end_dim "
                           f"(start_dim {start_dim}, end_dim {end_dim}, shape {shape})")
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return _reshape(x, new, FlattenBackward)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dimensions (only ``dim`` when given; a dim that is not 1 stays, as torch)."""
    shape = x._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = set(normalize_dims(dim, len(shape)))
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _reshape(x, new, SqueezeBackward)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim``."""
    shape = x._data.shape
    d = normalize_dim(dim, len(shape) + 1)
    return _reshape(x, shape[:d] + (1,) + shape[d:], UnsqueezeBackward)


class PermuteBackward(Node):
    """y = permute(x, p);  dx = permute(g, p⁻¹)."""

    def vjp(self, g, xp):
        return (xp.permute(g, self.meta),)


class TransposeBackward(PermuteBackward):
    """y = transpose(x, d0, d1);  dx = transpose(g, d0, d1)."""


def _permute(x: Tensor, axes: tuple, cls: type[Node]) -> Tensor:
    inverse = tuple(np.argsort(axes))
    return _view(unary(cls, x._data.transpose(axes), x, meta=inverse), x,
                 ("permute", (axes, cls)))


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder dimensions: output dim i is input dim ``dims[i]``."""
    dims = _sizes(dims)
    n = x._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute: number of dims don't match in permute: the tensor has "
                           f"{n} dims (shape {x._data.shape}), the ordering {dims} has "
                           f"{len(dims)}")
    axes = tuple(normalize_dim(d, n) for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {dims})")
    return _permute(x, axes, PermuteBackward)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    n = x._data.ndim
    dim0, dim1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
    if not n:  # a 0-d tensor: dims 0 and -1 are accepted and nothing moves (torch)
        return _permute(x, (), TransposeBackward)
    axes = list(range(n))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return _permute(x, tuple(axes), TransposeBackward)


def T(x: Tensor) -> Tensor:
    """All dimensions reversed (a matrix transpose for 2-D)."""
    return _permute(x, tuple(range(x._data.ndim))[::-1], TransposeBackward)


def _promoted(arrays: list) -> list:
    """The arrays at their common ``torch.result_type`` (cat and stack promote, as torch)."""
    dt = arrays[0].dtype
    if all(a.dtype is dt for a in arrays):
        return arrays
    dt = result_type(*arrays)
    return [a.astype(dt, copy=False) for a in arrays]


class CatBackward(Node):
    """y = cat(xs, dim);  dxᵢ = the slice of g that came from xᵢ."""

    def vjp(self, g, xp):
        axis, bounds = self.meta
        lead = (slice(None),) * axis
        return tuple(g[lead + (slice(a, b),)] if e is not None else None
                     for e, a, b in zip(self.edges, bounds[:-1], bounds[1:]))


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cat", cat, tensors, dim)
    tensors = tuple(tensors)
    if not tensors:
        raise ShapeError("cat() expects a non-empty sequence of tensors")
    arrays = [t._data if isinstance(t, Tensor) else asarray(t) for t in tensors]
    check_same_device(*arrays)
    if any(a.shape == (0,) for a in arrays) and any(a.shape != (0,) for a in arrays):
        # torch's legacy rule: 1-d empty tensors (torch.tensor([])) are skipped, whatever
        # the others' shapes, though their dtypes still take part in the promotion
        dt = result_type(*arrays)
        kept = [(t, a) for t, a in zip(tensors, arrays) if a.shape != (0,)]
        tensors = tuple(t for t, _ in kept)
        arrays = [a.astype(dt, copy=False) for _, a in kept]
    ndim = arrays[0].ndim
    if ndim == 0:
        raise RuntimeError("zero-dimensional tensors cannot be concatenated")
    axis = normalize_dim(dim, ndim)
    for a in arrays[1:]:
        if a.ndim != ndim or a.shape[:axis] + a.shape[axis + 1:] != \
                arrays[0].shape[:axis] + arrays[0].shape[axis + 1:]:
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {dim}; got shapes "
                f"{[x.shape for x in arrays]}"
            )
    out = np.concatenate(_promoted(arrays), axis=axis)
    bounds = tuple(np.cumsum([0] + [a.shape[axis] for a in arrays]).tolist())
    return nary(CatBackward, out, tensors, meta=(axis, bounds))


class StackBackward(Node):
    """y = stack(xs, dim);  dxᵢ = g[..., i, ...] (index i along dim)."""

    def vjp(self, g, xp):
        lead = (slice(None),) * self.meta
        return tuple(g[lead + (i,)] if e is not None else None
                     for i, e in enumerate(self.edges))


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension ``dim``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("stack", stack, tensors, dim)
    tensors = tuple(tensors)
    if not tensors:
        raise ShapeError("stack() expects a non-empty sequence of tensors")
    arrays = [t._data if isinstance(t, Tensor) else asarray(t) for t in tensors]
    check_same_device(*arrays)
    if any(a.shape != arrays[0].shape for a in arrays):
        raise RuntimeError(f"stack expects each tensor to be equal size, got shapes "
                           f"{[a.shape for a in arrays]}")
    axis = normalize_dim(dim, arrays[0].ndim + 1)
    return nary(StackBackward, np.stack(_promoted(arrays), axis=axis), tensors, meta=axis)


class PadBackward(Node):
    """y = pad(x, widths, value);  dx = the centre of g (the part that was x)."""

    def vjp(self, g, xp):
        return (g[self.meta],)


def pad(x: Tensor, pad_width: Any, value: float = 0.0) -> Tensor:
    """Pad with a constant; ``pad_width`` as NumPy's: a (before, after) pair per dim, or one
    pair (or one int) for all dims."""
    d = x._data
    widths = asarray(pad_width, dtype=np.int64)
    try:  # NumPy's forms: n, (n,), (before, after), ((before, after),), one pair per dim
        if widths.ndim > 2:
            raise ValueError
        widths = np.broadcast_to(widths, (d.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width of shape {widths.shape} does not fit a tensor of "
                         f"shape {d.shape} (need ({d.ndim}, 2))") from None
    if (widths < 0).any():
        raise ValueError("pad: negative widths are not supported")
    out = np.pad(d, tuple(map(tuple, widths.tolist())), mode="constant", constant_values=value)
    centre = tuple(slice(int(b), int(b) + s) for (b, _), s in zip(widths, d.shape))
    return unary(PadBackward, out, x, meta=centre)


def _permute_array(g: np.ndarray, axes: tuple) -> np.ndarray:
    return g.transpose(axes)


def _permute_tensor(g: Tensor, axes: tuple) -> Tensor:
    return _permute(g, tuple(axes), PermuteBackward)


def _reshape_array(g: np.ndarray, shape: tuple) -> np.ndarray:
    return g.reshape(shape)


def _reshape_tensor(g: Tensor, shape: tuple) -> Tensor:
    return _reshape(g, tuple(shape), ReshapeBackward)
