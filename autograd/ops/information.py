"""The terms of entropies and log-likelihoods, and sinc (torch.special): ``xlogy``,
``xlog1py``, ``entr``, ``logit`` and ``sinc``, each forward on arrays next to its VJP.

The conventions are torch's: x·log y is 0 where x = 0 (unless y is nan), −x ln x is 0 at
0 and −inf below, logit(x) = ln(x / (1 − x)) with x clamped to [eps, 1 − eps] when eps is
given, and sinc(0) = 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import is_array, is_device_array, special_of
from autograd.graph import Node
from autograd.ops.arith import _reduce
from autograd.ops.elementary import _float_operands, _floating
from autograd.ops.record import array_of, binary, check_tensor_args, unary
from autograd.promotion import cpu_scalars_moved
from autograd.tensor import Tensor


def _x_times(log_fn):
    """x · log_fn(y) with torch's zeros: 0 where x = 0 and y is not nan."""
    def fn(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * log_fn(y)
        return np.where((x == 0) & ~np.isnan(y), out.dtype.type(0), out)
    return fn


_xlogy = _x_times(np.log)
_xlog1py = _x_times(np.log1p)


def xlogy_array(x: Any, y: Any) -> np.ndarray:
    """x · ln y over arrays (0 where x = 0), at their float result dtype."""
    return _float_operands(_xlogy, x, y)


def xlog1py_array(x: Any, y: Any) -> np.ndarray:
    """x · ln(1 + y) over arrays (0 where x = 0), at their float result dtype."""
    return _float_operands(_xlog1py, x, y)


def _x_grad(g, x, y, log_term, pole: float, xp):
    """torch's dx of x·log(y): ``log_term(g, y)`` = g·log(y) (xlogy: 0 where g = 0), and 0 where
    x = 0 and y is at or below the log's pole (y ≤ 0; y ≤ −1 for log1p)."""
    d = log_term(g, y)
    with np.errstate(invalid="ignore"):  # off has the output's shape (x, y broadcast)
        off = (array_of(x) == 0) & (array_of(y) <= pole)
    if not is_array(off):  # a 0-d x and a number y: one answer for every element
        if not off:
            return d
        off = np.ones_like(array_of(d), dtype=bool)  # on d's device
    if off.any():
        d = xp.where(off, 0.0, d)
    return d


class XlogyBackward(Node):
    """z = x ln y (0 at x = 0);  dx = g ln y (0 where x = 0 and y ≤ 0),  dy = g x / y."""

    def vjp(self, g, xp):
        x, y = self.inputs(xp)
        sx, sy = self.meta
        e = self.edges
        dx = dy = None
        if e[0] is not None:
            dx = _reduce(_x_grad(g, x, y, xp.xlogy, 0.0, xp), sx, xp)
        if e[1] is not None:
            dy = _reduce(g * x / y, sy, xp)
        return (dx, dy)


def xlogy(input: Any, other: Any) -> Tensor:
    """input · ln(other), 0 where input = 0 (unless other is nan), broadcast
    (torch.xlogy, torch.special.xlogy); either operand may be a number."""
    input, other = cpu_scalars_moved(input, other)
    return binary(XlogyBackward, xlogy_array(input, other), input, other, save=True)


class Xlog1pyBackward(Node):
    """z = x ln(1 + y) (0 at x = 0);  dx = g ln(1 + y) (0 where x = 0 and y ≤ −1),
    dy = g x / (1 + y)."""

    def vjp(self, g, xp):
        x, y = self.inputs(xp)
        sx, sy = self.meta
        e = self.edges
        dx = dy = None
        if e[0] is not None:
            dx = _reduce(_x_grad(g, x, y, xp.xlog1py, -1.0, xp), sx, xp)
        if e[1] is not None:
            dy = _reduce(g * x / (y + 1), sy, xp)
        return (dx, dy)


def xlog1py(input: Any, other: Any) -> Tensor:
    """input · ln(1 + other), 0 where input = 0 (unless other is nan), broadcast
    (torch.special.xlog1py)."""
    input, other = cpu_scalars_moved(input, other)
    return binary(Xlog1pyBackward, xlog1py_array(input, other), input, other, save=True)


def entr_array(x: np.ndarray) -> np.ndarray:
    """−x ln x elementwise (0 at 0, −inf below)."""
    if is_device_array(x):  # the device's own kernel (cupyx.scipy.special.entr)
        return special_of(x).entr(_floating(x))
    d = _floating(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -d * np.log(d)
    out = np.where(d == 0, d.dtype.type(0), out)
    return np.where(d < 0, d.dtype.type(-np.inf), out)


class EntrBackward(Node):
    """y = −x ln x;  dx = −g (1 + ln x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * -(xp.log(x) + 1),)


def entr(input: Tensor) -> Tensor:
    """−x ln x elementwise, 0 at 0 and −inf below (torch.special.entr)."""
    check_tensor_args("special_entr", ("input", input, False))
    return unary(EntrBackward, entr_array(input._data), input, save_input=True)


class LogitBackward(Node):
    """y = ln(x / (1 − x)), x clamped to [eps, 1 − eps] (``meta``: eps or None);
    dx = g / (x (1 − x)), 0 outside [eps, 1 − eps] (nan outside [0, 1] without eps)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        eps = self.meta
        d = array_of(x)
        lo, hi = (0.0, 1.0) if eps is None else (eps, 1 - eps)
        out = g / (x * (1 - x))
        outside = (d < lo) | (d > hi)
        if outside.any():
            out = xp.where(outside, math.nan if eps is None else 0.0, out)
        return (out,)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(x / (1 − x)) elementwise (torch.logit, torch.special.logit); with ``eps``, x is
    first clamped to [eps, 1 − eps] (the gradient is 0 where it was clamped)."""
    check_tensor_args("logit", ("input", input, False))
    d = _floating(input._data)
    if eps is not None:
        d = np.clip(d, d.dtype.type(eps), d.dtype.type(1 - eps))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(d / (1 - d))
    return unary(LogitBackward, out, input, save_input=True,
                 meta=None if eps is None else float(eps))


class SincBackward(Node):
    """y = sin(πx)/(πx);  dx = g (πx cos πx − sin πx)/(πx²), 0 at x = 0."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        at0 = array_of(x) == 0
        px = x * math.pi
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (px * xp.cos(px) - xp.sin(px)) / (px * x)
        if at0.any():
            # 0/0 replaced by torch's 0; the division stays unguarded as torch's, so the
            # second derivative at 0 is torch's nan (0 · the nan of d/dx (a/b))
            d = xp.where(at0, 0.0, d)
        return (g * d,)


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc sin(πx)/(πx), 1 at 0, elementwise (torch.sinc)."""
    check_tensor_args("sinc", ("input", input, False))
    d = _floating(input._data)
    product = d * d.dtype.type(math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d == 0, d.dtype.type(1), np.sin(product) / product)
    return unary(SincBackward, out, input, save_input=True)


METHODS = {"xlogy": xlogy, "logit": logit, "sinc": sinc}
PUBLIC = ["xlogy", "xlog1py", "entr", "logit", "sinc"]
