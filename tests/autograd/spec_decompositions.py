"""The expressions tests/autograd/test_decompositions.py evaluates with chainrule and
compares with torch's answers (``EXPECTED`` in torch_values_decompositions.py, computed
once with torch 2.13 by a scratch script). Each runs with ``m`` = the module (``autograd``
here, ``torch`` for the reference) in float64 and float32. Singular vectors and
eigenvectors enter squared (LAPACK builds may flip their signs; torch's values are the
same up to those signs)."""

from __future__ import annotations

import numpy as np

# a general 4x3, a 3x4, a batch of 2 3x3 matrices, symmetric positive-definite (SPD) ones
G43 = [[0.5, -1.25, 2.0], [1.5, 0.75, -0.5], [-2.0, 1.0, 0.25], [0.25, 2.5, 1.0]]
G34 = [[1.0, -0.5, 2.25, 0.5], [0.75, 1.5, -1.0, 2.0], [-1.25, 0.5, 0.25, 1.75]]
B233 = [[[2.0, -0.5, 1.0], [0.25, 1.5, -0.75], [1.0, 0.5, 3.0]],
        [[-1.0, 2.0, 0.5], [1.5, 0.25, -1.25], [0.75, -2.0, 1.0]]]
SPD = [[[4.0, 1.0, -0.5], [1.0, 3.0, 0.75], [-0.5, 0.75, 2.5]],
       [[5.0, -2.0, 1.0], [-2.0, 4.0, 0.5], [1.0, 0.5, 3.0]]]
SYM = [[2.0, -1.0, 0.5, 0.25], [-1.0, 1.5, 0.75, -0.5], [0.5, 0.75, -1.0, 1.25],
       [0.25, -0.5, 1.25, 0.5]]
TRI = [[[3.0, 0.5, -1.0], [0.75, 2.5, 0.25], [-0.5, 1.25, 2.0]],
       [[2.0, -1.0, 0.5], [1.0, 3.0, -0.25], [0.25, 0.5, 1.5]]]  # either triangle usable
RHS = [[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75]]


def _svd(m, a, **kw):
    u, s, vh = m.linalg.svd(a, **kw)
    return u ** 2, s, vh ** 2


