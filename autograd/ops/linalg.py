"""Matrix product with torch's (and NumPy's) matmul semantics: 1-D operands are
promoted to a row/column and the batch dimensions broadcast."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, is_array
from autograd.errors import ShapeError
from autograd.graph import Away, Node
from autograd.ops.record import array_of, binary, check_tensor_args, nary
from autograd.ops.shape import transpose
from autograd.promotion import same_dtype
from autograd.tensor import Tensor


class MatMulBackward(Node):
    """C = A @ B;  dA = g @ Bᵀ,  dB = Aᵀ @ g  (1-D operands promoted, batch dims summed back)."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        ea, eb = self.edges
        a_nd, b_nd = a.ndim, b.ndim
        # Promote 1-D operands to matrices so one formula covers every case.
        a2 = xp.reshape(a, (1, a.shape[0])) if a_nd == 1 else a
        b2 = xp.reshape(b, (b.shape[0], 1)) if b_nd == 1 else b
        g2 = g
        if a_nd == 1:
            g2 = xp.reshape(g2, g2.shape[:-1] + (1,) + g2.shape[-1:]) if b_nd > 1 else \
                xp.reshape(g2, (1,) + g2.shape)
        if b_nd == 1:
            g2 = xp.reshape(g2, g2.shape + (1,))
        ga = gb = None
        if ea is not None:
            ga = xp.sum_to(xp.matmul(g2, xp.swap_last(b2)), a2.shape)
            ga = xp.reshape(ga, a.shape)
        if eb is not None:
            gb = xp.sum_to(xp.matmul(xp.swap_last(a2), g2), b2.shape)
            gb = xp.reshape(gb, b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("matmul", matmul, a, b)
    x, y = array_of(a), array_of(b)
    x = x if is_array(x) else asarray(x)
    y = y if is_array(y) else asarray(y)
    if x.__class__ is not y.__class__:
        check_same_device(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        raise RuntimeError("matmul: both arguments need at least 1 dimension, got shapes "
                           f"{np.shape(x)} and {np.shape(y)}")
    if x.dtype is not y.dtype:  # matmul does not promote (torch)
        same_dtype("matmul", "m1 and m2", x, y)
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise ShapeError(
            f"matmul: shapes {np.shape(x)} and {np.shape(y)} cannot be multiplied "
            f"(inner dimensions {np.shape(x)[-1]} and "
            f"{np.shape(y)[-2] if np.ndim(y) > 1 else np.shape(y)[0]} differ)"
        ) from None
    return binary(MatMulBackward, out, a, b, save=True)


def rmatmul(a: Any, b: Any) -> Tensor:
    return matmul(b, a)


def _swap_last_array(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


def _swap_last_tensor(x: Tensor) -> Tensor:
    return transpose(x, -1, -2)


class LinearBackward(Node):
    """y = x Wᵀ + b  (x: (..., in), W: (out, in), b: (out,));
    dx = g W,  dW = gᵀ x (summed over batch dims),  db = Σ g over batch dims."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)[:2]
        ex, ew, eb = self.edges
        # batch dimensions flattened into one, (..., k) -> (m, k): one GEMM, not one per
        # leading index (NumPy loops over stacked matmuls; ~2x slower at (12, 64, 128))
        g2 = g if g.ndim == 2 else xp.reshape(g, (-1, g.shape[-1]))
        gx = None
        if ex is not None:
            gx = xp.matmul(g2, w)
            if g.ndim != 2:
                gx = xp.reshape(gx, tuple(x.shape))
        gw = gb = None
        if ew is not None or eb is not None:
            if ew is not None:
                x2 = x if x.ndim == 2 else xp.reshape(x, (-1, x.shape[-1]))
                gw = xp.matmul(xp.swap_last(g2), x2)
            if eb is not None:
                gb = xp.sum_to(g2, (g2.shape[1],))  # the bias was broadcast over the batch
        return gx, gw, gb


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one op (the Linear layer's affine map, torch's layout)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("linear", linear, x, weight, bias)
    check_tensor_args("linear", ("input", x, False), ("weight", weight, False),
                      ("bias", bias, True))
    xd, wd = x._data, weight._data
    if xd.__class__ is not wd.__class__ or (bias is not None and
                                           bias._data.__class__ is not wd.__class__):
        check_same_device(xd, wd, None if bias is None else bias._data)
    if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1]:
        raise ShapeError(f"linear: input of shape {xd.shape} does not fit weight of shape "
                         f"{wd.shape} (need input.shape[-1] == weight.shape[1])")
    if xd.dtype is not wd.dtype:  # no promotion: torch raises
        same_dtype("linear", "mat1 and mat2", xd, wd)
    if xd.ndim > 2:  # one GEMM over all leading dimensions (see LinearBackward)
        out = (xd.reshape(-1, xd.shape[-1]) @ wd.T).reshape(xd.shape[:-1] + (wd.shape[0],))
    else:
        out = xd @ wd.T
    if bias is not None:
        if bias._data.shape != (wd.shape[0],):
            raise ShapeError(f"linear: bias of shape {bias._data.shape} does not fit weight of "
                             f"shape {wd.shape} (need ({wd.shape[0]},))")
        if bias._data.dtype is not wd.dtype:
            same_dtype("linear", "self and mat2", bias._data, wd)
    if bias is not None:
        out += bias._data
    return nary(LinearBackward, out, (x, weight, bias), saved=(x, weight))
