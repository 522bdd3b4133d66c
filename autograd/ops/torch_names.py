"""torch's other names and small compositions of the primitives, so that code written for
torch finds them: ``torch.concat``, ``torch.hstack``, ``torch.meshgrid(a, b, indexing="ij")``,
``torch.atleast_2d``, ``torch.broadcast_tensors``, ``x.expand_as(y)``, ``x.unfold(0, 3,
1)``, ``x.stride()`` and the like (``ops.composite`` holds the others: ``torch.add(alpha=)``,
``index_fill``, ``nansum``...).

Nothing here has a node of its own: each name differentiates exactly as the primitives it
is made of (``logaddexp`` and ``logaddexp2``, listed here, are ``ops.elementary``'s
primitives).
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.factories import asarray
from autograd.ops.along import index_put
from autograd.ops.broadcast import expand
from autograd.ops.elementary import logaddexp, logaddexp2  # torch's names, primitives there
from autograd.ops.linalg_compositions import multi_dot
from autograd.ops.products import norm
from autograd.ops.select import getitem
from autograd.ops.shape import cat, permute, reshape, view
from autograd.ops.strided import as_strided
from autograd.printing import dtype_name
from autograd.tensor import Tensor, _wrap


# -- arithmetic under torch's function names -------------------------------------------------
def positive(input: Tensor) -> Tensor:
    """input itself (torch.positive; bool tensors raise, as torch)."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# -- reductions ------------------------------------------------------------------------------
def _reduced_axes(dim: Any, ndim: int) -> tuple:
    if dim is None or dim == () or dim == []:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    axes = []
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-builtins.max(ndim, 1)}, {builtins.max(ndim, 1) - 1}], "
                             f"but got {d})")
        axes.append(int(d) % builtins.max(ndim, 1))
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return tuple(a for a in axes if a < ndim)


