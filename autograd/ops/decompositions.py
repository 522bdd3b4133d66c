"""The matrix decompositions of ``torch.linalg``: Cholesky, QR, SVD and the symmetric
eigendecomposition, batched over leading dims, with torch's VJPs (FunctionsManual.cpp's
``cholesky_backward``, ``linalg_qr_backward``, ``svd_backward``, ``linalg_eig_backward``).

A decomposition has several outputs and a Node has one, so each output gets a node of
its own (``meta = (index, options)``) that holds every factor's array in ``cache``. The
VJPs are linear in the outputs' gradients, so the node of output ``i`` returns torch's
formula with only the ``i``-th gradient given, and the engine sums them. Under
create_graph a node needs every factor as a function of A: its own output is
``self.output(xp)``, each other factor is rebuilt as a Tensor recorded by a fresh node of
the same class (the same edge to A, the same cache), so second derivatives flow through
all of them.

Every device runs the same code: the factorizations are ``numpy.linalg``'s functions,
which reach a device's own (``cupy.linalg``'s cholesky, qr, svd, eigh, eigvalsh, solve)
through ``__array_function__``, those that can fail called under
:func:`autograd.backend.linalg_checks` so that a failure raises the same LinAlgError on
every device (``numpy.linalg.svdvals`` has no CuPy twin: ``svd`` without U and Vh);
identities, masks and zero-filled outputs are made on the input's device (``xp_of``).
Nothing reads a device value on the host but a failed Cholesky's error message.

The factors come from NumPy's LAPACK: the singular vectors and eigenvectors may differ
from torch's by a sign per vector (LAPACK builds differ); what is invariant under that
(reconstructions, projectors, the gradients of losses that do not depend on the sign) is
torch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import linalg_checks, xp_of
from autograd.errors import LinAlgError
from autograd.graph import Away, Node, new_node
from autograd.ops.record import array_of, unary
from autograd.ops.triangular import check_float, mT, tri_mask
from autograd.tensor import Tensor, _wrap


def check_matrix(op: str, a: np.ndarray, square: bool = True) -> None:
    """torch's checks of a (batch of) matrix input: ≥ 2 dims, square, floating point."""
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    check_float(op, a)


class _Factor(Node):
    """One output of a decomposition; ``meta = (index, options)``, ``cache`` the arrays of
    all outputs. Subclasses define ``backward(xp, grads, factors, options)`` with torch's
    formula, ``grads`` holding ``g`` at ``index`` and None elsewhere."""

    def factors(self, xp: Any) -> tuple:
        arrays = self.cached()
        if xp.raw:
            return arrays
        index, options = self.meta
        return tuple(
            self.output(xp) if j == index or a is None else
            _wrap(a, new_node(type(self), self._edges, a, meta=(j, options), save_out=True,
                              cache=arrays))
            for j, a in enumerate(arrays))

    def vjp(self, g, xp):
        index, options = self.meta
        grads = [None] * len(self.cached())
        grads[index] = g
        return (self.backward(xp, grads, self.factors(xp), options),)

    def backward(self, xp: Any, grads: list, factors: tuple, options: Any) -> Any:
        raise NotImplementedError


def _record(cls: type[_Factor], arrays: tuple, A: Tensor, options: Any = None,
            differentiable: tuple | None = None) -> list:
    """The outputs as Tensors, each differentiable one recorded by its own ``cls`` node.
    The nodes share copies of the arrays: an output changed in place later does not change
    what its siblings' VJPs read (its own node's check of its output still applies)."""
    cache = tuple(a.copy() for a in arrays) if A.requires_grad else None
    return [unary(cls, a, A, save_out=True, meta=(j, options), cache=cache)
            if differentiable is None or differentiable[j] else _wrap(a, None)
            for j, a in enumerate(arrays)]


def _col(xp: Any, v: Any) -> Any:
    """(…, k) -> (…, k, 1)."""
    return xp.reshape(v, tuple(v.shape) + (1,))


def _row(xp: Any, v: Any) -> Any:
    """(…, k) -> (…, 1, k)."""
    return xp.reshape(v, tuple(v.shape[:-1]) + (1, v.shape[-1]))


