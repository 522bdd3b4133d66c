"""In-place ops, as torch's: ``x += y``, ``x.add_(y)``, ``x.exp_()``, ``x.fill_(v)``...

Each is its out-of-place op (``add``, ``exp``, ``where``...) whose result is written back
into ``x``'s own array, so every alias of ``x`` (its views, ``x.data``) sees the change.
Nothing new is differentiated here: the gradient is the out-of-place op's.

* No graph needed (grad mode off, or neither ``x`` nor an operand requires grad): the
  result is computed and copied in; ``x``'s version counter (shared with its views) goes
  up, so a backward that saved ``x`` raises.
* A graph needed: the op is recorded on a stand-in for ``x`` before the change (holding a
  copy of the old values, which the op may have saved), and ``x`` takes the new node as its
  ``grad_fn``: a tensor that needed no grad now requires it, as in torch.

The result must keep ``x``'s shape (no broadcasting the target) and be castable to its
dtype within its kind (float into int raises), as torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.backend import asarray, device_of, is_array, to, writeable, xp_of
from autograd.dtype_info import can_cast
from autograd.graph import STATE, Node
from autograd.ops.arith import add, div, mul, neg, pow, sub
from autograd.ops.record import array_of, nary
from autograd.ops.select import _index_key, getitem, split_ints, where
from autograd.ops.unary import abs, astype, clamp, cos, exp, log, relu, sigmoid, sin, sqrt, tanh
from autograd.ops.views import copy_slices, refresh_views
from autograd.tensor import Tensor, _bump_version, _check_inplace, _wrap


def _needs_graph(x: Tensor, args: tuple) -> bool:
    if not STATE.grad_enabled:
        return False
    if x.requires_grad:
        return True
    return any(isinstance(a, Tensor) and a.requires_grad for a in args)


def _check_result(x: Tensor, r: Tensor, name: str) -> None:
    """Torch's rules for writing ``r`` into ``x``: same shape, and a cast torch allows
    (``torch.can_cast``: none to a lower category; between integer types any way,
    wrapping, so uint8 += int64 is allowed)."""
    d = x._data
    if r._data.shape != d.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(d.shape)} doesn't match the broadcast shape "
            f"{list(r._data.shape)} (an in-place op cannot change the tensor's shape)"
        )
    if r._data.dtype != d.dtype and not can_cast(r._data.dtype, d.dtype):  # torch's rule
        raise RuntimeError(
            f"{name}: result type {r._data.dtype} can't be cast to the desired output type "
            f"{d.dtype}"
        )


def _write(x: Tensor, values: np.ndarray, name: str) -> None:
    if not writeable(x._data):
        raise RuntimeError(
            f"{name}: the tensor's memory is read-only (an expand()/broadcast_to() view, "
            "where several elements share one location, or a read-only array)"
        )
    np.copyto(x._data, values, casting="unsafe")  # (checked by _check_result)


def apply_inplace(x: Tensor, name: str, fn: Callable[..., Tensor], *args: Any) -> Tensor:
    """``x`` changed in place to ``fn(x, *args)``, recorded when a graph is needed."""
    if not _needs_graph(x, args):
        r = fn(_wrap(x._data, None), *args)
        _check_result(x, r, name)
        _write(x, r._data, name)
        _bump_version(x)
        return x
    _check_inplace(x)  # a leaf that requires grad: torch refuses
    base = x._base
    chain = getattr(x, "_links", None) if base is not None else None
    if base is not None and chain is None:
        raise RuntimeError(
            f"{name}: an in-place op that records a graph on a detach()ed tensor or on a "
            "view made with grad mode off is not supported: write it out of place."
        )
    if base is not None and not writeable(x._data):
        _write(x, x._data, name)  # raises: an expand()ed view
    old = _wrap(x._data.copy(), x._node)  # x before the change (the op may save it)
    args = tuple(old if a is x else a for a in args)
    r = fn(old, *args)
    _check_result(x, r, name)
    if r._data.dtype != x._data.dtype:
        r = astype(r, x._data.dtype)
    if base is not None:  # x = chain(base): record base with chain(base) = r (CopySlices)
        key = getattr(x, "_view_key", None)
        if key is not None:
            apply_inplace(base, name, index_put, key, r)
        else:
            apply_inplace(base, name, copy_slices, chain, r)
        return x  # replayed on the base's new node with the base's other views
    _write(x, r._data, name)
    _bump_version(x)  # x's old node loses its output: it raises if it saved it
    x._node = r._node
    x._requires_grad = r._requires_grad
    refresh_views(x)
    return x


# -- t[key] = value ------------------------------------------------------------------------
class IndexPutBackward(Node):
    """y = x with y[key] = v (v broadcast to the selection);  dx = g with 0 at key,
    dv = sum_to(g[key], v.shape)."""

    def vjp(self, g, xp):
        key, vshape, vdtype = self.meta
        ex, ev = self.edges
        gx = xp.where(self.cached(), 0, g) if ex is not None else None
        gv = None
        if ev is not None:
            gv = g[key]
            if gv.shape != vshape:
                gv = xp.sum_to(gv, vshape)
            if gv.dtype != vdtype:  # a float32 value written into float64: a float32 grad
                gv = xp.astype(gv, vdtype)
        return gx, gv


def index_put(x: Tensor, key: Any, value: Any) -> Tensor:
    """``x`` with ``value`` written at ``key``, out of place (``t[key] = v`` is this in
    place). Repeated integer indices keep the last write, as NumPy."""
    k = _index_key(key)
    out = x._data.copy()
    v = array_of(value)
    try:
        out[k] = v
    except ValueError as err:
        raise RuntimeError(f"index_put: value of shape {np.shape(v)} cannot be written into "
                           f"a selection of a tensor of shape {out.shape}: {err}") from None
    mask = xp_of(out).zeros(out.shape, dtype=bool)
    mask[k] = True
    return nary(IndexPutBackward, out, (x, value),
                meta=(k, np.shape(v), getattr(v, "dtype", None)), cache=mask)


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``t[key] = value`` in place; recorded (``IndexPutBackward``) when a graph is needed.
    A value on another device is copied over, as torch's assignment (a ``copy_``) does."""
    value = _onto(x, value)
    parts = split_ints(_index_key(key))
    if parts is not None:  # torch's order: the integers select first (ops/select.py)
        setitem(getitem(x, parts[0]), parts[1], value)
        return
    if not _needs_graph(x, (value,)):
        x._data[_index_key(key)] = array_of(value)
        _bump_version(x)
        return
    apply_inplace(x, "__setitem__", index_put, key, value)


