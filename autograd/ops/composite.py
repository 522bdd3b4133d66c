"""torch's ops that are compositions of others (no node of their own; the gradient is the
parts'): add/sub with alpha=, addcmul, addcdiv, reciprocal, clamp_min/clamp_max,
masked_scatter, index_fill, index_add, index_copy, narrow, select, movedim, unflatten, take,
nansum, nanmean, nan_to_num, count_nonzero, diff, aminmax, and the aliases absolute, negative,
subtract, multiply, clip, true_divide, swapaxes, swapdims, moveaxis."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, xp_of
from autograd.dims import check_nonempty_reduction, normalize_dim, normalize_dims
from autograd.graph import Away
from autograd.ops.along import _index_array, dim_of, index_put
from autograd.ops.arith import add as _add
from autograd.ops.arith import div, mul, neg
from autograd.ops.arith import sub as _sub
from autograd.ops.record import array_of
from autograd.ops.reduce import amax, amin, mean, std, var
from autograd.ops.reduce import sum as _sum
from autograd.ops.select import getitem, where
from autograd.ops.shape import cat, permute, reshape, transpose
from autograd.ops.unary import abs, astype, clamp
from autograd.promotion import cpu_scalars_moved, result_type, torch_name
from autograd.tensor import Tensor


def _times(other: Any, alpha: Any) -> Any:
    return other if alpha == 1 else mul(other, alpha) if isinstance(other, Tensor) \
        else np.multiply(other, alpha)


def _integral_alpha(input: Any, other: Any, alpha: Any) -> None:
    """torch refuses a float alpha when both operands are integral (bool included)."""
    if isinstance(alpha, float) and all(
            np.asarray(array_of(t)).dtype.kind in "biu" for t in (input, other)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input + alpha · other (broadcast)."""
    _integral_alpha(input, other, alpha)
    return _add(input, _times(other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input − alpha · other (broadcast)."""
    _integral_alpha(input, other, alpha)
    return _sub(input, _times(other, alpha))


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other − alpha · input (torch.rsub)."""
    _integral_alpha(input, other, alpha)
    return _sub(other, _times(input, alpha))


def _at_common_type(input: Any, tensor1: Any, tensor2: Any) -> tuple[Any, Any]:
    """tensor1 and tensor2 at the result type of all three operands (recorded casts), as
    torch's pointwise kernels compute: an int32 input's product of two uint8 tensors does
    not wrap at 256."""
    dt = result_type(input, tensor1, tensor2)
    return tuple(astype(t, dt) if isinstance(t, Tensor) and t._data.dtype != dt else t
                 for t in (tensor1, tensor2))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + (value · tensor1) · tensor2 (broadcast; torch's order of operations)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addcmul", addcmul, input, tensor1, tensor2, value=value)
    tensor1, tensor2 = _at_common_type(input, tensor1, tensor2)
    return _add(input, mul(tensor1 if value == 1 else mul(tensor1, value), tensor2))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + (value · tensor1) / tensor2 (broadcast; torch's order of operations);
    integer tensors raise, as torch."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addcdiv", addcdiv, input, tensor1, tensor2, value=value)
    if all(array_of(t).dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 "
                           "and tensor2.")
    tensor1, tensor2 = _at_common_type(input, tensor1, tensor2)
    return _add(input, div(tensor1 if value == 1 else mul(tensor1, value), tensor2))


def reciprocal(input: Tensor) -> Tensor:
    """1 / input (integers give float32, as torch)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("reciprocal", reciprocal, input)
    return div(1.0, input) if array_of(input).dtype.kind in "biu" else div(1, input)


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(input, max=max)


def _mask_like(input: Tensor, mask: Any, op: str) -> np.ndarray:
    m = asarray(array_of(mask))
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask, got {m.dtype}")
    try:
        return xp_of(m).broadcast_to(m, array_of(input).shape)
    except ValueError:
        raise RuntimeError(f"{op}: the mask of shape {m.shape} does not broadcast to the "
                           f"input's shape {array_of(input).shape}") from None


def masked_scatter(input: Tensor, mask: Any, source: Tensor) -> Tensor:
    """``input`` with the elements where ``mask`` holds taken from ``source`` in row-major
    order (its first ``mask.sum()`` elements); the mask broadcasts to ``input``."""
    m = _mask_like(input, mask, "masked_scatter")
    k = int(m.sum())
    if source.numel() < k:
        raise RuntimeError(f"masked_scatter: expected source to have at least {k} elements, "
                           f"got {source.numel()}")
    placed = index_put(input, (m,), source.reshape(-1)[:k])
    return where(m, placed, input)


def _key(input: Tensor, dim: int, index: Any, op: str) -> tuple:
    idx = _index_array(index, op, array_of(input))
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape {idx.shape}")
    d = array_of(input)
    axis = dim_of(dim, d.ndim)
    size = d.shape[axis] if d.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        raise IndexError(f"{op}(): index out of range (index {idx.tolist()} for dimension "
                         f"{axis} of size {size})")
    if idx.size and idx.min() < 0 and op != "index_fill":  # torch wraps only index_fill's
        cls = RuntimeError if op == "index_add" else IndexError
        raise cls(f"{op}_(): index {idx.min()} is out of bounds for dimension {axis} with "
                  f"size {size}")
    return (slice(None),) * axis + (idx.reshape(-1),)


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` set to ``value``."""
    return index_put(input, _key(input, dim, index, "index_fill"), value)


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` replaced by ``source``'s."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("index_copy", index_copy, input, dim, index, source)
    return index_put(input, _key(input, dim, index, "index_copy"), source)


def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha · source``'s slices added at ``index`` along ``dim`` (repeats
    add up)."""
    if isinstance(source, Tensor) and source.dtype != input.dtype:
        raise RuntimeError(f"index_add_(): self ({input.dtype}) and source ({source.dtype}) "
                           f"must have the same scalar type")
    return index_put(input, _key(input, dim, index, "index_add"),
                     source if alpha == 1 else mul(source, alpha), accumulate=True)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view of ``length`` elements from ``start`` along ``dim``."""
    d = array_of(input)
    axis = normalize_dim(dim, d.ndim)
    start = int(array_of(start))
    size = d.shape[axis]
    if not -size <= start <= size:  # torch's IndexError
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension "
                           f"size ({size}).")
    return getitem(input, (slice(None),) * axis + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The view at ``index`` along ``dim`` (that dimension removed)."""
    d = array_of(input)
    axis = normalize_dim(dim, d.ndim)
    size = d.shape[axis]
    if not -size <= int(index) < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{d.shape} at dimension {dim}")
    return getitem(input, (slice(None),) * axis + (int(index),))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Dimensions ``source`` moved to ``destination``, the others in order (a view)."""
    n = array_of(input).ndim
    src, dst = normalize_dims(source, n), normalize_dims(destination, n)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source}) "
                           f"and destination ({destination}) must have the same length")
    order = [None] * n
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(i for i in range(n) if i not in src)
    return permute(input, tuple(o if o is not None else next(rest) for o in order))


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(input, axis0, axis1)


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one may be -1)."""
    shape = array_of(input).shape
    axis = normalize_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = int(np.prod([s for s in sizes if s != -1]))
    if -1 in sizes:
        sizes = tuple(shape[axis] // known if s == -1 and known else s for s in sizes)
    if int(np.prod(sizes)) != shape[axis]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[axis]}) in the input tensor")
    return reshape(input, shape[:axis] + sizes + shape[axis + 1:])


def take(input: Tensor, index: Any) -> Tensor:
    """``input`` read as a 1-D tensor at ``index`` (the result has index's shape)."""
    idx = _index_array(index, "take", array_of(input))
    n = array_of(input).size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take(): index out of range in tensor of {n} elements")
    return getitem(reshape(input, (-1,)), idx)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
           ) -> Tensor:
    """Σ over the non-NaN elements (NaN counted as 0; their gradient is 0)."""
    d = array_of(input)
    x = where(xp_of(d).isnan(d), 0, input) if d.dtype.kind == "f" else input
    return _sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
            ) -> Tensor:
    """The mean of the non-NaN elements."""
    d = array_of(input)
    if d.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                           f"dtype but got {torch_name(d.dtype)}")
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise RuntimeError(f"nanmean(): could not infer output dtype. Optional dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{torch_name(dtype)}")
    keep = Tensor._const(~xp_of(d).isnan(d))
    return div(nansum(input, dim, keepdim, dtype=dtype), _sum(astype(keep, d.dtype), dim,
                                                              keepdim))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf, -inf replaced (by 0, the dtype's largest and lowest finite values)."""
    d = array_of(input)
    if d.dtype.kind != "f":  # nothing to replace: a copy, of input's dtype (bool stays bool)
        return Tensor._const(d.copy())
    fi = np.finfo(d.dtype)
    xp = xp_of(d)
    out = where(xp.isnan(d), nan, input)
    out = where(xp.isposinf(d), fi.max if posinf is None else posinf, out)
    return where(xp.isneginf(d), fi.min if neginf is None else neginf, out)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not 0 (over ``dim``), as int64."""
    d = array_of(input)
    axes = None if dim is None else normalize_dims(dim, d.ndim)
    return Tensor._const(asarray(xp_of(d).count_nonzero(d, axis=axes), dtype=np.int64))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
         ) -> Tensor:
    """The n-th forward difference along ``dim`` (after prepend/append are attached)."""
    axis = normalize_dim(dim, array_of(input).ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, axis) if len(parts) > 1 else input
    lead = (slice(None),) * axis
    for _ in range(n):
        if array_of(x).dtype == np.bool_:
            x = getitem(x, lead + (slice(1, None),)) ^ getitem(x, lead + (slice(None, -1),))
        else:
            x = _sub(getitem(x, lead + (slice(1, None),)), getitem(x, lead + (slice(None, -1),)))
    return x


def _fextremum(a: Any, b: Any, is_max: bool) -> Tensor:
    a, b = cpu_scalars_moved(a, b)
    x, y = asarray(array_of(a)), asarray(array_of(b))
    if x.__class__ is not y.__class__:
        check_same_device(x, y)  # torch's error, before the comparison meets two devices
    xp = xp_of(x)
    with np.errstate(invalid="ignore"):
        take_a = ((x >= y) if is_max else (x <= y)) | xp.isnan(y)
    return where(take_a, a, b)


def fmax(input: Any, other: Any) -> Tensor:
    """The elementwise maximum ignoring NaN (NaN only where both are); a tie's gradient
    goes to ``input``, as torch's."""
    return _fextremum(input, other, True)


def fmin(input: Any, other: Any) -> Tensor:
    """The elementwise minimum ignoring NaN (NaN only where both are)."""
    return _fextremum(input, other, False)


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: int | None = None) -> tuple:
    """``(std, mean)`` over ``dim``, as torch (the same arguments as :func:`std`)."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            _mean_over(input, dim, keepdim))


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: int | None = None) -> tuple:
    """``(var, mean)`` over ``dim``, as torch (the same arguments as :func:`var`)."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            _mean_over(input, dim, keepdim))


def _mean_over(input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if isinstance(dim, bool):  # std_mean(x, True): the unbiased overload, all dims
        dim = None
    return mean(input, dim, keepdim)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all elements when None), torch's named tuple."""
    from typing import NamedTuple

    class _R(NamedTuple):
        min: Tensor
        max: Tensor

    shape = input._data.shape
    axes = None if dim is None or not shape else (normalize_dim(dim, len(shape)),)
    check_nonempty_reduction("aminmax", shape, axes)
    if dim is None:
        return _R(amin(input, (), keepdim), amax(input, (), keepdim))
    return _R(amin(input, dim, keepdim), amax(input, dim, keepdim))


# (index_add is no name of autograd.ops, where index_add is indexing's adjoint: it is
# autograd.index_add and Tensor.index_add)
PUBLIC = ["addcmul", "addcdiv", "reciprocal", "clamp_min", "clamp_max", "masked_scatter",
          "index_fill", "index_copy", "narrow", "select", "movedim", "unflatten",
          "take", "nansum", "nanmean", "nan_to_num", "diff", "fmax", "fmin",
          "std_mean", "var_mean"]

METHODS = {
    **{name: globals()[name] for name in PUBLIC}, "index_add": index_add,
    "count_nonzero": count_nonzero, "aminmax": aminmax, "add": add, "sub": sub,
    "absolute": abs, "negative": neg, "subtract": sub, "multiply": mul, "clip": clamp,
    "true_divide": div, "swapaxes": swapaxes, "swapdims": swapaxes, "moveaxis": movedim,
}