def _eye(like: Any, n: int) -> Any:
    """The identity (n, n) in the dtype and on the device of ``like`` (array or Tensor)."""
    return xp_of(array_of(like)).eye(n, dtype=like.dtype)


# -- Cholesky ---------------------------------------------------------------------------------
class LinalgCholeskyExBackward(_Factor):
    """A = L Lᵀ (upper: A = Uᵀ U, U = Lᵀ). Murray (2016), torch's ``cholesky_backward``:
    Φ = tril(Lᵀ gL);  gA = L⁻ᵀ ½(Φ + tril(Φ, −1)ᵀ) L⁻¹ (symmetric, not triangular)."""

    def backward(self, xp, grads, factors, options):
        (upper,) = options
        f, gl = factors[0], grads[0]
        low, gl = (mT(xp, f), mT(xp, gl)) if upper else (f, gl)
        n = f.shape[-1]
        phi = xp.matmul(mT(xp, low), gl) * tri_mask(gl, n, n, 0, True)
        phi = 0.5 * (phi + mT(xp, phi * tri_mask(gl, n, n, -1, True)))
        ga = xp.solve_triangular(mT(xp, low), phi, True, True, False)
        return xp.solve_triangular(low, ga, False, False, False)


class CholeskyBackward(LinalgCholeskyExBackward):
    """The deprecated ``torch.cholesky``'s node (its own name in torch)."""


def _first_failure(a: np.ndarray) -> int:
    """The order of the smallest leading minor of the matrix ``a`` that is not positive
    definite (LAPACK's info), 0 if none."""
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def _cholesky_ex_array(a: Any) -> tuple[Any, Any, bool]:
    """(L, info, failed) of the lower triangles of ``a``, on its device: info 0 where
    factored, else the order of the first leading minor that is not positive definite
    (L then holds potf2's partial result: the first k−1 columns factored, the k-th pivot
    left as it failed); ``failed`` (a host bool) says whether any info is nonzero, so that
    success needs no read of info by the host."""
    batch, n = a.shape[:-2], a.shape[-1]
    xp = xp_of(a)
    if a.size == 0:
        return xp.zeros_like(a), xp.zeros(batch, np.int32), False
    with linalg_checks(a):
        try:
            return np.linalg.cholesky(a), xp.zeros(batch, np.int32), False
        except np.linalg.LinAlgError:
            pass
        return _cholesky_failed(a, batch, n)


def _cholesky_failed(a: Any, batch: tuple, n: int) -> tuple[Any, Any, bool]:
    """:func:`_cholesky_ex_array` where some matrix is not positive definite: each matrix
    of the batch factored on its own (a loop on the host: the error path only)."""
    flat = a.reshape((-1, n, n))
    out, info = np.zeros_like(flat), xp_of(a).zeros(flat.shape[0], np.int32)
    for i, m in enumerate(flat):
        k = _first_failure(m)
        info[i] = k
        if k == 0:
            out[i] = np.linalg.cholesky(m)
            continue
        low = np.tril(m)
        j = k - 1
        if j:
            l11 = np.linalg.cholesky(m[:j, :j])
            low[:j, :j] = l11
            low[j:, :j] = np.linalg.solve(l11, m[j:, :j].T).T
        low[j, j] = m[j, j] - low[j, :j] @ low[j, :j]
        out[i] = low
    return out.reshape(a.shape), info.reshape(batch), True


class CholeskyEx(NamedTuple):
    """``(L, info)`` as ``torch.return_types.linalg_cholesky_ex``."""

    L: Tensor
    info: Tensor


def _cholesky(op: str, A: Tensor, upper: bool, check: bool, node: type[_Factor]) -> CholeskyEx:
    a = A._data
    check_matrix(op, a)
    low, info, failed = _cholesky_ex_array(a.swapaxes(-1, -2) if upper else a)
    if check and failed and info.any():  # torch reads info on the host too to raise
        where = ""
        if info.ndim:
            where = f"(Batch element {int(np.flatnonzero(info.reshape(-1))[0])}): "
        k = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
        raise LinAlgError(f"{op}: {where}The factorization could not be completed because "
                          f"the input is not positive-definite (the leading minor of order "
                          f"{k} is not positive-definite).")
    out = xp_of(low).ascontiguousarray(low.swapaxes(-1, -2)) if upper else low
    (factor,) = _record(node, (out,), A, (bool(upper),))
    return CholeskyEx(factor, _wrap(info, None))


