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
from autograd.tensor import Tensor, _wrap


def _reduce(gi: Any, shape: tuple | None, xp) -> Any:
    return gi if shape is None else xp.sum_to(gi, shape)


def _compute(fn, a: Any, b: Any) -> np.ndarray:
    """``fn(a, b)`` on the operands' arrays; a shape mismatch names both shapes."""
    try:
        return fn(a._data if isinstance(a, Tensor) else a, b._data if isinstance(b, Tensor) else b)
    except ValueError as err:
        if "broadcast" not in str(err):
            raise
        raise ValueError(
            f"shapes {np.shape(array_of(a))} and {np.shape(array_of(b))} cannot be broadcast "
            f"together for {fn.__name__}"
        ) from None


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
    return binary(MulBackward, _compute(np.multiply, a, b), a, b, save="cross")


class DivBackward(Node):
    """z = a / b;  da = g / b,  db = −g ⊙ a / b²."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        return (_reduce(g / b, sa, xp) if e[0] is not None else None,
                _reduce(-g * a / (b * b), sb, xp) if e[1] is not None else None)


def div(a: Any, b: Any) -> Tensor:
    """a / b (true division, broadcasting)."""
    return binary(DivBackward, _compute(np.true_divide, a, b), a, b, save="quotient")


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
    """z = aᵇ;  da = g ⊙ b ⊙ aᵇ⁻¹,  db = g ⊙ aᵇ ⊙ log a  (where a > 0; 0 elsewhere)."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        ga = gb = None
        if e[0] is not None:
            if isinstance(b, int | float) and b == 0:
                ga = g * 0
            else:
                ga = _reduce(g * b * a ** (b - 1), sa, xp)
        if e[1] is not None:
            # a ** b recomputed rather than saved: under create_graph it must be a
            # function of a and b for the second derivative.
            safe_a = xp.where(array_of(a) > 0, a, 1)
            gb = _reduce(g * a ** b * xp.log(safe_a), sb, xp)
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the contract's name
    """aᵇ elementwise (either may be a constant)."""
    return binary(PowBackward, _compute(np.power, a, b), a, b, save=True)


# -- comparisons: bool tensors, never differentiable ----------------------------------------
def _compare(fn):
    def op(a: Any, b: Any) -> Tensor:
        if b is None:
            return NotImplemented
        return _wrap(_compute(fn, a, b), None)
    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise {fn.__name__} (a bool tensor; no gradient)."
    return op


lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
eq = _compare(np.equal)
ne = _compare(np.not_equal)
