"""Dense linear algebra of square matrices (batched over leading dims), as torch.linalg's:
inv, det, slogdet, solve. Each VJP is written with the engine's own ops under create_graph
(``xp.inv``, ``xp.solve``, ``xp.matmul``), so second derivatives follow."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, linalg_checks
from autograd.errors import LinAlgError
from autograd.graph import Away, Node
from autograd.ops.record import nary, unary
from autograd.tensor import Tensor, _wrap


def _square(op: str, a: np.ndarray) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{op}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim >= 2 else a.shape} by "
                           f"{a.shape[-1] if a.ndim else ''} matrices")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{op}: Expected a floating point or complex tensor as "
                           f"input. Got {a.dtype}")


def _linalg(op: str, fn: Any, *args: Any) -> Any:
    try:
        with linalg_checks(args[0]):  # a device's solver raises as NumPy's (CuPy: asked to)
            return fn(*args)
    except np.linalg.LinAlgError:  # torch's LinAlgError is a RuntimeError
        # NumPy's words, not the solver's: CuPy's name cuSOLVER's routine and info instead
        raise LinAlgError(f"linalg.{op}: the input matrix is singular (Singular matrix); the "
                           f"operation could not be completed") from None


def _mT(xp, t: Any) -> Any:
    return xp.swap_last(t)


class InvBackward(Node):
    """Y = A⁻¹;  dA = −Yᵀ g Yᵀ."""

    def vjp(self, g, xp):
        yt = _mT(xp, self.output(xp))
        return (-xp.matmul(xp.matmul(yt, g), yt),)


def inv_array(a: np.ndarray) -> np.ndarray:
    return _linalg("inv", np.linalg.inv, a)


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix (RuntimeError if one is singular)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("inv", inv, A)
    _square("inv", A._data)
    return unary(InvBackward, inv_array(A._data), A, save_out=True)


class DetBackward(Node):
    """d = det A;  dA = g · d · A⁻ᵀ (Jacobi's formula)."""

    def vjp(self, g, xp):
        (a,) = self.inputs(xp)
        d = self.output(xp)
        scale = xp.reshape(g * d, tuple(d.shape) + (1, 1))
        return (scale * _mT(xp, xp.inv(a)),)


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix."""
    _square("det", A._data)
    return unary(DetBackward, asarray(np.linalg.det(A._data)), A, save_input=True,
                 save_out=True)


class SlogdetBackward(Node):
    """log|det A|;  dA = g · A⁻ᵀ."""

    def vjp(self, g, xp):
        (a,) = self.inputs(xp)
        return (xp.reshape(g, tuple(g.shape) + (1, 1)) * _mT(xp, xp.inv(a)),)


class Slogdet(NamedTuple):
    """``(sign, logabsdet)`` as torch's named tuple."""

    sign: Tensor
    logabsdet: Tensor


def slogdet(A: Tensor) -> Slogdet:
    """The sign and log |det| of each square matrix (sign 0, logabsdet -inf if singular)."""
    _square("slogdet", A._data)
    sign, logabs = np.linalg.slogdet(A._data)
    return Slogdet(_wrap(asarray(sign), None),
                   unary(SlogdetBackward, asarray(logabs), A, save_input=True))


def logdet(A: Tensor) -> Tensor:
    """log det A: NaN (and gradient 0) where det < 0, -inf where it is 0, as torch."""
    from autograd.ops.select import where

    sign, logabs = slogdet(A)
    return where(sign._data < 0, np.nan, logabs)


class SolveBackward(Node):
    """X = A⁻¹ B;  dB = A⁻ᵀ g,  dA = −dB Xᵀ."""

    def vjp(self, g, xp):
        (a, _b) = self.inputs(xp)
        gb = xp.solve(_mT(xp, a), g)
        ea, eb = self.edges
        ga = -xp.matmul(gb, _mT(xp, self.output(xp))) if ea is not None else None
        return ga, (gb if eb is not None else None)


def solve_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A⁻¹ B for matrices B (…, n, k), batch dims broadcast."""
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dims of A {a.shape} and B {b.shape} do "
                           f"not broadcast") from None
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    try:
        return _linalg("solve", np.linalg.solve, a, b)
    except ValueError as err:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A {a.shape} and B "
                           f"{b.shape} ({err})") from None


def _solve_matrix(A: Tensor, B: Tensor) -> Tensor:
    out = solve_array(A._data, B._data)
    batch = out.shape[:-2]
    a = A if A._data.shape[:-2] == batch else A.expand(batch + A._data.shape[-2:])
    b = B if B._data.shape[:-2] == batch else B.expand(batch + B._data.shape[-2:])
    return nary(SolveBackward, out, (a, b), saved=(a, b), save_out=True)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B). B may be a vector (…, n) when its shape
    is A's less the last dim, as torch's rule."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("solve", solve, A, B, left=left)
    _square("solve", A._data)
    if not isinstance(B, Tensor):
        B = Tensor._const(np.asarray(B, dtype=A._data.dtype))
    if not left:
        return _solve_matrix(A.mT, B.mT).mT
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {a.dtype} and B of type {b.dtype} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        return _solve_matrix(A, B.unsqueeze(-1)).squeeze(-1)
    if b.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x"
                           f"{b.shape[-1]})")
    return _solve_matrix(A, B)


PUBLIC = ["inv", "det", "slogdet", "logdet", "solve"]

METHODS = {"inverse": inv, "det": det, "slogdet": slogdet, "logdet": logdet}