# -- shapes ----------------------------------------------------------------------------------
def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """input expanded to ``other``'s shape."""
    return expand(input, *other.shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """input viewed with ``other``'s shape."""
    return view(input, *other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """input reshaped to ``other``'s shape."""
    return reshape(input, *other.shape)


def ravel(input: Tensor) -> Tensor:
    """input flattened to 1-D."""
    return reshape(input, -1)


def t(input: Tensor) -> Tensor:
    """The transpose of a tensor of at most 2 dimensions (torch.t)."""
    return input.t()


def numel(input: Tensor) -> int:
    """The number of elements."""
    return int(input._data.size)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """Whether the tensor's dtype is a floating-point one."""
    return input._data.dtype.kind == "f"


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (RuntimeError otherwise, as torch)."""
    if input._data.size != 1:
        how = "no" if not input._data.size else "more than one"
        raise RuntimeError(f"Boolean value of Tensor with {how} values is ambiguous")
    return bool(input._data.reshape(()))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices (torch.chain_matmul, deprecated there, warned of as
    torch's): ``linalg.multi_dot`` of them, in the cheapest order."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two "
                  "or more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    return matrices[0].clone() if len(matrices) == 1 else multi_dot(list(matrices))


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """The 2-norm over ``dim`` (torch.frobenius_norm, deprecated there, warned of as
    torch's)."""
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT "
                  "compatibility. It will be removed in a future PyTorch release. Please use "
                  "`linalg.vector_norm(A, 2., dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    return norm(input, "fro", dim, keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The nuclear norm (sum of singular values) over two dims, all of a 2-d input's by
    default (torch.nuclear_norm, deprecated there, warned of as torch's;
    ``nuclear_norm(A, True)`` is torch's keepdim overload)."""
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return norm(input, "nuc", dim, keepdim)


def detach(input: Tensor) -> Tensor:
    """``input.detach()`` (torch.detach): the same values, outside the graph."""
    return input.detach()


def is_signed(input: Tensor) -> bool:
    """Whether the dtype holds negative values (floats and signed integers; not uint8 or
    bool)."""
    return input.is_signed()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape."""
    if not isinstance(other, Tensor):
        raise TypeError(f"is_same_size(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return input.is_same_size(other)


def unravel_index(indices: Tensor, shape: Any) -> tuple:
    """The coordinates in an array of ``shape`` of each flat (C-order) index: a tuple of
    int64 tensors shaped as ``indices``, one per dimension (torch.unravel_index).
    Coordinate i is ⌊index / stride_i⌋ mod shape_i (strides of a C-contiguous array),
    floored as torch's, so a negative index counts from the end and one past the size
    wraps, unchecked, as torch's."""
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{dtype_name(indices._data.dtype)}")
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got "
                        f"{type(shape)}") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                            f"{type(d)}")
    if builtins.any(d < 0 for d in dims):
        raise ValueError(f"'shape' cannot have negative values, but got {dims}")
    a = indices._data
    xp = xp_of(a)
    strides = [math.prod(dims[i + 1:]) for i in range(len(dims))]
    if a.size and 0 in dims:
        raise RuntimeError("ZeroDivisionError")
    idx = a.astype(np.int64)[..., None]
    if a.size:
        coords = (idx // xp.asarray(strides, dtype=np.int64)) % xp.asarray(dims, dtype=np.int64)
    else:
        coords = xp.zeros(a.shape + (len(dims),), dtype=np.int64)
    return tuple(_wrap(coords[..., i], None) for i in range(len(dims)))


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart: that
    dimension becomes the windows' count and a last one of ``size`` is added (torch's
    Tensor.unfold; the gradient sums over the windows a value falls in)."""
    d = _reduced_axes(dimension, input._data.ndim)[0] if input._data.ndim else 0
    n = input._data.shape[d] if input._data.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if not input._data.ndim:
        return reshape(input, 1)
    starts = np.arange(0, n - size + 1, step)
    index = starts[:, None] + np.arange(size)[None, :]          # (windows, size)
    windows = getitem(input, (slice(None),) * d + (index,))     # size at axis d + 1
    order = [*range(d + 1), *range(d + 2, windows.ndim), d + 1]
    return permute(windows, *order)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dimension (a 0-d one reshaped to (1,))."""
    return _atleast(tensors, lambda t: reshape(t, 1) if t.ndim == 0 else t)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dimensions ((n,) becomes (1, n))."""
    return _atleast(tensors, lambda t: reshape(t, 1, 1) if t.ndim == 0
                    else t.unsqueeze(0) if t.ndim == 1 else t)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dimensions ((n,) → (1, n, 1), (m, n) → (m, n, 1))."""
    def lift(t: Tensor) -> Tensor:
        if t.ndim == 0:
            return reshape(t, 1, 1, 1)
        if t.ndim == 1:
            return t.unsqueeze(0).unsqueeze(-1)
        return t.unsqueeze(-1) if t.ndim == 2 else t
    return _atleast(tensors, lift)


def _atleast(tensors: tuple, lift: Any) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        return tuple(lift(t) for t in tensors[0])
    if len(tensors) == 1:
        return lift(tensors[0])
    return tuple(lift(t) for t in tensors)


def hstack(tensors: Any) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    ts = atleast_1d(tuple(tensors))
    return cat(list(ts), 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """Concatenate along dim 0, 1-D tensors as rows."""
    return cat(list(atleast_2d(tuple(tensors))), 0)


def dstack(tensors: Any) -> Tensor:
    """Concatenate along dim 2, after atleast_3d."""
    return cat(list(atleast_3d(tuple(tensors))), 2)


def column_stack(tensors: Any) -> Tensor:
    """1-D tensors as columns (and 0-d as 1×1), then concatenated along dim 1."""
    cols = [reshape(t, t._data.size, 1) if t.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape the given shapes broadcast to (RuntimeError if they do not)."""
    try:
        return tuple(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                           for s in shapes]))
    except ValueError as err:
        raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{err}") from None


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Every tensor expanded to their common broadcast shape."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, *shape) for t in tensors)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D tensors; ``indexing="ij"`` (torch's default, which warns
    when it is not given) or ``"xy"`` (the first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings

        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t.shape}")
    flat = [reshape(t, -1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(int(t._data.size) for t in flat)
    grids = []
    for i, t in enumerate(flat):
        view_shape = [1] * len(flat)
        view_shape[i] = shape[i]
        grids.append(expand(reshape(t, *view_shape), *shape))
    if swap:  # "xy": the grids of the first two swapped back (shape (len(y), len(x), ...))
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, n) row and column indices of the upper triangle, offset as ``triu``."""
    r, c = np.triu_indices(row, offset, col)
    return _indices(r, c, dtype, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, n) row and column indices of the lower triangle, offset as ``tril``."""
    r, c = np.tril_indices(row, offset, col)
    return _indices(r, c, dtype, device)


def _indices(r: np.ndarray, c: np.ndarray, dtype: Any, device: Any) -> Tensor:
    out = _wrap(np.stack([r, c]).astype(np.dtype(dtype or np.int64)), None)
    return out if device is None else out.to(device)


def stride(input: Tensor, dim: int | None = None) -> Any:
    """The array's strides in elements (this engine's layout; a NumPy view keeps its
    base's strides where torch may have made a copy)."""
    strides = tuple(s // input._data.itemsize for s in input._data.strides)
    return strides if dim is None else strides[_reduced_axes(dim, len(strides))[0]]


METHODS: dict[str, Any] = {
    "expand_as": expand_as, "view_as": view_as, "reshape_as": reshape_as,
    "logaddexp": logaddexp, "logaddexp2": logaddexp2, "positive": positive, "ravel": ravel,
    "unfold": unfold, "stride": stride, "is_nonzero": is_nonzero, "as_strided": as_strided,
}

# names of the package (``ag.concat`` ...)
def _inplace_function(name: str) -> Any:
    """torch's top-level in-place form ``torch.<name>(input, ...)``: ``input.<name>(...)``."""
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``: torch.{name}, in place on ``input``."
    return fn


def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor of ``input``'s shape and dtype holding ``value`` (torch.fill; a 0-d
    tensor value passes its gradient, summed; ``input`` gets none)."""
    return input.clone().fill_(value)


# (relu_, selu_, celu_, threshold_, rrelu_: nn's, installed with its other functional names)
_INPLACE = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ "
    "atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ detach_ erf_ erfc_ exp2_ "
    "exp_ expm1_ fix_ floor_ frac_ i0_ log10_ log1p_ log2_ log_ logit_ neg_ negative_ "
    "reciprocal_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ "
    "xlogy_ zero_ fill_ index_put_").split()

FUNCTIONS: dict[str, Any] = {
    "positive": positive, "logaddexp": logaddexp, "logaddexp2": logaddexp2, "concat": cat,
    "concatenate": cat, "ravel": ravel, "t": t, "numel": numel, "is_tensor": is_tensor,
    "is_floating_point": is_floating_point, "is_nonzero": is_nonzero,
    "atleast_1d": atleast_1d, "atleast_2d": atleast_2d, "atleast_3d": atleast_3d,
    "hstack": hstack, "vstack": vstack, "row_stack": vstack, "dstack": dstack,
    "column_stack": column_stack, "broadcast_shapes": broadcast_shapes,
    "broadcast_tensors": broadcast_tensors, "meshgrid": meshgrid,
    "triu_indices": triu_indices, "tril_indices": tril_indices, "is_signed": is_signed,
    "is_same_size": is_same_size, "unravel_index": unravel_index, "detach": detach,
    "chain_matmul": chain_matmul, "frobenius_norm": frobenius_norm,
    "nuclear_norm": nuclear_norm, "fill": fill, "index_put": index_put, "asarray": asarray,
    "as_strided": as_strided,
    **{name: _inplace_function(name) for name in _INPLACE},
}

# the differentiable ones the gradcheck registry must cover (tests/autograd/test_registry.py)
PUBLIC = ["logaddexp", "logaddexp2", "unfold", "hstack", "meshgrid", "as_strided"]
