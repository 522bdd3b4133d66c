"""``linalg.householder_product`` (LAPACK's orgqr): the matrix that ``geqrf``'s
reflectors stand for.

For ``A`` (*, m, n) with m ≥ n and ``tau`` (*, k) with k ≤ n, the i-th reflector is
``Hᵢ = I − τᵢ vᵢ vᵢᵀ``, ``vᵢ`` the i-th column of ``A`` with zeros above row i and a 1 on
it (only the strictly lower triangle of ``A`` is read); the result is the first n columns
of ``H₁ H₂ ⋯ H_k`` (m × n). Built from differentiable ops (one rank-1 update per
reflector), so both derivatives come from theirs; ``nn.utils.parametrizations.
orthogonal``'s default map for non-square weights.
"""

from __future__ import annotations

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.ops.arith import mul, sub
from autograd.ops.linalg import matmul
from autograd.ops.rearrange import mT
from autograd.ops.select import getitem
from autograd.tensor import Tensor


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """Q (*, m, n) = the first n columns of H₁⋯H_k, Hᵢ = I − τᵢ vᵢ vᵢᵀ (see the module)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("householder_product", householder_product, A, tau)
    name = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           f"input.shape[-1]")
    k = tau.shape[-1] if tau.ndim else 0
    if tau.ndim != A.ndim - 1 or k > n:
        raise RuntimeError(f"{name}: input.dim() - tau.dim() must be equal to 1 and "
                           f"tau.shape[-1] must be less than or equal to input.shape[-1] "
                           f"(input {tuple(A.shape)}, tau {tuple(tau.shape)})")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], got {tuple(tau.shape[:-1])} and "
                           f"{tuple(A.shape[:-2])}")
    if A.dtype != tau.dtype:
        raise RuntimeError(f"{name}: tau dtype {tau.dtype} does not match input dtype "
                           f"{A.dtype}")
    eye = A.new_ones(m).diag()
    V = A.tril(-1) + eye[:, :n]  # column i: 1 on row i, A below, 0 above
    Q = eye.expand(*A.shape[:-2], m, m)
    if k == 0:  # no reflector: torch's result still depends on A (a zero gradient)
        Q = Q + mul(V, 0.0)[..., :1].sum(-1, keepdim=True) * 0.0
    for i in range(k):
        v = getitem(V, (Ellipsis, slice(None), slice(i, i + 1)))  # (*, m, 1)
        t = getitem(tau, (Ellipsis, slice(i, i + 1)))[..., None]  # (*, 1, 1)
        Q = sub(Q, mul(t, matmul(matmul(Q, v), mT(v))))
    return getitem(Q, (Ellipsis, slice(None), slice(0, n)))


PUBLIC = ["householder_product"]
METHODS = {"orgqr": householder_product}  # torch's Tensor.orgqr
