"""Elementwise activations of ``nn.functional`` beyond the contract's seed set (torch's
names, signatures and values, first and second derivatives).

Built from the engine's ops; three special functions the engine does not have yet
(``expm1``, ``log1p(eᶻ)`` and ``erf``) are small custom Functions whose forward is the
exact NumPy/libm value and whose backward is written in differentiable Tensor ops.
Piecewise functions use constant masks of the input (``where``), so each kink has
torch's one-sided derivative. ``inplace`` is accepted and ignored (a new tensor is
returned), as for ``relu``.
"""

from __future__ import annotations

import math

import numpy as np

import autograd as ag
from autograd.function import Function, FunctionCtx
from autograd.tensor import Tensor

__all__ = [
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
    "relu6", "selu", "silu", "softplus", "softsign", "tanhshrink",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_erf_scalar = np.frompyfunc(math.erf, 1, 1)


class _Expm1(Function):
    """y = eˣ − 1 (exact near 0);  dy/dx = eˣ."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return ag.from_numpy(np.expm1(x._data))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * ag.exp(x)


class _Softplus(Function):
    """y = log(1 + eᶻ) (NumPy's logaddexp: no overflow, exact for z ≪ 0);  dy/dz = σ(z)."""

    @staticmethod
    def forward(ctx: FunctionCtx, z: Tensor) -> Tensor:
        ctx.save_for_backward(z)
        zd = z._data
        return ag.from_numpy(np.logaddexp(np.zeros((), zd.dtype), zd))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        return g * ag.sigmoid(z)


class _Erf(Function):
    """y = erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt (libm's value per element);
    dy/dx = (2/√π) e^(−x²)."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        xd = x._data
        return ag.from_numpy(np.asarray(_erf_scalar(xd), dtype=xd.dtype))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * (2.0 / math.sqrt(math.pi)) * ag.exp(-(x * x))


def _below_or_at_zero(input: Tensor) -> tuple[np.ndarray, Tensor]:
    """(mask x > 0, x with the positive entries replaced by 0): the negative branch of
    ELU-like functions sees no large x, so its unused gradient is 0, never inf·0."""
    pos = input._data > 0
    return pos, ag.where(pos, 0.0, input)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else α(eˣ − 1) (Exponential Linear Unit)."""
    pos, neg = _below_or_at_zero(input)
    return ag.where(pos, input, alpha * _Expm1.apply(neg))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale · (x if x > 0 else α(eˣ − 1)), α ≈ 1.6733, scale ≈ 1.0507 (self-normalising)."""
    pos, neg = _below_or_at_zero(input)
    return _SELU_SCALE * ag.where(pos, input, _SELU_ALPHA * _Expm1.apply(neg))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, α(e^(x/α) − 1)) (continuously differentiable ELU)."""
    if alpha == 0:
        raise ZeroDivisionError("ZeroDivisionError from celu: alpha must not be 0")
    pos, neg = _below_or_at_zero(input)
    return ag.where(pos, input, alpha * _Expm1.apply(neg * (1.0 / alpha)))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (torch's linear tail)."""
    z = input * beta if beta != 1 else input
    smooth = _Softplus.apply(z)
    if beta != 1:
        smooth = smooth * (1.0 / beta)
    return ag.where(z._data > threshold, input, smooth)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = −log(1 + e^(−x)), stable for any x."""
    return -_Softplus.apply(-input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · tanh(log(1 + eˣ))."""
    return input * ag.tanh(_Softplus.apply(input))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x · σ(x) (the Sigmoid Linear Unit, "swish")."""
    return input * ag.sigmoid(input)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x · Φ(x) = ½x(1 + erf(x/√2)) (Gaussian Error Linear Unit); ``approximate='tanh'``:
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if approximate == "none":
        return input * 0.5 * (1.0 + _Erf.apply(input * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * (input * input * input))
        return 0.5 * input * (1.0 + ag.tanh(inner))
    raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); derivative 1 strictly inside, 0 elsewhere (as torch)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    x = input._data
    inside = (x > min_val) & (x < max_val)
    const = np.where(x <= min_val, min_val, max_val).astype(x.dtype)
    return ag.where(inside, input, const)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between."""
    x = input._data
    inside = (x > -3) & (x < 3)
    return ag.where(inside, input * (1.0 / 6.0) + 0.5, (x >= 3).astype(x.dtype))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """0 for x ≤ −3, x for x ≥ 3, x(x + 3)/6 between."""
    x = input._data
    mid = input * (input + 3.0) * (1.0 / 6.0)
    return ag.where(x <= -3, 0.0, ag.where(x >= 3, input, mid))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (ag.abs(input) + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """x − tanh(x)."""
    return input - ag.tanh(input)