def cholesky(A: Tensor, upper: bool = False) -> Tensor:
    """The Cholesky factor L of each symmetric positive-definite A (…, n, n): A = L Lᵀ,
    read from A's lower triangle (``upper``: U with A = Uᵀ U, from the upper one).
    Raises ``LinAlgError`` where A is not positive definite."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cholesky", cholesky, A, upper)
    return _cholesky("linalg.cholesky", A, upper, True, LinalgCholeskyExBackward).L


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> CholeskyEx:
    """:func:`cholesky` without the error: ``(L, info)``, info (int32) 0 where A was
    factored, else the order of the leading minor that is not positive definite."""
    return _cholesky("linalg.cholesky_ex", A, upper, check_errors, LinalgCholeskyExBackward)


def cholesky_deprecated(A: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky`` (deprecated alias of :func:`cholesky`)."""
    return _cholesky("cholesky", A, upper, True, CholeskyBackward).L


# -- QR ---------------------------------------------------------------------------------------
class LinalgQrBackward(_Factor):
    """A = Q R;  torch's ``linalg_qr_backward``: with M = gR Rᵀ − Qᵀ gQ,
    m ≥ n: gA = (Q (T + triu(M, 1)ᵀ) + gQ) R⁻ᵀ with T = triu(M);
    m < n: gA = [Q tril(Mᵀ − M) R₁⁻ᵀ, 0] + Q gR (R₁ the leading m×m block of R)."""

    def backward(self, xp, grads, factors, options):
        mode = options
        q, r = factors
        gq, gr = grads
        if mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        mm = xp.matmul(gr, mT(xp, r)) if gq is None else -xp.matmul(mT(xp, q), gq)
        k = mm.shape[-1]
        if m >= n:
            t = mm * tri_mask(mm, k, k, 0, False)
            ga = xp.matmul(q, t + mT(xp, mm * tri_mask(mm, k, k, 1, False)))
            if gq is not None:
                ga = ga + gq
            return xp.solve_triangular(mT(xp, r), ga, False, False, False)
        ga = xp.matmul(q, (mT(xp, mm) - mm) * tri_mask(mm, m, m, 0, True))
        ga = xp.solve_triangular(mT(xp, r[..., :m]), ga, False, False, False)
        ga = xp.pad(ga, ((0, 0),) * (ga.ndim - 1) + ((0, n - m),), 0.0)
        return ga if gr is None else ga + xp.matmul(q, gr)


class QR(NamedTuple):
    """``(Q, R)`` as ``torch.return_types.linalg_qr``."""

    Q: Tensor
    R: Tensor


