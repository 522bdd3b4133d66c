"""Matrix product with torch's (and NumPy's) matmul semantics: 1-D operands are
promoted to a row/column and the batch dimensions broadcast."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.engine import Node, register
from autograd.ops.record import array_of, binary
from autograd.tensor import Tensor


class MatMulBackward(Node):
    """C = A @ B;  dA = g @ Bᵀ,  dB = Aᵀ @ g  (1-D operands promoted, batch dims summed back)."""

    def vjp(self, g, F):
        a, b = self.inputs(F)
        ea, eb = self.edges
        a_nd, b_nd = a.ndim, b.ndim
        # Promote 1-D operands to matrices so one formula covers every case.
        a2 = F.reshape(a, (1, a.shape[0])) if a_nd == 1 else a
        b2 = F.reshape(b, (b.shape[0], 1)) if b_nd == 1 else b
        g2 = g
        if a_nd == 1:
            g2 = F.reshape(g2, g2.shape[:-1] + (1,) + g2.shape[-1:]) if b_nd > 1 else \
                F.reshape(g2, (1,) + g2.shape)
        if b_nd == 1:
            g2 = F.reshape(g2, g2.shape + (1,))
        ga = gb = None
        if ea is not None:
            ga = F.sum_to(F.matmul(g2, F.swap_last(b2)), a2.shape)
            ga = F.reshape(ga, a.shape)
        if eb is not None:
            gb = F.sum_to(F.matmul(F.swap_last(a2), g2), b2.shape)
            gb = F.reshape(gb, b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b``."""
    x, y = array_of(a), array_of(b)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        raise RuntimeError("matmul: both arguments need at least 1 dimension, got shapes "
                           f"{np.shape(x)} and {np.shape(y)}")
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise ValueError(
            f"matmul: shapes {np.shape(x)} and {np.shape(y)} cannot be multiplied "
            f"(inner dimensions {np.shape(x)[-1]} and "
            f"{np.shape(y)[-2] if np.ndim(y) > 1 else np.shape(y)[0]} differ)"
        ) from None
    return binary(MatMulBackward, out, a, b, save=True)


def rmatmul(a: Any, b: Any) -> Tensor:
    return matmul(b, a)


def _swap_last_array(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _swap_last_tensor(x: Tensor) -> Tensor:
    from autograd.ops.shape import transpose

    return transpose(x, -1, -2)


register("matmul", np.matmul, matmul)
register("swap_last", _swap_last_array, _swap_last_tensor)
