"""Activation functions beyond relu/sigmoid/tanh, with torch's names, defaults and
boundary rules; each forward on arrays next to its VJP.

torch exposes these as ``torch.nn.functional.X`` (and ``torch.selu``, ``torch.celu``,
``torch.threshold``); ``nn.functional`` re-exports them. Where a derivative jumps
(hardtanh, hardswish, threshold...), the side torch takes at the boundary is kept.
``inplace=True`` writes the result into the input as torch does, through ``copy_`` of the
op on a clone (recorded and version-counted; the clone is what the op saves, as torch
saves the original input of an in-place op whose derivative needs it).
"""

from __future__ import annotations

import math

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import STATE, Away, Node
from autograd.ops.record import unary
from autograd.ops.special import erf_array
from autograd.ops.unary import _sigmoid_array
from autograd.tensor import Tensor


def _log1p_exp(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)): no overflow for large x (and 30x faster
    than np.logaddexp, which NumPy does not vectorise)."""
    out = np.log1p(np.exp(-np.abs(x)))
    out += np.maximum(x, 0)
    return out


def _softplus_array(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    bx = x * beta if beta != 1 else x
    out = _log1p_exp(bx)
    if beta != 1:
        out /= beta
    return np.where(bx > threshold, x, out).astype(x.dtype, copy=False)


class SoftplusBackward(Node):
    """y = log(1 + e^(βx)) / β (y = x where βx > threshold);  dx = g · σ(βx) (g there)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        beta = self.meta
        s = xp.sigmoid(x * beta if beta != 1 else x)
        return (g * xp.where(self.cached(), 1.0, s),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus: log(1 + e^(βx)) / β, and x itself where βx > threshold."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("softplus", softplus, input, beta, threshold)
    d = input._data
    out = _softplus_array(d, beta, threshold)
    return unary(SoftplusBackward, out, input, save_input=True, meta=beta,
                 cache=(d * beta) > threshold)


class SiluBackward(Node):
    """y = x σ(x) (SiLU / swish);  dx = g · σ(x) (1 + x (1 − σ(x)))."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        s = xp.sigmoid(x)
        return (g * s * (1 + x * (1 - s)),)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU (swish): x · σ(x)."""
    if inplace:
        return input.copy_(silu(input.clone()))
    d = input._data
    return unary(SiluBackward, d * _sigmoid_array(d), input, save_input=True)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_K = math.sqrt(2 / math.pi)
_GELU_C = 0.044715


class GeluBackward(Node):
    """y = x Φ(x), Φ(x) = ½(1 + erf(x/√2));  dx = g · (Φ(x) + x φ(x)), φ(x) = e^(−x²/2)/√(2π)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        cdf = (xp.erf(x * _SQRT_HALF) + 1) * 0.5
        pdf = xp.exp(x * x * -0.5) * _INV_SQRT_2PI
        return (g * (cdf + x * pdf),)


class GeluTanhBackward(Node):
    """y = ½x(1 + t), t = tanh(k(x + c x³)), k = √(2/π), c = 0.044715;
    dx = g · (½(1 + t) + ½x (1 − t²) k (1 + 3c x²)).
    On the fast path the forward has cached the whole local derivative dy/dx (computed
    there in place, sharing ½(1 + t) with y); under create_graph it is a function of x."""

    def vjp(self, g, xp):
        if xp.raw:
            return (g * self.cached(),)
        (x,) = self.inputs(xp)
        x2 = x * x
        t = xp.tanh((x + x2 * x * _GELU_C) * _GELU_K)
        # the ½ and k folded into the constants: dx = g·(½t + ½ + x(1 − t²)(1.5ck x² + ½k))
        dt = (1 - t * t) * (x2 * (1.5 * _GELU_C * _GELU_K) + 0.5 * _GELU_K)
        return (g * (t * 0.5 + 0.5 + x * dt),)


def _gelu_tanh_array(d: np.ndarray, derivative: bool) -> tuple:
    """(y, dy/dx or None) of the tanh GELU, in place on fresh buffers (each pass over a
    fresh array costs as much as the arithmetic). x * x * x, not x ** 3: np.power is
    ~300x slower on float32."""
    a = np.multiply(d, d, out=np.empty_like(d))  # x², an array also for 0-d input
    t = np.multiply(a, d, out=np.empty_like(a))
    t *= _GELU_C
    t += d
    t *= _GELU_K
    np.tanh(t, out=t)
    deriv = None
    if derivative:  # x(1 − t²)(1.5ck x² + ½k), then + ½(1 + t) below
        a *= 1.5 * _GELU_C * _GELU_K
        a += 0.5 * _GELU_K
        deriv = np.multiply(t, t, out=np.empty_like(t))
        np.subtract(1, deriv, out=deriv)
        deriv *= a
        deriv *= d
    t += 1
    t *= 0.5  # ½(1 + t)
    if deriv is not None:
        deriv += t
    out = np.multiply(t, d, out=a)
    return out, deriv


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU: x Φ(x) with Φ the standard normal CDF (``approximate='none'``), or its tanh
    form ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (``approximate='tanh'``)."""
    d = input._data
    if approximate == "none":
        out = (erf_array(d * d.dtype.type(_SQRT_HALF)) + 1) * 0.5 * d
        return unary(GeluBackward, out.astype(d.dtype, copy=False), input, save_input=True)
    if approximate == "tanh":
        grad = input.requires_grad and (not Away.grad_off or STATE._grad_enabled)
        out, deriv = _gelu_tanh_array(d, grad)
        return unary(GeluTanhBackward, out.astype(d.dtype, copy=False), input, save_input=True,
                     cache=deriv)
    raise RuntimeError(f"gelu: approximate argument must be either none or tanh, got "
                       f"{approximate!r}")


class MishBackward(Node):
    """y = x tanh(softplus(x));  dx = g · (t + x (1 − t²) σ(x)), t = tanh(softplus(x))."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        t = xp.tanh(xp.softplus(x))
        return (g * (t + x * (1 - t * t) * xp.sigmoid(x)),)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish: x · tanh(softplus(x))."""
    if inplace:
        return input.copy_(mish(input.clone()))
    d = input._data
    out = d * np.tanh(_log1p_exp(d))
    return unary(MishBackward, out.astype(d.dtype, copy=False), input, save_input=True)


class EluBackward(Node):
    """y = s·x (x > 0), s·α(e^(ix) − 1) (x ≤ 0), with (α, s, i) = (α, 1, 1) for ELU,
    (1.6733, 1.0507, 1) for SELU, (α, 1, 1/α) for CELU;
    dx = g·s (x > 0), g·s·α·i·e^(ix) (x ≤ 0)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        alpha, scale, input_scale = self.meta
        pos, below = self.cached()
        # e^(ix) on the negative side only: x is masked to 0 elsewhere (no overflow); x = 0
        # is masked too, so the second derivative there is 0, as torch's (x < 0 only)
        neg = xp.exp(xp.where(below, x, 0.0) * input_scale) * (alpha * scale * input_scale)
        return (g * xp.where(pos, scale, neg),)


def _elu(input: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    d = input._data
    pos = d > 0
    neg = np.expm1(np.where(pos, 0, d) * input_scale) * alpha
    out = np.where(pos, d, neg) * scale if scale != 1 else np.where(pos, d, neg)
    return unary(EluBackward, out.astype(d.dtype, copy=False), input, save_input=True,
                 meta=(alpha, scale, input_scale), cache=(pos, d < 0))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU: x for x > 0, α(eˣ − 1) otherwise."""
    if inplace:
        return input.copy_(elu(input.clone(), alpha))
    return _elu(input, alpha, 1.0, 1.0)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU: scale · ELU(x, α) with α = 1.6733, scale = 1.0507 (self-normalising)."""
    if inplace:
        return input.copy_(selu(input.clone()))
    return _elu(input, SELU_ALPHA, SELU_SCALE, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU: max(0, x) + min(0, α(e^(x/α) − 1))."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (ZeroDivisionError in x/alpha)")
    if inplace:
        return input.copy_(celu(input.clone(), alpha))
    return _elu(input, alpha, 1.0, 1.0 / alpha)


class MaskBackward(Node):
    """y piecewise linear, slope m(x) ∈ {0, c} fixed at the forward;  dx = g · m (the
    slope array is cached). Serves hardtanh, relu6, hardsigmoid and threshold."""

    def vjp(self, g, xp):
        return (g * self.cached(),)


def _masked(input: Tensor, out: np.ndarray, slope: np.ndarray) -> Tensor:
    d = input._data
    return unary(MaskBackward, out.astype(d.dtype, copy=False), input,
                 cache=slope.astype(d.dtype, copy=False))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """HardTanh: clamp(x, min_val, max_val); the gradient is 0 at and beyond the ends."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    if inplace:
        return input.copy_(hardtanh(input.clone(), min_val, max_val))
    d = input._data
    return _masked(input, np.clip(d, min_val, max_val), (d > min_val) & (d < max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU6: min(max(x, 0), 6) (hardtanh(x, 0, 6))."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardsigmoid: relu6(x + 3) / 6; slope 1/6 on (−3, 3), 0 elsewhere."""
    if inplace:
        return input.copy_(hardsigmoid(input.clone()))
    d = input._data
    out = np.clip(d + 3, 0, 6) / 6
    # torch's backward multiplies by the float32 constant 1.0f/6 for every dtype
    return _masked(input, out, ((d > -3) & (d < 3)) * float(np.float32(1 / 6)))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold: x where x > threshold, else ``value``."""
    if inplace:
        return input.copy_(_threshold(input.clone(), threshold, value))
    return _threshold(input, threshold, value)


def _threshold(input: Tensor, at: float, value: float) -> Tensor:
    d = input._data
    keep = d > at
    return _masked(input, np.where(keep, d, value), keep)


class HardswishBackward(Node):
    """y = x · relu6(x + 3) / 6;  dx = 0 (x ≤ −3), g (x/3 + ½) (−3 < x < 3), g (x ≥ 3)
    (torch's sides at the kinks)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        mid, above = self.cached()
        return (g * xp.where(mid, x * (1 / 3) + 0.5, above),)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardswish: x · relu6(x + 3) / 6."""
    if inplace:
        return input.copy_(hardswish(input.clone()))
    d = input._data
    out = d * np.clip(d + 3, 0, 6) / 6
    mid = (d > -3) & (d < 3)
    above = (d >= 3).astype(d.dtype)
    return unary(HardswishBackward, out.astype(d.dtype, copy=False), input, save_input=True,
                 cache=(mid, above))


class LogsigmoidBackward(Node):
    """y = log σ(x) = −softplus(−x);  dx = g · σ(−x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.sigmoid(-x),)


def logsigmoid(input: Tensor) -> Tensor:
    """LogSigmoid: log(1 / (1 + e⁻ˣ)) = −log(1 + e⁻ˣ), without overflow."""
    d = input._data
    out = -_log1p_exp(-d)
    return unary(LogsigmoidBackward, out.astype(d.dtype, copy=False), input, save_input=True)


class SoftsignBackward(Node):
    """y = x / (1 + |x|);  dx = g / (1 + |x|)²  (|x| = x·sign(x), the sign cached)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        d = x * self.cached() + 1
        return (g / (d * d),)


def softsign(input: Tensor) -> Tensor:
    """Softsign: x / (1 + |x|)."""
    d = input._data
    return unary(SoftsignBackward, d / (1 + np.abs(d)), input, save_input=True,
                 cache=np.sign(d))


class TanhshrinkBackward(Node):
    """y = x − tanh x;  dx = g · tanh² x."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        t = xp.tanh(x)
        return (g * (t * t),)


def tanhshrink(input: Tensor) -> Tensor:
    """Tanhshrink: x − tanh(x)."""
    d = input._data
    return unary(TanhshrinkBackward, d - np.tanh(d), input, save_input=True)
