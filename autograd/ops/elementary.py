"""Elementary functions: logs and exponentials of other bases, hyperbolic and inverse
trigonometric functions, and the two-operand ones (atan2, hypot, logaddexp, lerp, copysign, fmod,
remainder); each forward on arrays next to its VJP.

Integer and bool inputs give float32 results, as torch's (``_floating``). Two-operand ops
broadcast, take Python scalars for either operand, and sum each gradient back to its
operand's shape (``meta``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, is_array
from autograd.graph import Away, Node
from autograd.ops.arith import _compute, _reduce, mul
from autograd.ops.record import array_of, binary, nary, unary
from autograd.promotion import cpu_scalars_moved, float_operands
from autograd.tensor import Tensor

_LN2 = math.log(2)
_LN10 = math.log(10)


def _floating(d: np.ndarray) -> np.ndarray:
    """``d`` as a float array (ints and bools become float32, as torch promotes them)."""
    return d if d.dtype.kind in "fc" else d.astype(np.float32)


def square(input: Tensor) -> Tensor:
    """x² (recorded as x·x: the same values and derivatives as torch's pow(x, 2)); a bool
    tensor squares to int64, as torch's."""
    if input._data.dtype == np.bool_:
        input = Tensor(input._data.astype(np.int64))
    return mul(input, input)


class RsqrtBackward(Node):
    """y = 1/√x;  dx = −½ g y³."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (g * (y * y * y) * -0.5,)


def rsqrt(input: Tensor) -> Tensor:
    """1/√x elementwise."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("rsqrt", rsqrt, input)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1 / np.sqrt(_floating(input._data))
    return unary(RsqrtBackward, out, input, save_out=True)


class Log1pBackward(Node):
    """y = ln(1 + x);  dx = g / (1 + x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / (x + 1),)


def log1p(input: Tensor) -> Tensor:
    """ln(1 + x), accurate for small x."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("log1p", log1p, input)
    return unary(Log1pBackward, np.log1p(_floating(input._data)), input, save_input=True)


class Expm1Backward(Node):
    """y = eˣ − 1;  dx = g (y + 1)."""

    def vjp(self, g, xp):
        return (g * (self.output(xp) + 1),)


def expm1(input: Tensor) -> Tensor:
    """eˣ − 1, accurate for small x."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("expm1", expm1, input)
    return unary(Expm1Backward, np.expm1(_floating(input._data)), input, save_out=True)


class Log2Backward(Node):
    """y = log₂ x;  dx = g / (x ln 2)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / (x * _LN2),)


def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("log2", log2, input)
    return unary(Log2Backward, np.log2(_floating(input._data)), input, save_input=True)


class Log10Backward(Node):
    """y = log₁₀ x;  dx = g / (x ln 10)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / (x * _LN10),)


def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("log10", log10, input)
    return unary(Log10Backward, np.log10(_floating(input._data)), input, save_input=True)


class Exp2Backward(Node):
    """y = 2ˣ;  dx = g y ln 2."""

    def vjp(self, g, xp):
        return (g * self.output(xp) * _LN2,)


def exp2(input: Tensor) -> Tensor:
    """2ˣ elementwise."""
    return unary(Exp2Backward, np.exp2(_floating(input._data)), input, save_out=True)


class SinhBackward(Node):
    """y = sinh x;  dx = g cosh x = g (eˣ + e⁻ˣ)/2."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (xp.exp(x) + xp.exp(-x)) * 0.5,)


def sinh(input: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("sinh", sinh, input)
    return unary(SinhBackward, np.sinh(_floating(input._data)), input, save_input=True)


class CoshBackward(Node):
    """y = cosh x;  dx = g sinh x = g (eˣ − e⁻ˣ)/2."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (xp.exp(x) - xp.exp(-x)) * 0.5,)


def cosh(input: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cosh", cosh, input)
    return unary(CoshBackward, np.cosh(_floating(input._data)), input, save_input=True)


class AsinhBackward(Node):
    """y = asinh x;  dx = g / √(x² + 1)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (x * x + 1) ** -0.5,)


def asinh(input: Tensor) -> Tensor:
    return unary(AsinhBackward, np.arcsinh(_floating(input._data)), input, save_input=True)


class AcoshBackward(Node):
    """y = acosh x;  dx = g / √(x² − 1)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (x * x - 1) ** -0.5,)


def acosh(input: Tensor) -> Tensor:
    return unary(AcoshBackward, np.arccosh(_floating(input._data)), input, save_input=True)


class AtanhBackward(Node):
    """y = atanh x;  dx = g / (1 − x²)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / (1 - x * x),)


def atanh(input: Tensor) -> Tensor:
    return unary(AtanhBackward, np.arctanh(_floating(input._data)), input, save_input=True)