def _qr_array(a: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    m, n = a.shape[-2:]
    if a.size == 0:  # NumPy's qr rejects empty matrices; torch returns the empty shapes
        xp = xp_of(a)
        k = m if mode == "complete" else min(m, n)
        q = np.broadcast_to(xp.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
        return q, xp.zeros(a.shape[:-2] + (k, n), a.dtype)
    # no linalg_checks: Householder QR cannot fail (NumPy's raises only for bad arguments),
    # so CuPy need not read cuSOLVER's info
    return np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")


def qr(A: Tensor, mode: str = "reduced") -> QR:
    """A = Q R with Q (…, m, k) of orthonormal columns and R (…, k, n) upper triangular,
    k = min(m, n) (``mode='complete'``: k = m; ``'r'``: Q empty, R alone, not
    differentiable)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("qr", qr, A, mode)
    a = A._data
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    check_matrix("linalg.qr", a, square=False)
    q, r = _qr_array(a, mode)
    if mode == "r":
        q = xp_of(a).zeros((0,), a.dtype)
    outs = _record(LinalgQrBackward, (q, r), A, mode)
    return QR(*outs)


def qr_deprecated(A: Tensor, some: bool = True) -> QR:
    """``torch.qr(A, some)``: the reduced (``some``) or complete QR."""
    return qr(A, "reduced" if some else "complete")


# -- SVD --------------------------------------------------------------------------------------
class LinalgSvdBackward(_Factor):
    """A = U diag(S) Vh;  torch's ``svd_backward`` with E_jk = S_k² − S_j² (1 on the
    diagonal), skew(X) = X − Xᵀ:
    gS only:  gA = U diag(gS) Vh;
    gU:  gA = U (skew(Uᵀ gU) / E) S Vh  + (m > n) (I − U Uᵀ) gU S⁻¹ Vh;
    gVh: gA = U S (skew(Vh gVhᵀ) / E) Vh + (m < n) U S⁻¹ gVh (I − Vhᵀ Vh).
    With ``full_matrices`` the gradients of the extra columns of U / rows of Vh are
    dropped (torch narrows U, Vh and their gradients to k = min(m, n))."""

    def backward(self, xp, grads, factors, options):
        u, s, vh = factors
        gu, gs, gvh = grads
        k = s.shape[-1]
        m, n = u.shape[-2], vh.shape[-1]
        if options:  # full_matrices
            u, vh = u[..., :k], vh[..., :k, :]
            gu = None if gu is None else gu[..., :k]
            gvh = None if gvh is None else gvh[..., :k, :]
        if gs is not None:
            if m >= n:
                return xp.matmul(u, _col(xp, gs) * vh)
            return xp.matmul(u * _row(xp, gs), vh)
        s2 = s * s
        e = _row(xp, s2) - _col(xp, s2) + _eye(s, k)
        if gu is not None:
            uhgu = xp.matmul(mT(xp, u), gu)
            ga = (uhgu - mT(xp, uhgu)) / e * _row(xp, s)
            if m > n:
                gusinv = gu / _row(xp, s)
                ga = xp.matmul(u, ga) + gusinv - xp.matmul(u, xp.matmul(mT(xp, u), gusinv))
                return xp.matmul(ga, vh)
        else:
            vhgv = xp.matmul(vh, mT(xp, gvh))
            ga = _col(xp, s) * ((vhgv - mT(xp, vhgv)) / e)
            if m < n:
                sinvgvh = gvh / _col(xp, s)
                ga = xp.matmul(ga, vh) + sinvgvh - xp.matmul(xp.matmul(sinvgvh, mT(xp, vh)),
                                                             vh)
                return xp.matmul(u, ga)
        return xp.matmul(u, xp.matmul(ga, vh)) if m >= n else xp.matmul(xp.matmul(u, ga), vh)


class SVD(NamedTuple):
    """``(U, S, Vh)`` as ``torch.return_types.linalg_svd``."""

    U: Tensor
    S: Tensor
    Vh: Tensor


def _svd_array(a: np.ndarray, full_matrices: bool) -> tuple:
    m, n = a.shape[-2:]
    xp = xp_of(a)
    if a.size == 0:  # torch: U, Vh identities of the empty / full shapes
        k = min(m, n)
        cu, rv = (m, n) if full_matrices else (k, k)
        batch = a.shape[:-2]
        return (np.broadcast_to(xp.eye(m, cu, dtype=a.dtype), batch + (m, cu)).copy(),
                xp.zeros(batch + (k,), a.dtype),
                np.broadcast_to(xp.eye(rv, n, dtype=a.dtype), batch + (rv, n)).copy())
    try:
        with linalg_checks(a):
            return np.linalg.svd(a, full_matrices=full_matrices)
    except np.linalg.LinAlgError:  # NumPy's words on every device (CuPy names cuSOLVER's)
        raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                          "matrix is ill-conditioned or has too many repeated singular "
                          "values (SVD did not converge).") from None


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> SVD:
    """A = U diag(S) Vh, S (…, k) descending, k = min(m, n); U (…, m, k), Vh (…, k, n)
    (``full_matrices``: U (…, m, m), Vh (…, n, n)). Differentiable where the singular
    values are distinct (and nonzero for a rectangular A), as torch."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("svd", svd, A, full_matrices, driver=driver)
    check_matrix("linalg.svd", A._data, square=False)
    arrays = _svd_array(A._data, full_matrices)
    return SVD(*_record(LinalgSvdBackward, tuple(arrays), A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """The singular values (…, k), descending; their gradient U diag(g) Vh."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("svdvals", svdvals, A, driver=driver)
    a = A._data
    check_matrix("linalg.svdvals", a, square=False)
    if A.requires_grad:
        return svd(A, False).S
    if a.size == 0:
        return _wrap(xp_of(a).zeros(a.shape[:-2] + (min(a.shape[-2:]),), a.dtype), None)
    with linalg_checks(a):  # numpy.linalg.svdvals has no CuPy twin: svd without U, Vh
        return _wrap(np.linalg.svd(a, compute_uv=False), None)


class SvdOld(NamedTuple):
    """``(U, S, V)`` as ``torch.return_types.svd`` (V, not Vh)."""

    U: Tensor
    S: Tensor
    V: Tensor


def svd_deprecated(A: Tensor, some: bool = True, compute_uv: bool = True) -> SvdOld:
    """``torch.svd``: V = Vhᵀ; ``compute_uv=False`` gives zero-filled U (m, m), V (n, n)."""
    if not compute_uv:
        s = svdvals(A)
        m, n = A._data.shape[-2:]
        batch = A._data.shape[:-2]
        xp = xp_of(A._data)
        return SvdOld(_wrap(xp.zeros(batch + (m, m), A._data.dtype), None), s,
                      _wrap(xp.zeros(batch + (n, n), A._data.dtype), None))
    u, s, vh = svd(A, full_matrices=not some)
    return SvdOld(u, s, vh.mT)


# -- symmetric eigendecomposition -------------------------------------------------------------
class LinalgEighBackward(_Factor):
    """A = V diag(L) Vᵀ;  torch's ``linalg_eig_backward`` (hermitian): with
    E_ij = L_j − L_i (1 on the diagonal), gA = V (diag(gL) + ½(Vᵀ gV − gVᵀ V) / E) Vᵀ."""

    def backward(self, xp, grads, factors, options):
        w, v = factors
        gw, gv = grads
        if gw is not None:
            return xp.matmul(v * _row(xp, gw), mT(xp, v))
        vhgv = xp.matmul(mT(xp, v), gv)
        e = _row(xp, w) - _col(xp, w) + _eye(w, w.shape[-1])
        ga = 0.5 * (vhgv - mT(xp, vhgv)) / e
        return xp.matmul(v, xp.matmul(ga, mT(xp, v)))


class Eigh(NamedTuple):
    """``(eigenvalues, eigenvectors)`` as ``torch.return_types.linalg_eigh``."""

    eigenvalues: Tensor
    eigenvectors: Tensor


def _uplo(op: str, UPLO: str) -> str:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A: Tensor, UPLO: str = "L") -> Eigh:
    """The eigenvalues (…, n), ascending, and orthonormal eigenvectors (…, n, n) of each
    symmetric A, read from its lower (``UPLO='L'``) or upper triangle."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("eigh", eigh, A, UPLO)
    a = A._data
    check_matrix("linalg.eigh", a)
    uplo = _uplo("linalg.eigh", UPLO)
    if a.size == 0:
        w, v = xp_of(a).zeros(a.shape[:-1], a.dtype), a.copy()
    else:
        with linalg_checks(a):
            w, v = np.linalg.eigh(a, uplo)
    return Eigh(*_record(LinalgEighBackward, (w, v), A))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of each symmetric A, ascending; their gradient V diag(g) Vᵀ."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("eigvalsh", eigvalsh, A, UPLO)
    a = A._data
    check_matrix("linalg.eigvalsh", a)
    uplo = _uplo("linalg.eigvalsh", UPLO)
    if A.requires_grad:
        return eigh(A, uplo).eigenvalues
    if a.size == 0:
        return _wrap(xp_of(a).zeros(a.shape[:-1], a.dtype), None)
    with linalg_checks(a):
        return _wrap(np.linalg.eigvalsh(a, uplo), None)


PUBLIC = ["cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh"]

METHODS = {"cholesky": cholesky_deprecated, "qr": qr_deprecated, "svd": svd_deprecated}
