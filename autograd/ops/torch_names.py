"""torch's other names and small compositions of the primitives, so that code written for
torch finds them: ``torch.add(a, b, alpha=2)``, ``x.expand_as(y)``, ``x.masked_fill_(m, v)``,
``torch.amax(x, dim)``, ``x.unfold(0, 3, 1)``, ``torch.meshgrid(a, b, indexing="ij")``,
the in-place ``x.floor_()``-style variants of the elementwise ops, and so on.

Nothing here has a node of its own except through the ops it calls (``amax``/``amin`` use
the max/min node with the gradient split evenly over ties, as torch's ``amax``), so each
name differentiates exactly as the primitives it is made of.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.ops import elementary, rounding
from autograd.ops.arith import add as _add
from autograd.ops.arith import div as _div
from autograd.ops.arith import mul as _mul
from autograd.ops.arith import neg
from autograd.ops.arith import sub as _sub
from autograd.ops.broadcast import expand
from autograd.ops.inplace import _unary_method, apply_inplace, copy_
from autograd.ops.integer import div as div_rounding
from autograd.ops.record import unary
from autograd.ops.reduce import MaxBackward, MinBackward
from autograd.ops.reduce import sum as _sum
from autograd.ops.select import getitem, masked_fill, where
from autograd.ops.shape import cat, permute, reshape, transpose, view
from autograd.ops.unary import abs, clamp, exp, log
from autograd.tensor import Tensor, _wrap


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """torch's ``out=``: the result copied into ``out`` (which is returned)."""
    return result if out is None else copy_(out, result)


# -- arithmetic under torch's function names -------------------------------------------------
def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input + alpha·other (torch.add)."""
    return _out(_add(input, other if alpha == 1 else _mul(other, alpha)), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input − alpha·other (torch.sub, torch.subtract)."""
    return _out(_sub(input, other if alpha == 1 else _mul(other, alpha)), out)


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """input ⊙ other (torch.mul, torch.multiply)."""
    return _out(_mul(input, other), out)


