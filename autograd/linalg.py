"""``autograd.linalg`` as ``torch.linalg``: the vector norms, the matrix norms 'fro', 1,
-1, inf and -inf, inv, det, slogdet, solve (``ops/dense.py``), the decompositions
cholesky, qr, svd, eigh and their value-only forms (``ops/decompositions.py``),
solve_triangular (``ops/triangular.py``), pinv, matrix_exp, matrix_rank, lstsq
(``ops/matrix_functions.py``), householder_product (``ops/householder.py``), multi_dot,
vecdot, vander, diagonal, tensorinv, tensorsolve (``ops/linalg_compositions.py``),
matmul and matrix_power. ``LinAlgError`` is the RuntimeError raised for singular or
non-positive-definite input."""

from __future__ import annotations

import math
from typing import Any

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.dims import normalize_dims
from autograd.errors import LinAlgError
from autograd.graph import Away
from autograd.ops.decompositions import (
    cholesky,
    cholesky_ex,
    eigh,
    eigvalsh,
    qr,
    svd,
    svdvals,
)
from autograd.ops.dense import det, inv, slogdet, solve
from autograd.ops.geometry import linalg_cross as cross
from autograd.ops.householder import householder_product
from autograd.ops.linalg import matmul
from autograd.ops.linalg_compositions import linalg_diagonal as diagonal
from autograd.ops.linalg_compositions import linalg_vander as vander
from autograd.ops.linalg_compositions import multi_dot, tensorinv, tensorsolve, vecdot
from autograd.ops.matrix_functions import lstsq, matrix_exp, matrix_rank, pinv
from autograd.ops.matrix_products import matrix_power
from autograd.ops.products import singular_value_norm, vector_norm
from autograd.ops.reduce import amax, amin
from autograd.ops.triangular import solve_triangular
from autograd.ops.unary import abs as _abs
from autograd.tensor import Tensor


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The norm of each matrix over the two ``dim``: 'fro' (Frobenius), 1 / -1 (largest /
    smallest column sum of |A|), inf / -inf (largest / smallest row sum of |A|), as torch's
    composition ``amax(sum(|A|, dim[0]), dim[1])`` (ties share the gradient); 2 / -2 (the
    largest / smallest singular value) and 'nuc' (their sum) through ``svdvals``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("matrix_norm", matrix_norm, A, ord, dim, keepdim, dtype=dtype)
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord not in (1, -1, 2, -2, math.inf, -math.inf, "nuc"):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    n = A._data.ndim
    if n < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions (shape {A._data.shape})")
    if ord in (2, -2, "nuc"):
        return singular_value_norm(A, ord, dim, keepdim, dtype)
    d0, d1 = normalize_dims(dim, n)
    if abs(ord) == math.inf:
        d0, d1 = d1, d0
    if A._data.dtype.kind != "f" and dtype is None:
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor "
                           f"as input. Got {A._data.dtype}")
    x = _abs(A if dtype is None else A.to(dtype)).sum(d0, keepdim=True)
    x = amax(x, d1, keepdim=True) if ord > 0 else amin(x, d1, keepdim=True)
    return x if keepdim else x.squeeze((d0, d1))


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: with ``ord=None`` the 2-norm of the flattened input; a
    number gives the vector norm over a 1-D ``dim`` (or a 1-D input); 'fro' the Frobenius
    norm of matrices."""
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    matrix = (dim is None and A._data.ndim == 2) or (
        dim is not None and not isinstance(dim, int) and len(dim) == 2)
    if isinstance(ord, str) or matrix:
        if dim is None and A._data.ndim != 2:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A._data.ndim}D.")
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if (dim is None and A._data.ndim != 1) or \
            (dim is not None and not isinstance(dim, int) and len(dim) != 1):
        raise NotImplementedError(f"linalg.norm: matrix norms with ord={ord!r} are not "
                                  f"supported (use vector_norm)")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number of each matrix: σ_max / σ_min for ``p`` None or 2 (-2: its
    inverse), else ‖A‖_p ‖A⁻¹‖_p for the matrix norms 'fro', 'nuc', ±1, ±inf (square A)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cond", cond, A, p)
    if p in (None, 2, -2):
        s = svdvals(A)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "eigh",
           "eigvalsh", "householder_product", "inv", "lstsq", "matrix_exp", "matrix_norm",
           "matrix_rank", "norm",
           "pinv", "qr", "slogdet", "solve", "solve_triangular", "svd", "svdvals",
           "vector_norm", "diagonal", "matmul", "matrix_power", "multi_dot", "tensorinv",
           "tensorsolve", "vander", "vecdot"]