class TanBackward(Node):
    """y = tan x;  dx = g (1 + y²)."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (g * (y * y + 1),)


def tan(input: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("tan", tan, input)
    return unary(TanBackward, np.tan(_floating(input._data)), input, save_out=True)


class AsinBackward(Node):
    """y = asin x;  dx = g / √(1 − x²) (NaN for |x| > 1, ±inf included: a power −½ of −inf
    would be 0)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (1 / xp.sqrt(1 - x * x)),)


def asin(input: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("asin", asin, input)
    return unary(AsinBackward, np.arcsin(_floating(input._data)), input, save_input=True)


class AcosBackward(Node):
    """y = acos x;  dx = −g / √(1 − x²) (NaN for |x| > 1, as asin's)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (-1 / xp.sqrt(1 - x * x)),)


def acos(input: Tensor) -> Tensor:
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("acos", acos, input)
    return unary(AcosBackward, np.arccos(_floating(input._data)), input, save_input=True)


class AtanBackward(Node):
    """y = atan x;  dx = g / (1 + x²)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g / (x * x + 1),)


def atan(input: Tensor) -> Tensor:
    return unary(AtanBackward, np.arctan(_floating(input._data)), input, save_input=True)


# -- two operands ---------------------------------------------------------------------------
def _float_operands(fn, a: Any, b: Any) -> np.ndarray:
    """``fn(a, b)`` on the operands cast to their float result type
    (:func:`~autograd.promotion.float_operands`: integer and bool give float32)."""
    return _compute(fn, *float_operands(array_of(a), array_of(b)))


class Atan2Backward(Node):
    """z = atan2(a, b) (the angle of (b, a));  da = g b / (a² + b²),  db = −g a / (a² + b²);
    0 at a = b = 0 (torch's, not 0·∞)."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        den = a * a + b * b
        at0 = array_of(den) == 0
        r = xp.where(at0, 0, g / xp.where(at0, 1, den)) if at0.any() else g / den
        return (_reduce(r * b, sa, xp) if e[0] is not None else None,
                _reduce(r * a * -1, sb, xp) if e[1] is not None else None)


def atan2(input: Any, other: Any) -> Tensor:
    """atan2(input, other): the angle of the point (other, input), in (−π, π]."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("atan2", atan2, input, other)
    input, other = cpu_scalars_moved(input, other)
    return binary(Atan2Backward, _float_operands(np.arctan2, input, other), input, other,
                  save=True)


class HypotBackward(Node):
    """z = √(a² + b²);  da = g a / z,  db = g b / z."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        r = g / self.output(xp)
        return (_reduce(r * a, sa, xp) if e[0] is not None else None,
                _reduce(r * b, sb, xp) if e[1] is not None else None)


def hypot(input: Any, other: Any) -> Tensor:
    """√(input² + other²) without overflow."""
    input, other = cpu_scalars_moved(input, other)
    return binary(HypotBackward, _float_operands(np.hypot, input, other), input, other,
                  save=True, save_out=True)


class LogaddexpBackward(Node):
    """z = log(eᵃ + eᵇ);  da = g / (1 + e^(b − a)),  db = g / (1 + e^(a − b)) (torch's
    formulas: 1 and 0 where a = +inf > b, NaN where a = b = +inf)."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g / (1 + xp.exp(b - a)), sa, xp) if e[0] is not None else None,
                _reduce(g / (1 + xp.exp(a - b)), sb, xp) if e[1] is not None else None)


class Logaddexp2Backward(Node):
    """z = log₂(2ᵃ + 2ᵇ);  da = g / (1 + 2^(b − a)),  db = g / (1 + 2^(a − b))."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g / (1 + xp.exp2(b - a)), sa, xp) if e[0] is not None else None,
                _reduce(g / (1 + xp.exp2(a - b)), sb, xp) if e[1] is not None else None)


def logaddexp(input: Any, other: Any) -> Tensor:
    """log(eˣ + eʸ) without overflow: max(x, y) + log1p(e^(−|x − y|)) (x where x = y = ±inf;
    NumPy's logaddexp, torch's formula), at the operands' float result type."""
    input, other = cpu_scalars_moved(input, other)
    with np.errstate(invalid="ignore"):  # inf − inf inside, resolved to the infinity
        out = _float_operands(np.logaddexp, input, other)
    return binary(LogaddexpBackward, out, input, other, save=True)


def logaddexp2(input: Any, other: Any) -> Tensor:
    """log₂(2ˣ + 2ʸ), as :func:`logaddexp` in base 2."""
    input, other = cpu_scalars_moved(input, other)
    with np.errstate(invalid="ignore"):
        out = _float_operands(np.logaddexp2, input, other)
    return binary(Logaddexp2Backward, out, input, other, save=True)


