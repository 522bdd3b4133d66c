"""Elementwise functions about numbers themselves, as torch's: angle units (``deg2rad``,
``rad2deg``), ``float_power`` (in float64), ``heaviside``, ``signbit``, integer ``gcd`` and
``lcm``, and the binary representation of floats (``ldexp``, ``frexp``, ``nextafter``).

Each is a composition of the differentiable primitives (no node of its own), or carries
no gradient where torch's has none; ``heaviside``'s output records torch's "derivative not
implemented" so that a backward through it raises instead of silently giving zero.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd.backend import to, to_host, xp_of
from autograd.function import Function
from autograd.grad_mode import is_grad_enabled
from autograd.ops.arith import _compute, div, mul, pow
from autograd.ops.broadcast import sum_to
from autograd.ops.record import array_of
from autograd.ops.select import where
from autograd.ops.unary import astype
from autograd.promotion import result_type, torch_name
from autograd.tensor import Tensor, _wrap

_DEFAULT_FLOAT = np.float32  # what torch computes integer input of a float function in


def _floating(input: Tensor) -> Tensor:
    """``input`` as it is when floating, else cast to the default float (float32)."""
    return input if input._data.dtype.kind == "f" else astype(input, _DEFAULT_FLOAT)


def deg2rad(input: Tensor) -> Tensor:
    """x · π/180 (integer and bool input give float32, as torch)."""
    return mul(_floating(input), math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    """x · 180/π (integer and bool input give float32, as torch)."""
    return mul(_floating(input), 180.0 / math.pi)


def float_power(input: Any, exponent: Any) -> Tensor:
    """inputᵉˣᵖᵒⁿᵉⁿᵗ computed in float64 whatever the operands' dtypes (torch's
    ``float_power``); the gradient reaches a float32 operand cast back to float32."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor as input or exponent")
    a = astype(input, np.float64) if isinstance(input, Tensor) else float(input)
    b = astype(exponent, np.float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b)


def float_power_(input: Tensor, exponent: Any) -> Tensor:
    """``float_power`` in place: only a float64 tensor can hold the result (torch)."""
    if input._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{torch_name(input._data.dtype)} but the operation's result "
                           "requires dtype Double")
    from autograd.ops.inplace import apply_inplace

    return apply_inplace(input, "float_power_", float_power, exponent)


class HeavisideNotDifferentiable(Function):
    """torch records heaviside with a node whose backward raises: so do we."""

    @staticmethod
    def forward(ctx, out: Tensor, *inputs: Tensor) -> Tensor:
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple:
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """H(x) = 0 for x < 0 (and NaN), ``values`` where x = 0, 1 for x > 0; ``values`` a
    tensor of input's dtype, broadcast. Not differentiable (backward raises, as torch)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    x, v = input._data, values._data
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    xp = xp_of(x)
    try:
        out = xp.where(x == 0, v, (x > 0).astype(x.dtype)).astype(x.dtype, copy=False)
    except ValueError:
        raise RuntimeError(f"heaviside: shapes {list(x.shape)} and {list(v.shape)} cannot be "
                           "broadcast together") from None
    t = _wrap(out, None)
    needs = [a for a in (input, values) if a.requires_grad]
    return HeavisideNotDifferentiable.apply(t, *needs) if needs and is_grad_enabled() else t


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (−0.0 included, NaN's own bit); bool is never
    negative. No gradient."""
    d = input._data
    if d.dtype == np.bool_:
        return _wrap(xp_of(d).zeros(d.shape, dtype=bool), None)
    return _wrap(xp_of(d).signbit(d), None)


def _integers_only(name: str, *operands: Any) -> None:
    for v in operands:
        dt = np.asarray(array_of(v)).dtype if not isinstance(v, Tensor) else v._data.dtype
        if dt.kind not in "iu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{torch_name(dt)}'")


def gcd(input: Tensor, other: Any) -> Tensor:
    """The greatest common divisor, elementwise, of integer tensors (gcd(0, 0) = 0; the
    result is non-negative). No gradient."""
    _integers_only("gcd", input, other)
    return _wrap(_compute(np.gcd, input, other), None)


def lcm(input: Tensor, other: Any) -> Tensor:
    """The least common multiple, elementwise, of integer tensors (0 if either is 0;
    non-negative). No gradient."""
    _integers_only("lcm", input, other)
    return _wrap(_compute(np.lcm, input, other), None)


