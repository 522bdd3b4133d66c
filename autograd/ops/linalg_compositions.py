"""``torch.linalg``'s compositions of other ops: ``multi_dot`` (a chain of matrix products
in the cheapest order), ``vecdot``, ``vander``, ``diagonal``, ``tensorinv``,
``tensorsolve`` (and the names ``matmul``, ``matrix_power``). None has a node of its own:
each differentiates exactly as the products, sums, reshapes and solves it is made of.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.ops.composite import movedim
from autograd.ops.dense import inv, solve
from autograd.ops.rearrange import diagonal as _diagonal
from autograd.ops.scan import cumprod
from autograd.ops.shape import cat
from autograd.promotion import torch_name
from autograd.tensor import Tensor

__all__ = ["linalg_diagonal", "linalg_vander", "multi_dot", "tensorinv", "tensorsolve",
           "vecdot"]

# the element types as torch's C++ names them in multi_dot's message
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """A₁ A₂ ⋯ Aₙ (torch.linalg.multi_dot), multiplied in the order of fewest scalar
    multiplications (the matrix-chain order; ties go to the earlier split, as torch's).
    The first may be a vector (a row), the last a vector (a column); the others are
    matrices, all of one dtype."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        if t.ndim != 2 and not (t.ndim == 1 and i in (0, n - 1)):
            where = {0: "the first tensor", n - 1: "the last tensor"}.get(i, f"tensor {i}")
            must = "must be 1D or 2D" if i in (0, n - 1) else "must be 2D"
            raise RuntimeError(f"multi_dot(): {where} {must} but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_CPP_NAMES.get(tensors[0].dtype.name, tensors[0].dtype.name)} and tensor "
                f"{i} {_CPP_NAMES.get(t.dtype.name, t.dtype.name)}")
    row, column = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if row:
        mats[0] = mats[0].unsqueeze(0)
    if column:
        mats[-1] = mats[-1].unsqueeze(1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               f"cannot be multiplied")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    split = _chain_order(dims)

    def product(i: int, j: int) -> Tensor:  # Aᵢ ⋯ Aⱼ
        if i == j:
            return mats[i]
        k = split[i][j]
        return product(i, k) @ product(k + 1, j)

    result = product(0, n - 1)
    if row:
        result = result.squeeze(0)
    if column:
        result = result.squeeze(-1)
    return result


def _chain_order(dims: list) -> list:
    """split[i][j]: where the product Aᵢ ⋯ Aⱼ is cheapest split (Aᵢ has dims[i] × dims[i+1]);
    the textbook dynamic programme over chain lengths, first minimum kept."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σ xᵢ yᵢ along ``dim`` of the broadcast of x and y (torch.linalg.vecdot; real
    tensors of one floating dtype)."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {torch_name(x.dtype)} and y of type "
                           f"{torch_name(y.dtype)} instead")
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {torch_name(x.dtype)}")
    return (x * y).sum(dim)


def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix of increasing powers x⁰, x¹, …, x^(N−1) of the last dimension
    of ``x`` (torch.linalg.vander; shape (*, n, N), N = n by default): the powers as
    running products (``cumprod``), as torch forms them."""
    n = N if N is not None else (x.shape[-1] if x.ndim else 1)
    if x.ndim == 0 or n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = cumprod(x.unsqueeze(-1).expand(*x.shape, n - 1), -1)
    ones = Tensor._const(np.ones((*x.shape, 1), dtype=x.dtype))
    return cat([ones.to(x.device), powers], -1)


def linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: ``torch.diagonal`` over the last two dimensions by default."""
    return _diagonal(A, offset, dim1, dim2)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The tensor X with tensordot(A, X, ind) the identity (torch.linalg.tensorinv): the
    inverse of A read as a square matrix of its first ``ind`` dimensions by the rest,
    shaped A.shape[ind:] + A.shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(*A.shape[ind:], *A.shape[:ind])


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None) -> Tensor:
    """The tensor X with tensordot(A, X, X.ndim) = B (torch.linalg.tensorsolve), ``dims``
    of A moved last first: A read as a square matrix of B's dimensions by the rest."""
    if dims is not None:
        dims = list(dims)
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    rows, cols = math.prod(B.shape), math.prod(A.shape[B.ndim:])
    if rows != cols:  # (torch's message; what it compares is prod(B.shape))
        raise RuntimeError(f"Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
                           f"but got {cols} != {rows}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(A.shape[B.ndim:])


PUBLIC = ["multi_dot", "vecdot", "linalg_vander", "tensorinv", "tensorsolve"]