SPEC: dict = {
    "cholesky": (lambda m, a: m.linalg.cholesky(a), [SPD]),
    "cholesky-upper": (lambda m, a: m.linalg.cholesky(a, upper=True), [SPD]),
    "cholesky_ex": (lambda m, a: m.linalg.cholesky_ex(a).L, [SPD]),
    "cholesky-deprecated": (lambda m, a: m.cholesky(a[0]), [SPD]),
    "qr-reduced-tall": (lambda m, a: tuple(m.linalg.qr(a)), [G43]),
    "qr-reduced-wide": (lambda m, a: tuple(m.linalg.qr(a)), [G34]),
    "qr-complete-wide": (lambda m, a: tuple(m.linalg.qr(a, mode="complete")), [G34]),
    "qr-batched": (lambda m, a: tuple(m.qr(a)), [B233]),
    "svd-tall": (lambda m, a: _svd(m, a, full_matrices=False), [G43]),
    "svd-wide": (lambda m, a: _svd(m, a, full_matrices=False), [G34]),
    "svd-batched": (lambda m, a: _svd(m, a), [B233]),
    "svd-full-tall": (lambda m, a: (lambda r: (r[0][:, :3], r[1], r[2]))(
        _svd(m, a, full_matrices=True)), [G43]),
    "svd-deprecated": (lambda m, a: (lambda r: (r.U ** 2, r.S, r.V ** 2))(m.svd(a)), [G43]),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), [B233]),
    "eigh": (lambda m, a: (lambda r: (r.eigenvalues, r.eigenvectors ** 2))(
        m.linalg.eigh(a)), [SYM]),
    "eigh-upper-batched": (lambda m, a: (lambda r: (r[0], r[1] ** 2))(
        m.linalg.eigh(a, UPLO="U")), [SPD]),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a), [SPD]),
    "solve_triangular-lower": (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False),
                               [TRI, RHS]),
    "solve_triangular-upper-right": (lambda m, a, b: m.linalg.solve_triangular(
        a, b, upper=True, left=False), [TRI, [[1.0, 0.5, -2.0], [0.25, -1.0, 1.5]]]),
    "solve_triangular-unit": (lambda m, a, b: m.linalg.solve_triangular(
        a, b, upper=True, unitriangular=True), [TRI, RHS]),
    "triangular_solve": (lambda m, b, a: tuple(m.triangular_solve(b, a, upper=False,
                                                                  transpose=True)),
                         [RHS, TRI]),
    "cholesky_solve": (lambda m, b, f: m.cholesky_solve(b, f), [RHS, TRI]),
    "cholesky_solve-upper": (lambda m, b, f: m.cholesky_solve(b, f, upper=True), [RHS, TRI]),
    "cholesky_inverse": (lambda m, f: m.cholesky_inverse(f), [TRI[0]]),
    "cholesky_inverse-upper": (lambda m, f: m.cholesky_inverse(f, upper=True), [TRI[1]]),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a), [B233]),
    "matrix_exp-scaled": (lambda m, a: m.matrix_exp(4 * a), [SYM]),
    "pinv-tall": (lambda m, a: m.linalg.pinv(a), [G43]),
    "pinv-wide": (lambda m, a: m.linalg.pinv(a), [G34]),
    "pinv-hermitian": (lambda m, a: m.linalg.pinv(a, hermitian=True), [SPD]),
    "pinverse": (lambda m, a: a.pinverse(), [B233]),
    "pinv-rcond-positional": (lambda m, a: m.linalg.pinv(a, 0.5), [G34]),
    "matrix_norm-2": (lambda m, a: m.linalg.matrix_norm(a, 2), [B233]),
    "matrix_norm-minus2-dims": (lambda m, a: m.linalg.matrix_norm(a, -2, dim=(0, 2)), [B233]),
    "matrix_norm-nuc-keepdim": (lambda m, a: m.linalg.matrix_norm(a, "nuc", keepdim=True),
                                [G43]),
    "norm-2": (lambda m, a: m.linalg.norm(a, 2), [G34]),
    "cond": (lambda m, a: m.linalg.cond(a), [B233]),
    "cond-minus2": (lambda m, a: m.linalg.cond(a, -2), [G43]),
    "lstsq": (lambda m, a, b: m.linalg.lstsq(a, b).solution, [G43, G43[::-1]]),
    "lstsq-gelsd": (lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver="gelsd"))[:2],
                    [G43, [1.0, -1.0, 0.5, 2.0]]),
}


def weights(shape: tuple, phase: float) -> np.ndarray:
    """The fixed cotangent cos(k + phase), k = 0, 1, ... in the output's shape."""
    return np.cos(np.arange(int(np.prod(shape))) + phase).reshape(shape)


def run(m, name: str, dtype: str) -> dict:
    """Outputs, the gradient of L = Σ_i Σ out_i ⊙ w_i, and the second-order gradient
    ∂/∂x (Σ_j ∂L/∂x_j ⊙ v_j) (``create_graph``), per input."""
    fn, data = SPEC[name]
    dt = getattr(m, dtype)
    xs = [m.tensor(np.array(d), dtype=dt, requires_grad=True) for d in data]
    out = fn(m, *xs)
    outs = list(out) if isinstance(out, tuple | list) else [out]
    grad = m.autograd.grad
    loss = sum((o * m.tensor(weights(tuple(o.shape), i), dtype=dt)).sum()
               for i, o in enumerate(outs))
    gs = grad(loss, xs, create_graph=True)
    s = sum((g * m.tensor(weights(tuple(g.shape), 0.5 + j), dtype=dt)).sum()
            for j, g in enumerate(gs))
    ggs = grad(s, xs, allow_unused=True)
    return {"values": [o.detach().numpy().tolist() for o in outs],
            "grads": [g.detach().numpy().tolist() for g in gs],
            "grads2": [None if g is None else g.numpy().tolist() for g in ggs]}
