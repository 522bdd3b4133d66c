"""Broadcasting: ``sum_to`` (the one helper that reduces a broadcast gradient back
to an input's shape) and ``expand``/``broadcast_to``, each the other's VJP."""

from __future__ import annotations

import numpy as np

from autograd.errors import ShapeError
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.ops.summation import sum_array
from autograd.tensor import Tensor, _view


def sum_to_array(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the dimensions that broadcasting added or stretched, so that
    the result has ``shape`` (the adjoint of broadcasting ``shape`` to ``g.shape``).

    With :func:`~autograd.ops.summation.sum_array`, ``Tensor.sum``'s own sum: a bias's
    gradient is then bit for bit the ``g.sum(0)`` written by hand, as in torch (a BLAS
    GEMV, ``ones @ g``, was faster at a batch of 32 but summed in another order, which
    depends on the CPU's BLAS kernel)."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise ShapeError(f"cannot sum a gradient of shape {gshape} to shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    return sum_array(g, axes, keepdims=True).reshape(shape)


class SumToBackward(Node):
    """y = sum_to(x, shape);  dx = broadcast_to(g, x.shape)."""

    def vjp(self, g, xp):
        return (xp.broadcast_to(g, self.meta),)


def sum_to(x: Tensor, shape: tuple) -> Tensor:
    """``x`` (of a broadcast shape) summed back to ``shape``."""
    shape = tuple(shape)
    if x._data.shape == shape:
        return x
    return unary(SumToBackward, sum_to_array(x._data, shape), x, meta=x._data.shape)


class ExpandBackward(Node):
    """y = broadcast_to(x, shape);  dx = sum_to(g, x.shape)."""

    def vjp(self, g, xp):
        return (xp.sum_to(g, self.meta),)


def _broadcast_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    try:
        return np.broadcast_to(x, shape)
    except ValueError:
        raise ShapeError(
            f"cannot broadcast a tensor of shape {x.shape} to shape {tuple(shape)}"
        ) from None


def broadcast_to(x: Tensor, shape: tuple) -> Tensor:
    """A read-only broadcast view of ``x`` with ``shape`` (NumPy's rules)."""
    shape = tuple(shape)
    if x._data.shape == shape:
        return x
    return _view(unary(ExpandBackward, _broadcast_array(x._data, shape), x, meta=x._data.shape),
                 x, ("expand", shape))


def expand(x: Tensor, *sizes: int) -> Tensor:
    """torch's ``expand``: ``sizes`` may be a tuple, -1 keeps that dimension."""
    if len(sizes) == 1 and isinstance(sizes[0], tuple | list):
        sizes = tuple(sizes[0])
    lead = len(sizes) - x._data.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes {len(sizes)} is smaller than the tensor's "
            f"dimensions {x._data.ndim} (shape {x._data.shape})"
        )
    shape = tuple(x._data.shape[i - lead] if s == -1 and i >= lead else s
                  for i, s in enumerate(sizes))
    return broadcast_to(x, shape)
