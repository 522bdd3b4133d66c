"""Triangular systems, as torch's: ``linalg.solve_triangular``, ``cholesky_solve``,
``cholesky_inverse`` and the old ``triangular_solve``.

Each forward reads only the triangle its flags name (LAPACK's trsm/potrs/potri do the
same), so a full matrix passed as ``A`` is treated as its triangle. The VJPs are torch's
(``linalg_solve_triangular_backward``, ``cholesky_solve_backward``,
``cholesky_inverse_backward``), written with ``xp.`` ops so they serve create_graph too.

Every device runs the same code: the substitution is made of slicing, matmul and in-place
arithmetic, which NumPy and CuPy both have (n steps of a few kernels each on a GPU).
``cupy.linalg`` has no triangular solve (CuPy's trsm is ``cupyx.scipy.linalg
.solve_triangular``, which ``__array_function__`` does not reach), and ``linalg.solve``
would raise on a zero pivot where trsm gives inf and read both triangles. Masks and
identities are made on the operand's device (``xp_of``), never on the host.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away, Node
from autograd.ops.record import array_of, nary
from autograd.tensor import Tensor


def mT(xp: Any, t: Any) -> Any:
    """The transpose of the last two dims (both namespaces)."""
    return xp.swap_last(t)


def tri_mask(like: Any, n: int, m: int, k: int, lower: bool) -> Any:
    """The 0/1 mask (n, m) of ``tril(·, k)`` (lower) or ``triu(·, k)``, in the dtype and on
    the device of ``like`` (an array or a Tensor): multiplying by it is the triangle's
    projection, in both namespaces."""
    xp = xp_of(array_of(like))
    keep = xp.tri(n, m, k, dtype=bool) if lower else ~xp.tri(n, m, k - 1, dtype=bool)
    return keep.astype(like.dtype)


def check_float(op: str, *arrays: np.ndarray) -> None:
    for a in arrays:
        if a.dtype == np.float16:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")
        if a.dtype.kind != "f":
            raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got "
                               f"{a.dtype}")
    if len({a.dtype for a in arrays}) > 1:
        raise RuntimeError(f"{op}: Expected all tensors to have the same dtype, but got "
                           f"{', '.join(str(a.dtype) for a in arrays)}")


def _substitute(a: np.ndarray, b: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """X with tri(A) X = B by forward (lower) or back (upper) substitution, row by row
    (trsm's arithmetic: a zero on the diagonal gives inf/nan, not an error, as torch).
    n steps of a row's matmul and update, on any device (one kernel each on a GPU)."""
    n = a.shape[-1]
    x = b.astype(np.result_type(a.dtype, b.dtype), copy=True)  # on b's device
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            done = slice(i + 1, n) if upper else slice(0, i)
            if done.start != done.stop:
                x[..., i:i + 1, :] -= a[..., i:i + 1, done] @ x[..., done, :]
            if not unit:
                x[..., i:i + 1, :] /= a[..., i:i + 1, i:i + 1]
    return x


def solve_triangular_array(a: np.ndarray, b: np.ndarray, upper: bool, left: bool = True,
                           unitriangular: bool = False) -> np.ndarray:
    """A⁻¹ B (``left``) or B A⁻¹ for a triangular A (…, n, n), batch dims broadcast."""
    if not left:
        return solve_triangular_array(a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper,
                                      True, unitriangular).swapaxes(-1, -2)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return _substitute(np.broadcast_to(a, batch + a.shape[-2:]),
                       np.broadcast_to(b, batch + b.shape[-2:]), upper, unitriangular)


def _batched(op: str, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """``a`` and ``b`` expanded to their common batch dims (so the VJPs need no sum_to:
    the expansion's own node sums the gradient back)."""
    sa, sb = a._data.shape, b._data.shape
    try:
        batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dimensions of {tuple(sa)} and {tuple(sb)} do "
                           f"not broadcast") from None
    if sa[:-2] != batch:
        a = a.expand(batch + sa[-2:])
    if sb[:-2] != batch:
        b = b.expand(batch + sb[-2:])
    return a, b


class LinalgSolveTriangularBackward(Node):
    """X = tri(A)⁻¹ B (left) or B tri(A)⁻¹;  dB = A⁻ᵀ g (resp. g A⁻ᵀ),  dA = −dB Xᵀ (resp.
    −Xᵀ dB) projected onto A's triangle (the strict one when unitriangular)."""

    def vjp(self, g, xp):
        upper, left, unit = self.meta
        a, _b = self.inputs(xp)
        ea, eb = self.edges
        gb = xp.solve_triangular(mT(xp, a), g, not upper, left, unit)
        ga = None
        if ea is not None:
            x = self.output(xp)
            ga = -xp.matmul(gb, mT(xp, x)) if left else -xp.matmul(mT(xp, x), gb)
            n = a.shape[-1]
            ga = ga * tri_mask(ga, n, n, -int(unit) if not upper else int(unit), not upper)
        return ga, (gb if eb is not None else None)


def _check_triangular(op: str, A: Tensor, B: Tensor, left: bool) -> None:
    a, b = A._data, B._data
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {'A' if a.ndim < 2 else 'B'} must have "
                           f"at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    check_float(op, a, b)
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for a triangular A (…, n, n), reading only
    its upper or lower triangle (its diagonal taken as ones when ``unitriangular``);
    B (…, n, k) (resp. (…, k, n)); batch dims broadcast. As torch, B is cast to A's dtype
    (the result has A's dtype), and integer input is not implemented."""
    if A._data.dtype.kind != "f" and A._data.ndim >= 2:
        raise NotImplementedError(f'"linalg.solve_triangular" not implemented for '
                                  f"'{A._data.dtype}'")
    if B._data.dtype != A._data.dtype:
        B = B.to(A._data.dtype)
    _check_triangular("linalg.solve_triangular", A, B, left)
    A, B = _batched("linalg.solve_triangular", A, B)
    out = solve_triangular_array(A._data, B._data, upper, left, unitriangular)
    return nary(LinalgSolveTriangularBackward, out, (A, B), saved=(A, B),
                meta=(bool(upper), bool(left), bool(unitriangular)), save_out=True)


def _solve_triangular_tensor(a: Tensor, b: Tensor, upper: bool, left: bool,
                             unitriangular: bool) -> Tensor:
    return solve_triangular(a, b, upper=upper, left=left, unitriangular=unitriangular)


class CholeskySolveBackward(Node):
    """X = (L Lᵀ)⁻¹ B (or (Uᵀ U)⁻¹ B);  dB = cholesky_solve(g, L),
    dL = −(C + Cᵀ) L (upper: −U (C + Cᵀ)) with C = dB Xᵀ (torch's: not projected onto the
    triangle)."""

    def vjp(self, g, xp):
        (upper,) = self.meta
        _b, f = self.inputs(xp)
        eb, ef = self.edges
        gb = xp.cholesky_solve(g, f, upper)
        gf = None
        if ef is not None:
            c = xp.matmul(gb, mT(xp, self.output(xp)))
            c = c + mT(xp, c)
            gf = -xp.matmul(f, c) if upper else -xp.matmul(c, f)
        return (gb if eb is not None else None), gf


def cholesky_solve_array(b: np.ndarray, f: np.ndarray, upper: bool) -> np.ndarray:
    """(F Fᵀ)⁻¹ B for a lower F (upper: (Fᵀ F)⁻¹ B), by two triangular solves."""
    y = solve_triangular_array(f.swapaxes(-1, -2) if upper else f, b, False)
    return solve_triangular_array(f if upper else f.swapaxes(-1, -2), y, True)


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """The solution X of A X = B given A's Cholesky factor ``L`` (A = L Lᵀ, or A = Uᵀ U
    when ``upper``): B (…, n, k), L (…, n, n), batch dims broadcast."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cholesky_solve", cholesky_solve, B, L, upper)
    _check_triangular("cholesky_solve", L, B, True)
    B, L = _batched("cholesky_solve", B, L)
    out = cholesky_solve_array(B._data, L._data, upper)
    return nary(CholeskySolveBackward, out, (B, L), saved=(B, L), meta=(bool(upper),),
                save_out=True)


def _cholesky_solve_tensor(b: Tensor, f: Tensor, upper: bool) -> Tensor:
    return cholesky_solve(b, f, upper)


def _cholesky_solve_raw(b: np.ndarray, f: np.ndarray, upper: bool) -> np.ndarray:
    return cholesky_solve_array(b, f, upper)


class CholeskyInverseBackward(Node):
    """X = (L Lᵀ)⁻¹ (upper: (Uᵀ U)⁻¹);  dL = −X (g + gᵀ) X L (upper: −U X (g + gᵀ) X)."""

    def vjp(self, g, xp):
        (upper,) = self.meta
        (f,) = self.inputs(xp)
        x = self.output(xp)
        c = xp.matmul(x, xp.matmul(g + mT(xp, g), x))
        return (-xp.matmul(f, c) if upper else -xp.matmul(c, f),)


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """A⁻¹ from A's Cholesky factor (A = L Lᵀ, or Uᵀ U when ``upper``), batched."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cholesky_inverse", cholesky_inverse, L, upper)
    f = L._data
    if f.ndim < 2 or f.shape[-1] != f.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but "
                           f"they are {f.shape[-2] if f.ndim >= 2 else f.shape} by "
                           f"{f.shape[-1] if f.ndim else ''} matrices")
    check_float("cholesky_inverse", f)
    eye = np.broadcast_to(xp_of(f).eye(f.shape[-1], dtype=f.dtype), f.shape)
    out = cholesky_solve_array(eye, f, upper)
    out = (out + out.swapaxes(-1, -2)) / 2  # exactly symmetric, as potri's result
    return nary(CholeskyInverseBackward, out, (L,), saved=(L,), meta=(bool(upper),),
                save_out=True)


class TriangularSolve(NamedTuple):
    """``(solution, cloned_coefficient)`` as torch's ``torch.return_types.triangular_solve``."""

    solution: Tensor
    cloned_coefficient: Tensor


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False) -> TriangularSolve:
    """torch's old API: X with op(A) X = b (op(A) = Aᵀ when ``transpose``), and a copy of
    A. Built on :func:`solve_triangular` (the gradient of A lands on its triangle, as
    torch's ``triangular_solve_backward``)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("triangular_solve", triangular_solve, b, A, upper, transpose,
                     unitriangular)
    _check_triangular("triangular_solve", A, b, True)
    a = A.mT if transpose else A
    x = solve_triangular(a, b, upper=bool(upper) != bool(transpose), unitriangular=unitriangular)
    batch = x._data.shape[:-2]
    coef = A.expand(batch + A._data.shape[-2:]) if A._data.shape[:-2] != batch else A
    return TriangularSolve(x, coef.clone())


PUBLIC = ["solve_triangular", "cholesky_solve", "cholesky_inverse", "triangular_solve"]

METHODS = {"cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
           "triangular_solve": triangular_solve}
