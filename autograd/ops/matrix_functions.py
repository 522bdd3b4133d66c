"""Matrix functions built on the decompositions, as torch's: ``linalg.matrix_exp``,
``linalg.pinv`` (and ``pinverse``), ``linalg.matrix_rank`` and ``linalg.lstsq``.

matrix_exp is Higham's (2005) scaling and squaring with the [13/13] Padé approximant
(torch uses a Taylor variant: the two agree to rounding); its VJP is the block-matrix
identity exp([[Aᵀ, G], [0, Aᵀ]]) = [[e^{Aᵀ}, L(Aᵀ, G)], [0, e^{Aᵀ}]], whose corner is the
adjoint of the Fréchet derivative (torch's ``linalg_matrix_exp_differential``), written
with ``xp.matrix_exp`` so that it differentiates again. pinv's VJP is torch's
``pinv_backward`` (matmuls of A and A⁺ only).

Every device runs the same code: matrix_exp is matmuls and one ``linalg.solve`` (CuPy has
no matrix exponential), pinv, matrix_rank and lstsq go through ``numpy.linalg``'s svd
and eigh/eigvalsh (CuPy's through ``__array_function__``; its own pinv and lstsq have
other tolerances and drivers than torch's), and every constant (identity, tolerance) is
made on A's device. The host reads a device value where the result's shape or the
number of steps depends on it, as torch does: matrix_exp's number of squarings, lstsq's
choice to return residuals.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, linalg_checks, xp_of
from autograd.graph import Away, Node
from autograd.ops.decompositions import check_matrix
from autograd.ops.linalg import matmul
from autograd.ops.record import unary
from autograd.ops.triangular import check_float, mT
from autograd.tensor import Tensor, _wrap

# Padé [13/13] coefficients and the 1-norm bound θ₁₃ below which no scaling is needed
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def matrix_exp_array(a: np.ndarray) -> np.ndarray:
    """e^A of each square matrix, computed in float64 (cast back to A's dtype), on A's
    device; the number of squarings is read on the host (one synchronisation)."""
    if a.size == 0:
        return a.copy()
    x = a.astype(np.float64)
    norm = np.abs(x).sum(-2).max(-1)  # the 1-norm of each matrix
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.ceil(np.log2(norm / _THETA13))
    s = np.where(np.isfinite(s) & (s > 0), s, 0).astype(np.int64)
    x = x / np.exp2(s)[..., None, None]
    b = _PADE13
    eye = xp_of(x).eye(x.shape[-1])
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 \
        + b[0] * eye
    try:
        with linalg_checks(x):
            r = np.linalg.solve(v - u, v + u)
    except np.linalg.LinAlgError:  # inf / nan input: torch gives nan
        return np.full_like(a, np.nan)
    for i in range(int(s.max())):  # undo the scaling: square s times (s is not empty)
        r = np.where((i < s)[..., None, None], r @ r, r)
    return r.astype(a.dtype)


class LinalgMatrixExpBackward(Node):
    """Y = e^A;  dA = the upper-right n×n block of exp([[Aᵀ, g], [0, Aᵀ]])."""

    def vjp(self, g, xp):
        (a,) = self.inputs(xp)
        n = a.shape[-1]
        at = mT(xp, a)
        block = xp.cat([xp.cat([at, g], -1), xp.cat([at * 0, at], -1)], -2)
        return (xp.matrix_exp(block)[..., :n, n:],)


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential Σ Aᵏ/k! of each square matrix (…, n, n)."""
    a = A._data
    check_matrix("linalg.matrix_exp", a)
    return unary(LinalgMatrixExpBackward, matrix_exp_array(a), A, save_input=True)


# -- pseudo-inverse ---------------------------------------------------------------------------
def _scalar(a: Any, v: Any) -> Any:
    """The number ``v`` as a 0-d array of ``a``'s dtype on ``a``'s device (a fill there);
    a Tensor's array cast to that dtype, left on its device."""
    if isinstance(v, Tensor):
        return asarray(v._data, a.dtype)
    return xp_of(a).full((), v, a.dtype)


def _tolerances(a: Any, atol: Any, rtol: Any) -> tuple[Any, Any]:
    """torch's defaults: atol 0; rtol eps·max(m, n) unless an atol > 0 is given (then 0);
    0-d arrays on ``a``'s device."""
    def arr(v: Any) -> Any:
        return _scalar(a, v)

    default = _scalar(a, np.finfo(a.dtype).eps * max(a.shape[-2:]))
    at = _scalar(a, 0) if atol is None else arr(atol)
    if rtol is None:
        rt = default if atol is None else np.where(at > 0, 0, default).astype(a.dtype)
    else:
        rt = arr(rtol)
    return at, rt


def _cutoff(s_abs: Any, atol: Any, rtol: Any) -> Any:
    """max(atol, rtol·σ_max) per matrix, shaped (…, 1) against the singular values (σ_max
    0 where there are none; CuPy's max takes no ``initial``)."""
    if s_abs.shape[-1] == 0:
        smax = xp_of(s_abs).zeros(s_abs.shape[:-1] + (1,), s_abs.dtype)
    else:
        smax = s_abs.max(-1, keepdims=True)
    return np.maximum(atol[..., None], rtol[..., None] * smax)


def pinv_array(a: np.ndarray, atol: Any = None, rtol: Any = None,
               hermitian: bool = False) -> np.ndarray:
    """A⁺ through the SVD (``hermitian``: the eigendecomposition), singular values at or
    below max(atol, rtol·σ_max) taken as zero."""
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp_of(a).zeros(a.shape[:-2] + (n, m), a.dtype)
    at, rt = _tolerances(a, atol, rtol)
    with np.errstate(divide="ignore"), linalg_checks(a):
        if hermitian:
            w, v = np.linalg.eigh(a)
            winv = np.where(np.abs(w) > _cutoff(np.abs(w), at, rt), 1 / w, 0).astype(a.dtype)
            return (v * winv[..., None, :]) @ v.swapaxes(-1, -2)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        sinv = np.where(s > _cutoff(s, at, rt), 1 / s, 0).astype(a.dtype)
    return (vh.swapaxes(-1, -2) * sinv[..., None, :]) @ u.swapaxes(-1, -2)


class LinalgPinvBackward(Node):
    """Y = A⁺;  torch's ``pinv_backward`` (m ≤ n, K = gᵀ Y):
    dA = −(Y K)ᵀ + K Yᵀ − A Y K Yᵀ + Yᵀ Y (gᵀ − K A); the transposed form when m > n."""

    def vjp(self, g, xp):
        (a,) = self.inputs(xp)
        p = self.output(xp)
        ph, gh = mT(xp, p), mT(xp, g)
        if a.shape[-2] <= a.shape[-1]:
            k = xp.matmul(gh, p)
            kph = xp.matmul(k, ph)
            return (-mT(xp, xp.matmul(p, k)) + kph - xp.matmul(xp.matmul(a, p), kph)
                    + xp.matmul(xp.matmul(ph, p), gh - xp.matmul(k, a)),)
        k = xp.matmul(p, gh)
        phk = xp.matmul(ph, k)
        return (-mT(xp, xp.matmul(k, p)) + xp.matmul(xp.matmul(gh - xp.matmul(a, k), p), ph)
                + phk - xp.matmul(xp.matmul(phk, p), a),)


def pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None) -> Tensor:
    """The Moore–Penrose pseudo-inverse (…, n, m) of each A (…, m, n); singular values at
    or below max(atol, rtol·σ_max) count as zero (rtol's default eps·max(m, n));
    ``rcond`` is torch's older positional spelling of rtol (atol 0 then)."""
    if rcond is not None:
        atol, rtol = 0.0, rcond
    a = A._data
    check_matrix("linalg.pinv", a, square=hermitian)
    return unary(LinalgPinvBackward, pinv_array(a, atol, rtol, hermitian), A,
                 save_input=True, save_out=True)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: :func:`pinv` with ``rtol=rcond``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("pinverse", pinverse, input, rcond)
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None) -> Tensor:
    """The number (int64) of singular values above max(atol, rtol·σ_max) (``tol``: the
    old spelling of atol with rtol 0); not differentiable."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("matrix_rank", matrix_rank, A, tol, hermitian, atol=atol, rtol=rtol)
    a = A._data
    check_matrix("linalg.matrix_rank", a, square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    if a.size == 0:
        return _wrap(xp_of(a).zeros(a.shape[:-2], np.int64), None)
    at, rt = _tolerances(a, atol, rtol)
    with linalg_checks(a):
        s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    return _wrap((s > _cutoff(s, at, rt)).sum(-1).astype(np.int64), None)


class Lstsq(NamedTuple):
    """``(solution, residuals, rank, singular_values)`` as ``torch.return_types.linalg_lstsq``."""

    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None
          ) -> Lstsq:
    """The minimum-norm least-squares solution X = A⁺ B of A X ≈ B (A (…, m, n), B (…, m, k)
    or (…, m)), differentiable through :func:`pinv` (torch's ``linalg_lstsq_backward``
    is the same pinv_backward). As torch's CPU drivers: rank for all but 'gels', the
    singular values for 'gelsd'/'gelss', the residuals ‖A X − B‖² per column where m > n,
    A has full rank and the driver is not 'gelsy' (the default)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("lstsq", lstsq, A, B, rcond, driver=driver)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"({', '.join(_DRIVERS)})")
    a, b = A._data, B._data
    check_matrix("torch.linalg.lstsq", a, square=False)
    check_float("torch.linalg.lstsq", a, b)
    m, n = a.shape[-2:]
    vector = b.ndim == a.ndim - 1
    if b.ndim < 1 or (b.shape[-1] if vector else b.shape[-2]) != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size"
                           f"(-2) (A {tuple(a.shape)}, B {tuple(b.shape)})")
    eps = np.finfo(a.dtype).eps * max(m, n)
    rt = eps if rcond is None or rcond < 0 else rcond
    x = matmul(pinv(A, rtol=rt), B.unsqueeze(-1) if vector else B)
    xp = xp_of(a)
    empty = _wrap(xp.zeros((0,), a.dtype), None)
    if a.size:
        with linalg_checks(a):
            s = np.linalg.svd(a, compute_uv=False)
    else:
        s = xp.zeros(a.shape[:-2] + (0,), a.dtype)
    rank = (s > _cutoff(s, _scalar(a, 0), _scalar(a, rt))).sum(-1)
    residuals = empty
    # whether residuals come back depends on the rank: read on the host (a sync on a GPU)
    if driver != "gelsy" and m > n and a.size and (rank == n).all():
        r = matmul(A, x) - (B.unsqueeze(-1) if vector else B)
        residuals = (r * r).sum(-2)
    return Lstsq(x.squeeze(-1) if vector else x, residuals,
                 empty.long() if driver == "gels" else _wrap(rank.astype(np.int64), None),
                 _wrap(s, None) if driver in ("gelsd", "gelss") else empty)


PUBLIC = ["matrix_exp", "pinv", "pinverse", "lstsq"]

METHODS = {"matrix_exp": matrix_exp, "pinverse": pinverse}
