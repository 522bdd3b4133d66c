"""Arithmetic: + - * / ** and negation, with NumPy broadcasting; comparisons.

Either operand may be a constant (Python scalar or NumPy array). Each VJP sums
its gradient back to the operand's shape with ``xp.sum_to`` when broadcasting
stretched it (``meta`` holds that shape, or ``None``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.ops.record import array_of, binary, unary
from autograd.promotion import promote
from autograd.tensor import Tensor, _wrap


def _reduce(gi: Any, shape: tuple | None, xp) -> Any:
    return gi if shape is None else xp.sum_to(gi, shape)


def _operands(a: Any, b: Any) -> tuple[Any, Any]:
    """The operands' arrays (or scalars) at their ``torch.result_type``; same-dtype
    arrays pass through at the cost of one comparison."""
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    if x.__class__ is np.ndarray:
        cy = y.__class__
        if cy is np.ndarray:
            if x.dtype is y.dtype:
                return x, y
        elif cy is float and x.dtype.kind == "f":  # NumPy's weak float: x's dtype, as torch
            return x, y
    return promote(x, y)


def _apply(fn, x: Any, y: Any, a: Any, b: Any) -> np.ndarray:
    """``fn(x, y)``; a shape mismatch names both shapes."""
    try:
        return fn(x, y)
    except ValueError as err:
        if "broadcast" not in str(err):
            raise
        raise ValueError(
            f"shapes {np.shape(array_of(a))} and {np.shape(array_of(b))} cannot be broadcast "
            f"together for {fn.__name__}"
        ) from None


def _compute(fn, a: Any, b: Any) -> np.ndarray:
    """``fn(a, b)`` on the operands' arrays, promoted as torch."""
    x, y = _operands(a, b)
    return _apply(fn, x, y, a, b)


def _saved(t: Any, arr: Any) -> Any:
    """What a VJP keeps of operand ``t``: the tensor, or, when promotion cast a constant
    (an int tensor times a float one), the cast copy, so the VJP computes in the result
    dtype. The copy is a snapshot, so a later in-place change of ``t`` cannot reach it."""
    if isinstance(t, Tensor) and (t.requires_grad or t._data is arr):
        return t
    return arr


class AddBackward(Node):
    """z = a + b;  da = g,  db = g."""

    def vjp(self, g, xp):
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g, sa, xp) if e[0] is not None else None,
                _reduce(g, sb, xp) if e[1] is not None else None)


def add(a: Any, b: Any) -> Tensor:
    """a + b (broadcasting)."""
    return binary(AddBackward, _compute(np.add, a, b), a, b)


class SubBackward(Node):
    """z = a − b;  da = g,  db = −g."""

    def vjp(self, g, xp):
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g, sa, xp) if e[0] is not None else None,
                _reduce(-g, sb, xp) if e[1] is not None else None)


def sub(a: Any, b: Any) -> Tensor:
    """a − b (broadcasting)."""
    return binary(SubBackward, _compute(np.subtract, a, b), a, b)


def rsub(a: Any, b: Any) -> Tensor:
    return sub(b, a)


class MulBackward(Node):
    """z = a ⊙ b;  da = g ⊙ b,  db = g ⊙ a."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g * b, sa, xp) if e[0] is not None else None,
                _reduce(g * a, sb, xp) if e[1] is not None else None)


def mul(a: Any, b: Any) -> Tensor:
    """a ⊙ b (elementwise, broadcasting)."""
    x, y = _operands(a, b)
    out = _apply(np.multiply, x, y, a, b)
    return binary(MulBackward, out, _saved(a, x), _saved(b, y), save=True)


class DivBackward(Node):
    """z = a / b;  da = g / b,  db = −g ⊙ a / b²."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g / b, sa, xp) if e[0] is not None else None,
                _reduce(-g * a / (b * b), sb, xp) if e[1] is not None else None)


def div(a: Any, b: Any) -> Tensor:
    """a / b (true division, broadcasting); integer operands divide in float32 (torch's
    default float), as ``torch.div``."""
    x, y = _operands(a, b)
    if (x.dtype if isinstance(x, np.ndarray) else y.dtype).kind in "biu":
        x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
    out = _apply(np.true_divide, x, y, a, b)
    return binary(DivBackward, out, _saved(a, x), _saved(b, y), save=True)


def rdiv(a: Any, b: Any) -> Tensor:
    return div(b, a)


class NegBackward(Node):
    """y = −x;  dx = −g."""

    def vjp(self, g, xp):
        return (-g,)


def neg(x: Tensor) -> Tensor:
    """−x."""
    return unary(NegBackward, np.negative(x._data), x)


class PowBackward(Node):
    """z = aᵇ;  da = g ⊙ b ⊙ aᵇ⁻¹ (0 where b = 0),  db = g ⊙ aᵇ ⊙ ln a (0 where a = 0 and
    b ≥ 0). The masks are torch's: 0**0 has gradient 0 in both, 0**(−1) gives −inf, and a
    negative base gives NaN for db (ln a), as torch."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        av, bv = array_of(a), array_of(b)
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if e[0] is not None:
                if isinstance(bv, np.ndarray):
                    ga = _reduce(xp.where(bv == 0, 0, g * b * a ** (b - 1)), sa, xp)
                else:  # a constant exponent
                    ga = g * 0 if bv == 0 else g * b * a ** (b - 1)
            if e[1] is not None:
                # a ** b recomputed rather than saved: under create_graph it must be a
                # function of a and b for the second derivative.
                log_a = xp.log(a) if isinstance(a, Tensor) else np.log(av)  # a constant base
                gb = g * a ** b * log_a
                gb = _reduce(xp.where((av == 0) & (bv >= 0), 0, gb), sb, xp)
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the contract's name
    """aᵇ elementwise (either may be a constant)."""
    x, y = _operands(a, b)
    out = _apply(np.power, x, y, a, b)
    return binary(PowBackward, out, _saved(a, x), _saved(b, y), save=True)


# -- comparisons: bool tensors, never differentiable ----------------------------------------
def _compare(fn):
    def op(a: Any, b: Any) -> Tensor:
        if b is None:
            return NotImplemented
        x = a._data if isinstance(a, Tensor) else a
        y = b._data if isinstance(b, Tensor) else b
        if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.dtype != y.dtype:
            x, y = promote(x, y)  # tensors compare at their result_type; scalars exactly
        return _wrap(_apply(fn, x, y, a, b), None)
    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise {fn.__name__} (a bool tensor; no gradient)."
    return op


lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
eq = _compare(np.equal)
ne = _compare(np.not_equal)
