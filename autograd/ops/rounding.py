"""Rounding and sign: step functions whose gradient is zero (as torch's), and ``frac``.

torch records these (``x.round()`` of a tensor that requires grad requires grad, its
gradient is zeros); so do we, with one node that passes back ``g · 0``. Integer tensors
are returned unchanged by round/floor/ceil/trunc, as torch's.
"""

from __future__ import annotations

import numpy as np

from autograd.graph import Node
from autograd.ops.record import unary
from autograd.ops.unary import sign_array
from autograd.tensor import Tensor, _wrap


class StepBackward(Node):
    """y piecewise constant in x (round, floor, ceil, trunc, sign);  dx = 0."""

    def vjp(self, g, xp):
        return (g * 0,)


def _step(input: Tensor, out: np.ndarray) -> Tensor:
    return unary(StepBackward, out, input)


def round(input: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    """Round to ``decimals`` decimal places, halves to even (as torch)."""
    d = input._data
    if d.dtype.kind not in "fc":
        return _wrap(d.copy(), None)
    return _step(input, np.round(d, decimals))


def floor(input: Tensor) -> Tensor:
    d = input._data
    return _wrap(d.copy(), None) if d.dtype.kind not in "fc" else _step(input, np.floor(d))


def ceil(input: Tensor) -> Tensor:
    d = input._data
    return _wrap(d.copy(), None) if d.dtype.kind not in "fc" else _step(input, np.ceil(d))


def trunc(input: Tensor) -> Tensor:
    d = input._data
    return _wrap(d.copy(), None) if d.dtype.kind not in "fc" else _step(input, np.trunc(d))


fix = trunc  # torch's alias


def sign(input: Tensor) -> Tensor:
    """−1, 0 or 1 by the sign of x, 0 for NaN as torch (bool stays bool); zero gradient."""
    d = input._data
    if d.dtype == np.bool_:
        return _wrap(d.copy(), None)
    return _step(input, sign_array(d))


class FracBackward(Node):
    """y = x − trunc(x);  dx = g."""

    def vjp(self, g, xp):
        return (g,)


def frac(input: Tensor) -> Tensor:
    """The fractional part x − trunc(x) (keeps the sign of x)."""
    d = input._data
    return unary(FracBackward, d - np.trunc(d), input)
