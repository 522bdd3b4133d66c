"""``autograd.linalg`` as ``torch.linalg``: the vector norms (and the Frobenius norm)."""

from __future__ import annotations

from typing import Any

from autograd.ops.products import vector_norm
from autograd.tensor import Tensor


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The Frobenius norm over the two ``dim`` of each matrix (only ``ord='fro'``)."""
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported (only "
                                  f"'fro')")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: with ``ord=None`` the 2-norm of the flattened input; a
    number gives the vector norm over a 1-D ``dim`` (or a 1-D input); 'fro' the Frobenius
    norm of matrices."""
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord == "fro":
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if isinstance(ord, str) or (dim is None and A._data.ndim != 1) or \
            (dim is not None and not isinstance(dim, int) and len(dim) != 1):
        raise NotImplementedError(f"linalg.norm: matrix norms with ord={ord!r} are not "
                                  f"supported (use vector_norm)")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


__all__ = ["matrix_norm", "norm", "vector_norm"]
