"""Embedding lookup as one primitive: rows of a weight matrix gathered by index."""

from __future__ import annotations

from typing import Any

from autograd.backend import asarray, check_same_device, xp_of
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.tensor import Tensor

# Largest one-hot matrix (V × number of indices) the backward builds; beyond it np.add.at
# scatters (a large vocabulary). Small ones are a GEMM, far faster than np.add.at.
_ONE_HOT_MAX = 1 << 20


class EmbeddingBackward(Node):
    """y = W[idx]  (rows of W (V, D) for every index);  dW = zeros(V, D) with each g row
    added at its index (repeated indices accumulate), none at padding_idx, each divided by
    its index's count in ``idx`` with ``scale_grad_by_freq``: as one-hot(idx)ᵀ g
    (V, M)·(M, D) for a small V·M, else a scatter-add (``np.add.at``)."""

    def vjp(self, g, xp):
        idx, shape, weighted = self.meta
        if weighted:  # 0 at padding_idx (no gradient), 1/count with scale_grad_by_freq
            g = g * self.cached()
        n, d = shape
        if idx.size * n <= _ONE_HOT_MAX:  # one GEMM, onehot (V, M) @ g (M, D): ~10x faster
            onehot = (xp_of(idx).arange(n)[:, None] == idx.reshape(1, -1)).astype(self.dtype)
            return (xp.matmul(onehot, xp.reshape(g, (-1, d))),)
        return (xp.index_add(g, shape, (idx,)),)


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              scale_grad_by_freq: bool = False) -> Tensor:
    """``weight[input]``: (*, ) integer indices into (V, D) rows → (*, D).

    ``padding_idx`` (negative counts from V) marks a row that receives no gradient;
    ``scale_grad_by_freq`` divides each looked-up row's gradient by how often its index
    occurs in ``input`` (torch's option).
    """
    w = weight._data
    idx = asarray(input._data if isinstance(input, Tensor) else input)
    if idx.__class__ is not w.__class__:  # torch's error, never a copy
        check_same_device(w, idx)
    if w.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
                           f"got shape {w.shape}")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected integer indices (Long or Int), got dtype "
                           f"{idx.dtype}")
    n = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"embedding: index out of range in self (indices span "
                         f"[{idx.min()}, {idx.max()}], num_embeddings={n})")
    mask = None
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError(f"embedding: padding_idx {padding_idx} must be within "
                                 f"num_embeddings {n}")
        mask = (idx != padding_idx % n)[..., None].astype(w.dtype)
    if scale_grad_by_freq and idx.size:
        xpi = xp_of(idx)
        counts = xpi.bincount(idx.reshape(-1), minlength=n)
        inv = (1.0 / counts[idx])[..., None].astype(w.dtype)
        mask = inv if mask is None else mask * inv
    return unary(EmbeddingBackward, w[idx], weight, meta=(idx, w.shape, mask is not None),
                 cache=mask)