def true_divide(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """input / other, always a float result (torch.true_divide)."""
    return _out(_div(input, other), out)


def positive(input: Tensor) -> Tensor:
    """input itself (torch.positive; bool tensors raise, as torch)."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def reciprocal(input: Tensor) -> Tensor:
    """1 / input, a float result for integer input (torch.reciprocal)."""
    return _div(1.0, input)


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 - torch's name
    """clamp(input, min=min)."""
    return clamp(input, min, None)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002 - torch's name
    """clamp(input, max=max)."""
    return clamp(input, None, max)


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


def _extreme(x: Tensor, dim: Any, keepdim: bool, is_max: bool, name: str) -> Tensor:
    """amax/amin: y = max (min) over ``dim``; dx = g split evenly over the tied
    elements, as torch's amax (NaN over a slice whose result is NaN, as torch's too)."""
    d = x._data
    axes = _reduced_axes(dim, d.ndim)
    if builtins.any(d.shape[a] == 0 for a in axes):
        raise IndexError(f"{name}(): Expected reduction dim {axes[0]} to have non-zero "
                         f"size.")
    m = d.max(axis=axes, keepdims=True) if is_max else d.min(axis=axes, keepdims=True)
    out = m if keepdim else m.reshape(tuple(s for i, s in enumerate(d.shape)
                                            if i not in axes))
    cache = None
    if x._requires_grad:  # a NaN result equals nothing: 0/0, NaN over its slice, as torch
        mask = d == m
        with np.errstate(invalid="ignore"):
            cache = (mask / mask.sum(axis=axes, keepdims=True)).astype(d.dtype, copy=False)
    return unary(AmaxBackward if is_max else AminBackward, out, x, meta=(d.shape, m.shape),
                 cache=cache)


class AmaxBackward(MaxBackward):
    """y = amax over dims;  dx = g ⊙ w, w = 1/k on the k elements equal to y (MaxBackward's
    VJP with the tie weights amax computes)."""


class AminBackward(MinBackward):
    """y = amin over dims;  dx = g ⊙ w, w = 1/k on the k elements equal to y."""


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims for ``()``); the gradient is split evenly over ties."""
    return _extreme(input, dim, keepdim, True, "amax")


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all dims for ``()``); the gradient is split evenly over ties."""
    return _extreme(input, dim, keepdim, False, "amin")


aminmax_result = namedtuple("aminmax", ["min", "max"])


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> tuple:
    """(amin, amax) over ``dim`` (all for None), a namedtuple with fields min and max."""
    axes = () if dim is None else dim
    return aminmax_result(amin(input, axes, keepdim), amax(input, axes, keepdim))


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *,
           dtype: Any = None) -> Tensor:
    """Σ over ``dim`` with NaNs counted as 0 (their gradient is 0)."""
    clean = where(input.isnan(), 0.0, input) if input._data.dtype.kind in "fc" else input
    return _sum(clean, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
            dtype: Any = None) -> Tensor:
    """Mean over ``dim`` of the values that are not NaN (NaN where all are)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                           f"dtype but got {input.dtype}")
    count = _sum(~input.isnan(), dim, keepdim)
    return _div(nansum(input, dim, keepdim, dtype=dtype), count)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero values over ``dim`` (int64, no gradient)."""
    axes = _reduced_axes(dim, input._data.ndim)
    counts = (input._data != 0).sum(axis=axes)
    return _wrap(xp_of(input._data).asarray(counts, dtype=np.int64), None)


def logaddexp(input: Tensor, other: Any) -> Tensor:
    """log(eˣ + eʸ), computed as m + log(e^(x−m) + e^(y−m)) with m = max(x, y) held
    constant (the gradient eˣ/(eˣ + eʸ) does not depend on it; an infinite m is taken as
    0, so that −inf and −inf give −inf, not NaN)."""
    a = input._data
    b = other._data if isinstance(other, Tensor) else other
    m = xp_of(a).maximum(a, b)
    m = _wrap(xp_of(a).where(xp_of(a).isfinite(m), m, 0).astype(m.dtype, copy=False), None)
    with np.errstate(divide="ignore"):  # log(0) = −inf is the answer for −inf, −inf
        return _add(m, log(_add(exp(_sub(input, m)), exp(_sub(other, m)))))


def logaddexp2(input: Tensor, other: Any) -> Tensor:
    """log₂(2ˣ + 2ʸ) = logaddexp(x ln 2, y ln 2) / ln 2."""
    ln2 = math.log(2.0)
    return _div(logaddexp(_mul(input, ln2), _mul(other, ln2)), ln2)


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


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """transpose(input, axis0, axis1) (torch.swapaxes, torch.swapdims)."""
    return transpose(input, axis0, axis1)


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


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """input[..., start:start + length, ...] along ``dim`` (a view)."""
    ndim = input._data.ndim
    d = _reduced_axes(dim, ndim)[0]
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise IndexError(f"start ({start}) + length ({length}) exceeds dimension size "
                         f"({size}).")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """input[..., index, ...] along ``dim`` (that dimension removed)."""
    d = _reduced_axes(dim, input._data.ndim)[0]
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    return getitem(input, (slice(None),) * d + (int(index),))


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


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None,
         append: Any = None) -> Tensor:
    """The n-th forward difference along ``dim``: out[i] = x[i + 1] − x[i], applied n
    times, after ``prepend``/``append`` are concatenated on."""
    d = _reduced_axes(dim, input._data.ndim)[0]
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x._data.shape[d]
        head = (slice(None),) * d
        if x._data.dtype == np.bool_:
            x = getitem(x, head + (slice(1, size),)) ^ getitem(x, head + (slice(0, size - 1),))
        else:
            x = _sub(getitem(x, head + (slice(1, size),)),
                     getitem(x, head + (slice(0, size - 1),)))
    return x


def stride(input: Tensor, dim: int | None = None) -> Any:
    """The array's strides in elements (this engine's layout; a NumPy view keeps its
    base's strides where torch may have made a copy)."""
    strides = tuple(s // input._data.itemsize for s in input._data.strides)
    return strides if dim is None else strides[_reduced_axes(dim, len(strides))[0]]


# -- in-place methods ------------------------------------------------------------------------
def masked_fill_(input: Tensor, mask: Any, value: Any) -> Tensor:
    """input ← masked_fill(input, mask, value)."""
    return apply_inplace(input, "masked_fill_", masked_fill, mask, value)


def _binary_inplace(fn: Any, name: str) -> Any:
    def method(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return apply_inplace(x, name, lambda t, *a: fn(t, *a, **kwargs), *args)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"x ← {getattr(fn, '__name__', name[:-1])}(x, ...), in place."
    return method


_UNARY_INPLACE = {f.__name__: f for f in (
    elementary.acos, elementary.acosh, elementary.asin, elementary.asinh, elementary.atan,
    elementary.atanh, elementary.cosh, elementary.sinh, elementary.tan, elementary.exp2,
    elementary.expm1, elementary.log1p, elementary.log2, elementary.log10, elementary.rsqrt,
    elementary.square, rounding.ceil, rounding.floor, rounding.round, rounding.trunc,
    rounding.frac, rounding.sign, reciprocal)}
_UNARY_INPLACE.update(arccos=elementary.acos, arcsin=elementary.asin, arctan=elementary.atan,
                      arccosh=elementary.acosh, arcsinh=elementary.asinh,
                      arctanh=elementary.atanh, fix=rounding.trunc, negative=neg,
                      absolute=abs)
_BINARY_INPLACE = {
    "fmod": elementary.fmod, "remainder": elementary.remainder, "atan2": elementary.atan2,
    "arctan2": elementary.atan2, "hypot": elementary.hypot, "copysign": elementary.copysign,
    "lerp": elementary.lerp, "clamp_min": clamp_min, "clamp_max": clamp_max, "clip": clamp,
    "multiply": _mul, "subtract": sub, "true_divide": _div, "divide": div_rounding,
}

METHODS: dict[str, Any] = {
    "expand_as": expand_as, "view_as": view_as, "reshape_as": reshape_as,
    "amax": amax, "amin": amin, "aminmax": aminmax, "nansum": nansum, "nanmean": nanmean,
    "count_nonzero": count_nonzero, "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "clamp_min": clamp_min, "clamp_max": clamp_max, "clip": clamp, "multiply": _mul,
    "subtract": sub, "negative": neg, "positive": positive, "absolute": abs,
    "reciprocal": reciprocal, "swapaxes": swapaxes, "swapdims": swapaxes, "ravel": ravel,
    "narrow": narrow, "select": select, "unfold": unfold, "diff": diff, "stride": stride,
    "is_nonzero": is_nonzero, "masked_fill_": masked_fill_,
    **{f"{n}_": _unary_method(f, f"{n}_") for n, f in _UNARY_INPLACE.items()},
    **{f"{n}_": _binary_inplace(f, f"{n}_") for n, f in _BINARY_INPLACE.items()},
}

# names of the package (``ag.add`` ...): the functions above and torch's aliases
FUNCTIONS: dict[str, Any] = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul,
    "divide": div_rounding, "true_divide": true_divide, "negative": neg,
    "positive": positive, "absolute": abs, "reciprocal": reciprocal, "clip": clamp,
    "clamp_min": clamp_min, "clamp_max": clamp_max, "amax": amax, "amin": amin,
    "aminmax": aminmax, "nansum": nansum, "nanmean": nanmean, "count_nonzero": count_nonzero,
    "logaddexp": logaddexp, "logaddexp2": logaddexp2, "concat": cat, "concatenate": cat,
    "swapaxes": swapaxes, "swapdims": swapaxes, "ravel": ravel, "t": t, "numel": numel,
    "is_tensor": is_tensor, "is_floating_point": is_floating_point, "is_nonzero": is_nonzero,
    "narrow": narrow, "select": select, "atleast_1d": atleast_1d, "atleast_2d": atleast_2d,
    "atleast_3d": atleast_3d, "hstack": hstack, "vstack": vstack, "dstack": dstack,
    "column_stack": column_stack, "broadcast_shapes": broadcast_shapes,
    "broadcast_tensors": broadcast_tensors, "meshgrid": meshgrid,
    "triu_indices": triu_indices, "tril_indices": tril_indices, "diff": diff,
    "row_stack": vstack,
}

# the differentiable ones the gradcheck registry must cover (tests/autograd/test_registry.py)
PUBLIC = ["amax", "amin", "nansum", "nanmean", "logaddexp", "unfold", "diff", "hstack",
          "meshgrid"]
