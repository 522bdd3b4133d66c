"""Elementwise functions of one tensor, each with its derivative beside it."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import check_pair, is_array
from autograd.graph import STATE, Away, Node, inplace_msg
from autograd.ops.record import nary, unary
from autograd.promotion import NUMBER_ARRAYS, cpu_scalars_moved, number_array, result_type
from autograd.tensor import Tensor, _wrap


def _float_data(x: Tensor) -> Any:
    """x's array, integers and bools as float32 (torch's default float: exp of an int64
    tensor is float32, never NumPy's float64, nor float16 for bools)."""
    d = x._data
    return d if d.dtype.kind in "fc" else d.astype(np.float32)


class ExpBackward(Node):
    """y = eˣ;  dx = g ⊙ y."""

    def vjp(self, g, xp):
        return (g * self.output(xp),)


def exp(x: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("exp", exp, x)
    d = x._data
    out = np.exp(d)
    if out.dtype is not d.dtype:  # ints and bools: float32 (a test instead of a call per op)
        out = np.exp(_float_data(x))
    return unary(ExpBackward, out, x, save_out=True)


class LogBackward(Node):
    """y = ln x;  dx = g / x."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / x,)


def log(x: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("log", log, x)
    return unary(LogBackward, np.log(_float_data(x)), x, save_input=True)


class SqrtBackward(Node):
    """y = √x;  dx = g / (2y)."""

    def vjp(self, g, xp):
        return (g / (2 * self.output(xp)),)


def sqrt(x: Tensor) -> Tensor:
    return unary(SqrtBackward, np.sqrt(_float_data(x)), x, save_out=True)


class AbsBackward(Node):
    """y = |x|;  dx = g ⊙ sign(x)  (0 at x = 0 and at NaN, as torch)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * sign_array(x._data if not xp.raw else x),)


def sign_array(d: Any) -> Any:
    """torch's sign on an array: −1, 0 or 1, and 0 for NaN (NumPy gives NaN)."""
    s = np.sign(d)
    if s.dtype.kind == "f" and np.isnan(s).any():
        s = np.where(s != s, s.dtype.type(0), s)
    return s


def abs(x: Tensor) -> Tensor:  # noqa: A001 - the contract's name
    return unary(AbsBackward, np.abs(x._data), x, save_input=True)


class SinBackward(Node):
    """y = sin x;  dx = g ⊙ cos x."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.cos(x),)


def sin(x: Tensor) -> Tensor:
    return unary(SinBackward, np.sin(_float_data(x)), x, save_input=True)


class CosBackward(Node):
    """y = cos x;  dx = −g ⊙ sin x."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (-g * xp.sin(x),)


def cos(x: Tensor) -> Tensor:
    return unary(CosBackward, np.cos(_float_data(x)), x, save_input=True)


def _rsub_inplace_array(x: np.ndarray, c: Any) -> np.ndarray:
    if x.__class__ is not np.ndarray:  # NumPy gives 0-d results as (immutable) scalars
        return c - x
    if c.__class__ is float or c.__class__ is int:  # the cached 0-d array (promotion.number_array)
        consts = NUMBER_ARRAYS.get(x.dtype)
        z = consts.get(c) if consts else None
        if z is None:
            z = number_array(c, x.dtype)
        if z is not None:
            c = z
    return np.subtract(c, x, out=x)


def _rsub_tensor(x: Tensor, c: Any) -> Tensor:
    return c - x


# xp.rsub_(t, c): t ← c − t, in place on a VJP's own fresh temporary on the fast path
# (recorded out of place under create_graph, like the VJPs' other in-place steps).


class TanhBackward(Node):
    """y = tanh x;  dx = g ⊙ (1 − y²)."""

    def vjp(self, g, xp):
        y = self.out  # Node.output(xp) inline for its common case (arrays, not dirtied)
        if y is None or self.out_dirty or not xp.raw:
            y = self.output(xp)
        t = xp.rsub_(y * y, 1)  # one temporary, updated in place: three passes, no more
        t *= g
        return (t,)


def tanh(x: Tensor) -> Tensor:
    d = x._data
    out = np.tanh(d)
    if out.dtype is not d.dtype:  # ints and bools: float32 (a test instead of a call per op)
        out = np.tanh(_float_data(x))
    return unary(TanhBackward, out, x, save_out=True)


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    # σ(x) = ½(1 + tanh(x/2)): one transcendental, and no overflow for large |x|
    # (1 / (1 + e⁻ˣ) overflows e⁻ˣ at x < −88 in float32).
    y = np.tanh(x * 0.5)
    y += 1
    y *= 0.5
    return y


class SigmoidBackward(Node):
    """y = σ(x) = 1 / (1 + e⁻ˣ);  dx = g ⊙ y(1 − y)."""

    def vjp(self, g, xp):
        y = self.output(xp)
        t = xp.rsub_(y * y, y)  # y − y² = y(1 − y), in one temporary
        t *= g
        return (t,)


def sigmoid(x: Tensor) -> Tensor:
    return unary(SigmoidBackward, _sigmoid_array(_float_data(x)), x, save_out=True)


class ReluBackward(Node):
    """y = max(x, 0);  dx = g ⊙ [not y ≤ 0]  (torch's threshold_backward: the gradient
    passes at NaN)."""

    def vjp(self, g, xp):
        if self.out_dirty:  # y changed in place since: torch refuses, as for a saved output
            raise RuntimeError(inplace_msg(type(self).__name__, "its output"))
        # the mask is constant in x: under create_graph the second derivative is 0, as it
        # should be almost everywhere.
        return (g * self.cached(),)


