"""Registry cases (first and second order) for the decompositions, the triangular systems,
the matrix functions and torch.linalg's compositions (``ops/decompositions.py``,
``ops/triangular.py``, ``ops/matrix_functions.py``, ``ops/linalg_compositions.py``);
imported by ``autograd/ops/cases.py``.

Inputs are kept well conditioned: symmetric positive-definite matrices as A Aᵀ + n I,
triangular ones with 3 added on the diagonal, random Gaussian matrices (distinct singular
values and eigenvalues). Singular vectors and eigenvectors enter only through functions
that do not depend on their signs (squares, U diag(S) Vh), as a finite difference could
otherwise cross a sign flip of LAPACK's choice.
"""

from __future__ import annotations

import autograd as ag
from autograd.ops.case_registry import case


def _spd(a):
    """A Aᵀ + n I: symmetric positive definite, well conditioned."""
    return a @ a.mT + a.shape[-1] * ag.eye(a.shape[-1], dtype=a.dtype)


def _tri(a, upper=False):
    """The lower (upper) triangle of ``a`` with 3 added on the diagonal."""
    eye = 3 * ag.eye(a.shape[-1], dtype=a.dtype)
    return (ag.triu(a) if upper else ag.tril(a)) + eye


def _sym(a):
    return a + a.mT


def _register() -> None:
    la = ag.linalg
    # torch.linalg's compositions
    case("multi_dot", "row-chain-column", lambda v, a, b, c, w: la.multi_dot([v, a, b, c, w]),
         (2,), (2, 3), (3, 4), (4, 2), (2,))
    case("multi_dot", "two", lambda a, b: la.multi_dot([a, b]).sin(), (2, 3), (3, 2))
    case("vecdot", "broadcast", lambda x, y: la.vecdot(x, y) ** 2, (2, 3), (3,))
    case("linalg_vander", "powers", lambda x: la.vander(x, N=4), (2, 3))
    case("tensorinv", "ind1", lambda a: la.tensorinv(a.reshape(4, 2, 2)
                                                     + 3 * ag.eye(4).reshape(4, 2, 2), ind=1),
         (4, 4))
    case("tensorsolve", "dims", lambda a, b: la.tensorsolve(
        _spd(a).reshape(2, 2, 4), b, dims=(2,)), (4, 4), (2, 2))
    # Cholesky
    case("cholesky", "spd", lambda a: la.cholesky(_spd(a)), (3, 3))
    case("cholesky", "upper-batched", lambda a: la.cholesky(_spd(a), upper=True), (2, 3, 3))
    case("cholesky", "deprecated", lambda a: ag.cholesky(_spd(a)), (3, 3))
    case("cholesky_ex", "L", lambda a: la.cholesky_ex(_spd(a)), (2, 2, 2))
    # QR
    case("qr", "reduced-tall", lambda a: la.qr(a), (4, 3))
    case("qr", "reduced-wide-batched", lambda a: la.qr(a), (2, 2, 4))
    case("qr", "complete-square", lambda a: ag.qr(a, some=False), (3, 3))
    case("qr", "R-only", lambda a: la.qr(a).R ** 2, (3, 2))
    # SVD (sign-invariant uses of U and Vh)
    case("svd", "tall", lambda a: _svd_use(la.svd(a, full_matrices=False)), (4, 3))
    case("svd", "wide-batched", lambda a: _svd_use(la.svd(a, full_matrices=False)), (2, 2, 3))
    case("svd", "square", lambda a: _svd_use(la.svd(a)), (3, 3))
    case("svd", "full-tall", lambda a: _svd_use(la.svd(a), narrow=True), (4, 2))
    case("svd", "reconstruction", lambda a: (lambda r: (r.U * r.S[..., None, :]) @ r.Vh)(
        la.svd(a, full_matrices=False)), (3, 2))
    case("svd", "deprecated-V", lambda a: ag.svd(a).V ** 2, (3, 2))
    case("svdvals", "wide", lambda a: la.svdvals(a), (2, 3))
    # symmetric eigendecomposition
    case("eigh", "lower", lambda a: (lambda r: (r.eigenvalues, r.eigenvectors ** 2))(
        la.eigh(_sym(a))), (3, 3))
    case("eigh", "upper-batched", lambda a: la.eigh(_sym(a), UPLO="U").eigenvectors ** 2,
         (2, 3, 3))
    case("eigvalsh", "plain", lambda a: la.eigvalsh(_sym(a)), (3, 3))
    # triangular systems
    case("solve_triangular", "lower", lambda a, b: la.solve_triangular(
        _tri(a), b, upper=False), (3, 3), (3, 2))
    case("solve_triangular", "upper-right-broadcast", lambda a, b: la.solve_triangular(
        a + 3 * ag.eye(3, dtype=a.dtype), b, upper=True, left=False), (2, 3, 3), (2, 3))
    case("solve_triangular", "unitriangular", lambda a, b: la.solve_triangular(
        a, b, upper=False, unitriangular=True), (3, 3), (3, 1))
    case("cholesky_solve", "lower", lambda b, a: ag.cholesky_solve(b, _tri(a)), (3, 2), (3, 3))
    case("cholesky_solve", "upper-batched", lambda b, a: ag.cholesky_solve(
        b, _tri(a, True), upper=True), (2, 3, 1), (3, 3))
    case("cholesky_inverse", "lower", lambda a: ag.cholesky_inverse(_tri(a)), (3, 3))
    case("cholesky_inverse", "upper", lambda a: ag.cholesky_inverse(_tri(a, True), True),
         (2, 2, 2))
    case("triangular_solve", "transpose", lambda b, a: ag.triangular_solve(
        b, _tri(a, True), transpose=True), (3, 2), (3, 3))
    # matrix functions
    case("matrix_exp", "small", lambda a: la.matrix_exp(0.5 * a), (3, 3))
    case("matrix_exp", "squared-batched", lambda a: ag.matrix_exp(2 * a), (2, 3, 3))
    case("pinv", "tall", lambda a: la.pinv(a), (4, 3))
    case("pinv", "wide-batched", lambda a: la.pinv(a), (2, 2, 3))
    case("pinv", "hermitian", lambda a: la.pinv(_spd(a), hermitian=True), (3, 3))
    case("pinverse", "method", lambda a: a.pinverse(), (3, 2))
    case("lstsq", "solution", lambda a, b: la.lstsq(a, b).solution, (4, 3), (4, 2))
    case("lstsq", "residuals-gelsd", lambda a, b: la.lstsq(a, b, driver="gelsd").residuals,
         (4, 2), (4,))


def _svd_use(r, narrow=False):
    """Sign-invariant functions of every factor: U², S, Vh² (the first k columns of U and
    rows of Vh when ``narrow``: torch drops the others' gradients)."""
    u, s, vh = r
    k = s.shape[-1]
    if narrow:
        u, vh = u[..., :k], vh[..., :k, :]
    return u ** 2, s, vh ** 2


_register()