# -- the methods ---------------------------------------------------------------------------
def _scaled(other: Any, alpha: Any) -> Any:
    return other if alpha == 1 else mul(other, alpha) if isinstance(other, Tensor) \
        else np.multiply(other, alpha)


def add_(x: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """x ← x + alpha·other."""
    return apply_inplace(x, "add_", add, _scaled(other, alpha))


def sub_(x: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """x ← x − alpha·other."""
    return apply_inplace(x, "sub_", sub, _scaled(other, alpha))


def mul_(x: Tensor, other: Any) -> Tensor:
    """x ← x ⊙ other."""
    return apply_inplace(x, "mul_", mul, other)


def div_(x: Tensor, other: Any) -> Tensor:
    """x ← x / other."""
    return apply_inplace(x, "div_", div, other)


def pow_(x: Tensor, exponent: Any) -> Tensor:
    """x ← x ** exponent."""
    return apply_inplace(x, "pow_", pow, exponent)


def clamp_(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """x ← clamp(x, min, max)."""
    return apply_inplace(x, "clamp_", clamp, min, max)


def _fill(x: Tensor, value: Any) -> Tensor:
    return where(xp_of(x._data).ones(x._data.shape, dtype=bool), value, x)


def _onto(x: Tensor, src: Any) -> Any:
    """``src`` on x's device: ``copy_`` and assignment are torch's explicit cross-device
    copies (differentiable for a tensor, through ``Tensor.to``); anything else as it is."""
    arr = src._data if isinstance(src, Tensor) else src
    if arr.__class__ is x._data.__class__ or not is_array(arr):
        return src
    return src.to(x.device) if isinstance(src, Tensor) else to(arr, device_of(x._data))


def copy_(x: Tensor, src: Any) -> Tensor:
    """x ← src (broadcast to x's shape, cast to x's dtype whatever its kind, as torch; the
    gradient flows to src); from another device too, as torch's."""
    src = _onto(x, src)
    if not _needs_graph(x, (src,)):  # the common case (zero_ on a .grad): no temporaries
        arr = src._data if isinstance(src, Tensor) else asarray(src)
        shape = x._data.shape
        try:
            ok = np.broadcast_shapes(arr.shape, shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"copy_: the source of shape {list(arr.shape)} cannot be "
                               f"broadcast to the tensor's shape {list(shape)}")
        if not writeable(x._data):
            _write(x, arr, "copy_")  # raises, naming why
        if arr.__class__ is not x._data.__class__:  # a number (or a list) into a device tensor
            arr = arr.item() if arr.ndim == 0 else to(arr, device_of(x._data))
        np.copyto(x._data, arr, casting="unsafe")
        _bump_version(x)
        return x
    if isinstance(src, Tensor):
        if src._data.dtype != x._data.dtype:
            src = astype(src, x._data.dtype)
    else:  # made where x is
        src = xp_of(x._data).asarray(src, dtype=x._data.dtype)
    return apply_inplace(x, "copy_", _fill, src)


def fill_(x: Tensor, value: Any) -> Tensor:
    """x ← value everywhere (a number or a 0-d tensor, which gets the sum as gradient)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return copy_(x, value)


def zero_(x: Tensor) -> Tensor:
    """x ← 0."""
    return copy_(x, 0)


def _unary_method(fn: Callable[[Tensor], Tensor], name: str) -> Callable[[Tensor], Tensor]:
    def method(x: Tensor) -> Tensor:
        return apply_inplace(x, name, fn)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"x ← {fn.__name__}(x), in place."
    return method


def _operator(fn: Callable[[Tensor, Any], Tensor], name: str) -> Callable[[Tensor, Any], Tensor]:
    def method(x: Tensor, other: Any) -> Tensor:
        return apply_inplace(x, name, fn, other)
    method.__name__ = method.__qualname__ = name
    return method


def inplace_of(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    """The in-place method ``name`` (``floor_``, ``lerp_``, ``lt_``...) of the out-of-place
    ``fn``: ``x`` takes ``fn(x, *args, **kw)``'s values (cast back into its dtype within its
    kind, as torch) and, in a graph, its node."""
    def method(x: Tensor, *args: Any, **kw: Any) -> Tensor:
        n, keys = len(args), tuple(kw)
        return apply_inplace(x, name, lambda t, *a: fn(t, *a[:n], **dict(zip(keys, a[n:]))),
                             *args, *kw.values())
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``."
    return method


INPLACE_METHODS: dict[str, Callable] = {
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_, "pow_": pow_, "clamp_": clamp_,
    "fill_": fill_, "zero_": zero_, "copy_": copy_,
    **{f"{f.__name__}_": _unary_method(f, f"{f.__name__}_")
       for f in (neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu)},
    "__iadd__": _operator(add, "__iadd__"), "__isub__": _operator(sub, "__isub__"),
    "__imul__": _operator(mul, "__imul__"), "__itruediv__": _operator(div, "__itruediv__"),
    "__ipow__": _operator(pow, "__ipow__"), "__setitem__": setitem,
}