def relu(x: Tensor) -> Tensor:
    y = np.maximum(x._data, 0)
    # The mask [not y ≤ 0] (NaN: True, as torch), not y: the backward then reads 1 byte
    # per value instead of 4 (it runs at memory speed), and y is not kept alive by the graph.
    mask = None
    if x._requires_grad and STATE._grad_enabled:
        mask = np.less_equal(y, 0)
        mask = np.logical_not(mask, out=mask) if mask.__class__ is np.ndarray else ~mask
    return unary(ReluBackward, y, x, cache=mask)


class LeakyReluBackward(Node):
    """y = x if x > 0 else αx;  dx = g ⊙ (1 if x > 0 else α)."""

    def vjp(self, g, xp):
        return (g * self.cached(),)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    d = x._data
    slope = np.where(d > 0, 1, negative_slope).astype(d.dtype, copy=False)
    return unary(LeakyReluBackward, d * slope, x, cache=slope)


class ClampBackward(Node):
    """y = min(max(x, lo), hi);  dx = g where lo ≤ x ≤ hi, else 0 (a select, as torch's
    clamp_backward: a NaN or inf reaching a clamped entry gives 0, not NaN)."""

    def vjp(self, g, xp):
        return (xp.where(self.cached(), g, 0.0),)


class ClampTensorBackward(Node):
    """y = min(max(x, lo), hi) with tensor bounds (torch's clamp.Tensor), each operand
    broadcast:  dx = g ⊙ [lo ≤ x ≤ hi],  dlo = g ⊙ [x < lo ∧ lo < hi],
    dhi = g ⊙ [x > hi ∨ hi < lo] (a missing bound drops its condition: dlo = g ⊙ [x < lo],
    dhi = g ⊙ [x > hi]); each summed back to its operand's shape (``meta``)."""

    def vjp(self, g, xp):
        return tuple(None if e is None else g * m if s is None else xp.sum_to(g * m, s)
                     for e, m, s in zip(self.edges, self.cached(), self.meta))


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x, min, max = cpu_scalars_moved(x, min, max)  # noqa: A001
    d = x._data
    bounds = [b for b in (min, max) if b is not None]
    dt = result_type(x, *bounds)  # torch: clamp(int tensor, max=5) stays int64
    if d.dtype != dt:
        d = d.astype(dt)
    lo = None if min is None else _bound(min, dt, d)
    hi = None if max is None else _bound(max, dt, d)
    out = np.clip(d, lo, hi)
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # bounds that may need a gradient
        return _clamp_tensor(x, min, max, d, lo, hi, out)
    mask = (d >= lo) if hi is None else (d <= hi) if lo is None else (d >= lo) & (d <= hi)
    return unary(ClampBackward, out, x, cache=mask)


def _clamp_tensor(x: Tensor, min: Any, max: Any, d: Any, lo: Any, hi: Any,  # noqa: A002
                  out: Any) -> Tensor:
    """clamp with a tensor bound: the output has the broadcast shape and every tensor
    operand that requires grad gets torch's masked gradient (ClampTensorBackward)."""
    if not any(isinstance(t, Tensor) and t.requires_grad for t in (x, min, max)):
        return _wrap(out, None)
    with np.errstate(invalid="ignore"):
        if hi is None:
            masks = (d >= lo, d < lo, None)
        elif lo is None:
            masks = (d <= hi, None, d > hi)
        else:
            masks = ((d >= lo) & (d <= hi), (d < lo) & (lo < hi), (d > hi) | (hi < lo))
    masks = tuple(None if m is None else np.broadcast_to(m, out.shape) for m in masks)
    meta = tuple(None if np.shape(t._data if isinstance(t, Tensor) else t) == out.shape
                 else np.shape(t._data if isinstance(t, Tensor) else t) for t in (x, min, max))
    return nary(ClampTensorBackward, out, (x, min, max), meta=meta, cache=masks)


def _bound(b: Any, dt: np.dtype, like: Any) -> Any:
    b = b._data if isinstance(b, Tensor) else b
    if not is_array(b):
        return dt.type(b)
    check_pair(like, b)  # a tensor bound on another device: torch's error, never a copy
    return b.astype(dt, copy=False)


class CastBackward(Node):
    """y = x as another float dtype;  dx = g cast back to x's dtype."""

    def vjp(self, g, xp):
        return (xp.astype(g, self.meta),)


def astype(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype``; differentiable between float dtypes."""
    dtype = np.dtype(dtype)
    if x._data.dtype == dtype:
        return x
    out = x._data.astype(dtype)
    if dtype.kind not in "fc":
        return _wrap(out, None)
    return unary(CastBackward, out, x, meta=x._data.dtype)


def float32(x: Tensor) -> Tensor:
    return astype(x, np.float32)


def float64(x: Tensor) -> Tensor:
    return astype(x, np.float64)


def int64(x: Tensor) -> Tensor:
    return astype(x, np.int64)


def _astype_array(g: np.ndarray, dtype: Any) -> np.ndarray:
    return g.astype(dtype, copy=False)




class CloneBackward(Node):
    """y = copy of x;  dx = g."""

    def vjp(self, g, xp):
        return (g,)


def clone(x: Tensor) -> Tensor:
    """A copy of ``x`` that stays in the graph."""
    return unary(CloneBackward, x._data.copy(), x)