class LdexpIntegerExponent(Function):
    """torch's LdexpBackward for an integer exponent tensor: dx = g · pow(2, other) computed
    in integer arithmetic, so 0 where other < 0 (torch's formula, kept as torch gives it)."""

    @staticmethod
    def forward(ctx, x: Tensor, out: Tensor, scale: np.ndarray) -> Tensor:
        ctx.scale, ctx.x_meta = scale, (x.shape, x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple:
        shape, dtype = ctx.x_meta
        gx = sum_to(mul(grad, _wrap(ctx.scale.astype(grad.dtype), None)), shape)
        return (gx if gx.dtype == dtype else astype(gx, dtype)), None, None


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input · 2^other, as torch computes it (``input * pow(2.0, other)``: integer input
    gives float32, a fractional ``other`` is allowed, differentiable in both). With an
    integer ``other`` torch's gradient for ``input`` is g · 2^other in integers (0 for a
    negative exponent): so is this one."""
    if not isinstance(other, Tensor):
        raise TypeError(f"ldexp(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    e = other._data
    if e.dtype.kind not in "iub" or not input.requires_grad or not is_grad_enabled():
        return mul(input, pow(2.0, other))
    out = mul(input.detach(), pow(2.0, other))
    ints = to_host(e).astype(np.int64)
    # 2^e as torch computes it, in e's integer type: wrapping (int8: 2^7 = -128; 0 from the
    # type's width on, uint8 2^8 included), 0 for e < 0
    scale = np.where((ints >= 0) & (ints < 64), np.left_shift(1, np.clip(ints, 0, 63)), 0)
    if e.dtype.kind in "iu":
        scale = scale.astype(e.dtype)
    scale = to(scale, input.device)
    return LdexpIntegerExponent.apply(input, out, scale)


class Frexp(NamedTuple):
    """torch.return_types.frexp: input = mantissa · 2^exponent, 0.5 ≤ |mantissa| < 1."""

    mantissa: Tensor
    exponent: Tensor


def frexp(input: Tensor) -> Frexp:
    """The mantissa (input's dtype) and int32 exponent of each element; the mantissa's
    gradient is g / 2^exponent (input / 2^exponent with the exponent held constant)."""
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    _, e = xp_of(d).frexp(d)
    e = e.astype(np.int32)
    scale = xp_of(d).ldexp(xp_of(d).ones((), dtype=d.dtype), e)  # 2^e, exact
    return Frexp(div(input, _wrap(scale, None)), _wrap(e, None))


class Nextafter(Function):
    """torch's NextafterBackward: dx = g where x ≠ y (0 where x = y, the result then being
    y), dy = 0 (zeros, not None)."""

    @staticmethod
    def forward(ctx, x: Tensor, y: Any, out: Tensor) -> Tensor:
        ctx.equal = x._data == (y._data if isinstance(y, Tensor) else y)
        ctx.x_meta = (x.shape, x.dtype)
        ctx.y_meta = (y.shape, y.dtype) if isinstance(y, Tensor) else None
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple:
        shape, dtype = ctx.x_meta
        gx = sum_to(where(ctx.equal, 0.0, grad), shape)
        if gx.dtype != dtype:
            gx = astype(gx, dtype)
        gy = None
        if ctx.y_meta is not None:
            gy = _wrap(xp_of(grad._data).zeros(*ctx.y_meta), None)
        return gx, gy, None


def nextafter(input: Tensor, other: Any) -> Tensor:
    """The next float after ``input`` towards ``other``, at their result dtype (which must
    be floating). The gradient is torch's: g for ``input`` where input ≠ other, zeros for
    ``other``."""
    out = _compute(np.nextafter, input, other) if _float_result(input, other) else None
    if out is None:
        dt = result_type(input, other)
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                                  f"'{torch_name(dt)}'")
    t = _wrap(out, None)
    if input.requires_grad or (isinstance(other, Tensor) and other.requires_grad):
        return Nextafter.apply(input, other, t)
    return t


def _float_result(input: Any, other: Any) -> bool:
    return np.dtype(result_type(input, other)).kind == "f"


PUBLIC = ["deg2rad", "rad2deg", "float_power", "ldexp", "frexp", "nextafter"]

METHODS: dict[str, Any] = {
    "deg2rad": deg2rad, "rad2deg": rad2deg, "float_power": float_power,
    "float_power_": float_power_, "heaviside": heaviside, "signbit": signbit, "gcd": gcd,
    "lcm": lcm, "ldexp": ldexp, "frexp": frexp, "nextafter": nextafter,
}
INPLACE = ["deg2rad", "rad2deg", "heaviside", "gcd", "lcm", "ldexp", "nextafter"]

FUNCTIONS: dict[str, Any] = {
    "deg2rad": deg2rad, "rad2deg": rad2deg, "float_power": float_power,
    "heaviside": heaviside, "signbit": signbit, "gcd": gcd, "lcm": lcm, "ldexp": ldexp,
    "frexp": frexp, "nextafter": nextafter,
}
