"""torch.linalg's decompositions and the functions built on them: values, gradients and
second-order gradients against torch's (spec_decompositions.py, torch_values_
decompositions.py), the reconstructions (Q R = A, U S Vh = A, V L Vᵀ = A, L Lᵀ = A), the
named tuples, the Tensor methods, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from spec_decompositions import SPEC, run
from torch_values_decompositions import EXPECTED

import autograd as ag

TOL = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=2e-4, atol=2e-5)}


def _same(got, want, dtype: str, what: str) -> None:
    assert (got is None) == (want is None), what
    if want is not None:
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want),
                                   err_msg=what, **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(SPEC))
def test_values_and_gradients_match_torch(name: str, dtype: str) -> None:
    got, want = run(ag, name, dtype), EXPECTED[f"{name}:{dtype}"]
    for key in ("values", "grads", "grads2"):
        assert len(got[key]) == len(want[key]), key
        for i, (g, w) in enumerate(zip(got[key], want[key])):
            _same(g, w, dtype, f"{name} {key}[{i}]")


def _rand(*shape, dtype=np.float64, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype))


def _close(a, b, dtype) -> None:
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (2, 1, 3, 2)])
def test_qr_and_svd_reconstruct_their_input(shape, dtype) -> None:
    a = _rand(*shape, dtype=dtype)
    q, r = ag.linalg.qr(a)
    k = min(shape[-2:])
    assert q.shape == shape[:-1] + (k,) and r.shape == shape[:-2] + (k, shape[-1])
    assert q.dtype == dtype and r.dtype == dtype
    _close(q @ r, a, dtype)
    _close(q.mT @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), dtype)
    np.testing.assert_array_equal(np.tril(r.numpy(), -1), 0)
    u, s, vh = ag.linalg.svd(a, full_matrices=False)
    _close((u * s.unsqueeze(-2)) @ vh, a, dtype)
    assert (np.diff(s.numpy(), axis=-1) <= 0).all()  # descending
    uf, sf, vhf = ag.linalg.svd(a)  # full: square orthogonal factors
    assert uf.shape[-1] == shape[-2] and vhf.shape[-2] == shape[-1]
    _close(vhf @ vhf.mT, np.broadcast_to(np.eye(shape[-1]), vhf.shape), dtype)
    U, S, V = ag.svd(a)  # torch.svd: V, not Vh
    _close((U * S.unsqueeze(-2)) @ V.mT, a, dtype)
    _close(ag.linalg.svdvals(a), s, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_eigh_and_cholesky_reconstruct_their_input(dtype) -> None:
    b = _rand(3, 4, 4, dtype=dtype)
    spd = b @ b.mT + 4 * ag.eye(4, dtype=dtype)
    w, v = ag.linalg.eigh(spd)
    _close((v * w.unsqueeze(-2)) @ v.mT, spd, dtype)
    assert (np.diff(w.numpy(), axis=-1) >= 0).all()  # ascending
    _close(ag.linalg.eigvalsh(spd), w, dtype)
    low = ag.linalg.cholesky(spd)
    _close(low @ low.mT, spd, dtype)
    up = ag.linalg.cholesky(spd, upper=True)
    _close(up.mT @ up, spd, dtype)
    _close(ag.cholesky_inverse(low), ag.linalg.inv(spd), dtype)
    rhs = _rand(4, 2, dtype=dtype)
    _close(ag.cholesky_solve(rhs, low), ag.linalg.solve(spd, rhs), dtype)
    _close(ag.linalg.matrix_exp(ag.zeros(2, 3, 3, dtype=dtype)),
           np.broadcast_to(np.eye(3), (2, 3, 3)), dtype)


def test_decompositions_read_one_triangle_and_pinv_inverts() -> None:
    a = _rand(3, 3)
    sym_low = ag.tril(a) + ag.tril(a, -1).mT
    _close(ag.linalg.eigvalsh(a), ag.linalg.eigvalsh(sym_low), np.float64)
    _close(ag.linalg.eigvalsh(a, UPLO="U"), ag.linalg.eigvalsh(ag.triu(a) + ag.triu(a, 1).mT),
           np.float64)
    t = ag.tril(a) + 3 * ag.eye(3, dtype=np.float64)
    rhs = _rand(3, 2)
    _close(ag.linalg.solve_triangular(t + ag.triu(a, 1), rhs, upper=False),
           ag.linalg.solve(t, rhs), np.float64)
    g = _rand(5, 3)
    _close(ag.linalg.pinv(g) @ g, np.eye(3), np.float64)
    _close(ag.linalg.lstsq(g, rhs[:1].expand(5, 2)).solution,
           ag.linalg.pinv(g) @ rhs[:1].expand(5, 2), np.float64)


def test_rank_and_empty_inputs() -> None:
    low_rank = ag.tensor(np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 0.5, 2.0]))
    r = ag.linalg.matrix_rank(low_rank)
    assert r.dtype == np.int64 and r.item() == 1
    assert ag.linalg.matrix_rank(ag.eye(3)).item() == 3
    assert ag.linalg.matrix_rank(ag.eye(3), atol=2.0).item() == 0
    pinv = ag.linalg.pinv(low_rank)
    _close(low_rank @ pinv @ low_rank, low_rank, np.float64)
    q, r = ag.linalg.qr(ag.zeros(0, 3))
    assert q.shape == (0, 0) and r.shape == (0, 3)
    u, s, vh = ag.linalg.svd(ag.zeros(0, 3))
    assert u.shape == (0, 0) and s.shape == (0,) and vh.shape == (3, 3)
    assert ag.linalg.cholesky(ag.zeros(2, 0, 0)).shape == (2, 0, 0)
    assert ag.linalg.eigh(ag.zeros(0, 0)).eigenvalues.shape == (0,)


def test_named_tuples_unpacking_methods_and_grad_fn_names() -> None:
    a = _rand(4, 3).requires_grad_()
    r = ag.linalg.svd(a, full_matrices=False)
    u, s, vh = r
    assert r._fields == ("U", "S", "Vh") and r.U is u and r.Vh is vh
    assert [t.grad_fn.name() for t in r] == ["LinalgSvdBackward0"] * 3
    assert ag.svd(a)._fields == ("U", "S", "V")
    assert ag.linalg.qr(a)._fields == ("Q", "R")
    assert ag.linalg.qr(a).Q.grad_fn.name() == "LinalgQrBackward0"
    spd = a.mT @ a + 3 * ag.eye(3, dtype=np.float64)
    assert ag.linalg.eigh(spd)._fields == ("eigenvalues", "eigenvectors")
    assert ag.linalg.eigh(spd).eigenvectors.grad_fn.name() == "LinalgEighBackward0"
    assert ag.linalg.cholesky(spd).grad_fn.name() == "LinalgCholeskyExBackward0"
    assert ag.cholesky(spd).grad_fn.name() == "CholeskyBackward0"
    ex = ag.linalg.cholesky_ex(spd)
    assert ex._fields == ("L", "info") and ex.info.dtype == np.int32 and ex.info.item() == 0
    assert ag.linalg.lstsq(a, a)._fields == ("solution", "residuals", "rank",
                                            "singular_values")
    assert ag.triangular_solve(a.mT, spd)._fields == ("solution", "cloned_coefficient")
    assert ag.linalg.pinv(a).grad_fn.name() == "LinalgPinvBackward0"
    assert ag.linalg.matrix_exp(spd).grad_fn.name() == "LinalgMatrixExpBackward0"
    _close(spd.cholesky(), ag.linalg.cholesky(spd).detach(), np.float64)
    _close(a.svd().S, s.detach(), np.float64)
    _close(a.qr().R, ag.linalg.qr(a).R.detach(), np.float64)
    _close(a.pinverse(), ag.pinverse(a).detach(), np.float64)
    _close(spd.matrix_exp(), ag.matrix_exp(spd).detach(), np.float64)


def test_linalg_error_is_a_runtime_error_and_names_the_minor() -> None:
    assert issubclass(ag.linalg.LinAlgError, RuntimeError)
    bad = ag.tensor([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ag.linalg.LinAlgError, match="leading minor of order 2"):
        ag.linalg.cholesky(bad)
    with pytest.raises(ag.linalg.LinAlgError, match=r"\(Batch element 1\)"):
        ag.linalg.cholesky(ag.stack([ag.eye(2), bad]))
    with pytest.raises(RuntimeError, match="positive-definite"):
        ag.cholesky(bad)
    low, info = ag.linalg.cholesky_ex(bad)
    assert info.item() == 2  # torch: L = [[1, 0], [2, -3]], info 2
    np.testing.assert_array_equal(low.numpy(), [[1.0, 0.0], [2.0, -3.0]])
    with pytest.raises(ag.linalg.LinAlgError):
        ag.linalg.cholesky_ex(bad, check_errors=True)
    with pytest.raises(ag.linalg.LinAlgError):
        ag.linalg.inv(ag.zeros(2, 2))


@pytest.mark.parametrize("call, match", [
    (lambda: ag.linalg.cholesky(ag.ones(3, 2)), "linalg.cholesky: A must be batches of square"),
    (lambda: ag.linalg.cholesky(ag.ones(3)), "linalg.cholesky: The input tensor A must have"),
    (lambda: ag.linalg.svd(ag.eye(2, dtype=np.int64)), "linalg.svd: Expected a floating"),
    (lambda: ag.linalg.qr(ag.eye(2), mode="full"), "unrecognized mode 'full'"),
    (lambda: ag.linalg.eigh(ag.eye(2), UPLO="X"), "Expected UPLO argument"),
    (lambda: ag.linalg.matrix_exp(ag.ones(2, 3)), "linalg.matrix_exp: A must be batches"),
    (lambda: ag.linalg.solve_triangular(ag.eye(3), ag.ones(2, 2), upper=True),
     r"solve_triangular: Incompatible shapes of A and B for the equation AX = B \(3x3 and 2x2"),
    (lambda: ag.linalg.solve_triangular(ag.eye(3), ag.ones(3), upper=True),
     "The input tensor B must have at least 2 dimensions"),
    (lambda: ag.linalg.pinv(ag.ones(3, 2), hermitian=True), "must be batches of square"),
    (lambda: ag.linalg.lstsq(ag.ones(3, 2), ag.ones(4, 1)), "should match other.size"),
    (lambda: ag.linalg.lstsq(ag.ones(3, 2), ag.ones(3, 1), driver="x"), "driver"),
    (lambda: ag.cholesky_inverse(ag.ones(3, 2)), "cholesky_inverse: A must be batches"),
])
def test_bad_input_raises_torchs_runtime_error(call, match) -> None:
    with pytest.raises(RuntimeError, match=match):
        call()


def test_backward_errors_as_torch() -> None:
    a = _rand(4, 2).requires_grad_()
    with pytest.raises(RuntimeError, match="mode='r'"):
        ag.linalg.qr(a, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        ag.linalg.qr(a, mode="complete").Q.sum().backward()
    with pytest.raises(NotImplementedError):
        ag.linalg.solve_triangular(ag.eye(2, dtype=np.int64), ag.ones(2, 1), upper=True)


def test_solve_triangular_takes_a_dtype_and_singular_gives_inf() -> None:
    x = ag.linalg.solve_triangular(ag.eye(2, dtype=np.float32),
                                   ag.ones(2, 1, dtype=np.float64), upper=True)
    assert x.dtype == np.float32  # torch casts B to A's dtype
    with np.errstate(all="ignore"):
        y = ag.linalg.solve_triangular(ag.tensor([[0.0, 1.0], [0.0, 1.0]]), ag.ones(2, 1),
                                       upper=True)
    assert not np.isfinite(y.numpy()).all()  # no error: trsm divides by the zero pivot


def test_a_factor_changed_in_place_leaves_its_siblings_gradients_alone() -> None:
    a = _rand(4, 3).requires_grad_()
    u, s, _ = ag.linalg.svd(a, full_matrices=False)
    (u ** 3).sum().backward()
    want = a.grad.numpy().copy()
    a.grad = None
    u, s, _ = ag.linalg.svd(a, full_matrices=False)
    s.mul_(2.0)  # the U node's VJP reads its own copy of S
    (u ** 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), want)


def test_half_precision_is_rejected_as_torch() -> None:
    with pytest.raises(RuntimeError, match="Low precision dtypes not supported"):
        ag.linalg.svd(ag.eye(2, dtype=np.float16))