class LerpBackward(Node):
    """z = a + w (b − a);  da = g (1 − w),  db = g w,  dw = g (b − a)."""

    def vjp(self, g, xp):
        a, b, w = self.inputs(xp)
        sa, sb, sw = self.meta
        ea, eb, ew = self.edges
        return (_reduce(g * (1 - w), sa, xp) if ea is not None else None,
                _reduce(g * w, sb, xp) if eb is not None else None,
                _reduce(g * (b - a), sw, xp) if ew is not None else None)


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """Linear interpolation input + weight · (end − input) (weight a number or a tensor)."""
    input, end, weight = cpu_scalars_moved(input, end, weight)
    a, b, w = array_of(input), array_of(end), array_of(weight)
    check_same_device(a, b, w)
    # torch's two-sided form: exact at both ends (w = 0 gives a, w = 1 gives b)
    out = np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))
    out = asarray(out, dtype=np.result_type(a, b))
    shape = out.shape
    meta = tuple(None if np.shape(v) == shape else np.shape(v) for v in (a, b, w))
    return nary(LerpBackward, out, (input, end, weight), saved=(input, end, weight), meta=meta)


class CopysignBackward(Node):
    """z = |a| · sign(b);  da = g · z/a (0 where a = 0),  db = 0."""

    def vjp(self, g, xp):
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g * self.cached(), sa, xp) if e[0] is not None else None,
                _reduce(g * 0, sb, xp) if e[1] is not None else None)


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with the sign (bit) of other."""
    input, other = cpu_scalars_moved(input, other)
    out = _float_operands(np.copysign, input, other)
    t = binary(CopysignBackward, out, input, other)
    if t._node is not None:
        a = array_of(input)
        with np.errstate(divide="ignore", invalid="ignore"):
            t._node.cache = np.where(a == 0, 0, out / a).astype(out.dtype, copy=False)
    return t


class FmodBackward(Node):
    """z = a − b·trunc(a/b) (C's fmod);  da = g,  db = −g trunc(a/b)  (the quotient cached)."""

    def vjp(self, g, xp):
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g, sa, xp) if e[0] is not None else None,
                _reduce(g * self.cached() * -1, sb, xp) if e[1] is not None else None)


class RemainderBackward(FmodBackward):
    """z = a − b·floor(a/b) (Python's %);  da = g,  db = −g floor(a/b)."""


def _division_remainder(node: type[Node], fn, quotient, input: Any, other: Any) -> Tensor:
    x, y = asarray(array_of(input)), asarray(array_of(other))
    if x.dtype.kind in "iub" and y.dtype.kind in "iub" and not np.all(y):
        # integers: NumPy gives 0 quietly, torch raises
        raise RuntimeError(f"ZeroDivisionError: integer {fn.__name__} by zero")
    with np.errstate(divide="ignore", invalid="ignore"):  # x % 0.0 is nan, quietly (torch)
        out = _compute(fn, input, other)
    t = binary(node, out, input, other)
    if t._node is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = quotient(array_of(input), array_of(other))
        t._node.cache = asarray(q, dtype=out.dtype)
    return t


def _torch_remainder(x: Any, y: Any) -> Any:
    """torch's remainder of floats: C's fmod moved into the divisor's sign, so that
    remainder(-2.0, 2.0) is -0.0 as torch's (NumPy's floor-based one gives +0.0);
    integers as NumPy's (the same values, no signed zeros)."""
    r = np.fmod(x, y)
    if r.dtype.kind != "f":
        return np.remainder(x, y)
    if is_array(y) and y.ndim == 0 and y.__class__ is not r.__class__:
        y = y.item()  # a host number beside a device array: as a number (CuPy's rule)
    negative = (y < 0) if is_array(y) else bool(y < 0)
    return np.where((r != 0) & ((r < 0) != negative), r + y, r)


_torch_remainder.__name__ = "remainder"  # (broadcast errors name the op)


def _trunc_divide(x: Any, y: Any) -> Any:
    """torch's div(rounding_mode="trunc"): trunc(x / y)."""
    return np.trunc(np.true_divide(x, y))


def fmod(input: Any, other: Any) -> Tensor:
    """C's fmod: the remainder of input / other with the sign of input."""
    input, other = cpu_scalars_moved(input, other)
    return _division_remainder(FmodBackward, np.fmod, _trunc_divide, input, other)


def remainder(input: Any, other: Any) -> Tensor:
    """Python's %: the remainder of input / other with the sign of other."""
    input, other = cpu_scalars_moved(input, other)
    # torch's div(rounding_mode="floor"), as NumPy's floor_divide: NaN for an infinite
    # input (floor(inf / b) would be inf), and exact where a / b rounds to an integer
    return _division_remainder(RemainderBackward, _torch_remainder, np.floor_divide, input,
                               other)


# NumPy's names, which torch also accepts
arcsin, arccos, arctan, arcsinh, arccosh, arctanh, arctan2 = (
    asin, acos, atan, asinh, acosh, atanh, atan2)
