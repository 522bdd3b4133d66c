"""``F.embedding_bag``: sums, means or maxima of bags of embeddings without building the
(bag, length, D) lookup, as torch's.

A 2-D ``input`` (B, N) is B bags of N indices; a 1-D ``input`` with ``offsets`` (B,) is
cut at the offsets (``include_last_offset``: B + 1 offsets, the last one the end).
Entries equal to ``padding_idx`` are left out of their bag (and of a mean's count); an
empty bag gives zeros. The rows are looked up once with ``F.embedding`` (so ``max_norm``
acts as torch's) and summed into their bags by a (B, L) matrix of 0/1 (times
``per_sample_weights`` in 'sum' mode), so the gradient is the engine's; only
``scale_grad_by_freq`` scales it by torch's embedding_bag kernel's own rule
(``_freq_scale``), which is not ``F.embedding``'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import asarray, to_host, xp_of
from autograd.ops.embedding import EmbeddingBackward
from autograd.ops.record import unary
from autograd.promotion import torch_name
from autograd.tensor import Tensor

__all__ = ["embedding_bag"]


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Any = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """(B, D) reductions of bags of rows of ``weight`` (V, D) ('sum', 'mean' or 'max')."""
    from nn.functional import embedding

    idx = input._data if isinstance(input, Tensor) else asarray(input)
    xp = xp_of(idx)
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != idx.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)})"
                         f" is not None, then it must have the same shape as the input "
                         f"({idx.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    psw = per_sample_weights
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        starts = xp.arange(0, idx.size, max(idx.shape[1], 1))[:idx.shape[0]]
        include_last_offset = False
        idx = idx.reshape(-1)
        psw = None if psw is None else psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = offsets._data if isinstance(offsets, Tensor) else asarray(offsets)
        if starts.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    # torch's kernel promotes indices and offsets to one type, which must be Long or Int
    floats = [d for d in (idx.dtype, starts.dtype) if d.kind not in "iub"]
    if floats:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch."
                           f"{torch_name(np.result_type(*floats))}Tensor instead (while "
                           f"checking arguments for embedding_bag)")
    starts = starts.astype(xp.int64)
    if starts.size and int(starts[0]) != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           "has to start from position 0. However, got "
                           f"{int(starts[0])}")
    if starts.size and int(starts[-1]) > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} "
                           f"but got offsets[-1] of {int(starts[-1])}")
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as "
                           f"tensor for argument #1 'per_sample_weights'; but type torch."
                           f"{torch_name(weight.dtype)}Tensor does not equal torch."
                           f"{torch_name(psw.dtype)}Tensor (while checking arguments for "
                           f"embedding_bag)")
    _check_indices(to_host(idx), weight, mode, padding_idx, max_norm)
    n_bags = starts.size - 1 if include_last_offset else starts.size
    # include_last_offset with an extra offset short of the input's length (torch documents
    # it equal): the last bag runs to the input's end, as torch 2.13's float64 kernels and
    # its float32 max kernel do; its float32 sum/mean kernels stop the sum at the offset
    # (mean still dividing by the count to the end) while their gradient reads
    # uninitialised memory, so they give no answer to follow
    ends = xp.concatenate([starts[1:n_bags], xp.asarray([idx.size], dtype=xp.int64)])
    ends = ends[:n_bags]
    pos = xp.arange(idx.size)
    member = (pos[None, :] >= starts[:n_bags, None]) & (pos[None, :] < ends[:, None])
    if padding_idx is not None:
        member &= idx[None, :] != (padding_idx % weight.shape[0])
    rows = embedding(Tensor._const(idx), weight, None, max_norm, norm_type)  # (L, D)
    if scale_grad_by_freq and idx.size:  # the same lookup, its gradient scaled as torch's
        scale = _freq_scale(to_host(idx), weight.shape[0]).astype(weight.dtype)[:, None]
        rows = unary(EmbeddingBackward, weight._data[idx], weight,
                     meta=(idx, weight._data.shape, True), cache=xp.asarray(scale))
    if mode == "max":
        # an empty bag is the sum of no rows: zeros that stay in the graph (its gradient 0),
        # so the output requires grad even when every bag is empty, as torch's
        outs = [rows[xp.nonzero(member[b])[0]].max(0)[0] if bool(member[b].any())
                else rows[:0].sum(0) for b in range(n_bags)]
        return ag.stack(outs, 0) if outs else rows[:0]
    if psw is not None:
        rows = rows * psw.reshape(-1, 1)
    m = member.astype(weight.dtype)
    if mode == "mean":
        m = m / xp.maximum(m.sum(1, keepdims=True), 1)
    return ag.matmul(Tensor._const(m), rows)


def _check_indices(idx: Any, weight: Tensor, mode: str, padding_idx: int | None,
                   max_norm: float | None) -> None:
    """torch 2.13's CPU errors for indices outside [0, V): with ``max_norm`` the renorm's
    ``select`` meets the first (sorted, distinct) one outside [−V, V) as an IndexError; then
    the float32 sum/mean kernel without ``padding_idx`` names the entry, every other kernel
    the value. Raised before anything (the renorm included) changes."""
    v = weight.shape[0]
    if max_norm is not None:
        far = [int(i) for i in np.unique(idx) if not -v <= i < v]
        if far:
            raise IndexError(f"select(): index {far[0]} out of range for tensor of size "
                             f"[{v}, {weight.shape[1]}] at dimension 0")
    bad = np.flatnonzero((idx < 0) | (idx >= v))
    if not bad.size:
        return
    if weight.dtype == np.float32 and mode != "max" and padding_idx is None:
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in "
                           f"the valid range [0, {v})")
    raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found "
                       f"idx to be {idx[bad[0]]}")


def _freq_scale(idx: np.ndarray, num_weights: int) -> np.ndarray:
    """Each entry's gradient scale under ``scale_grad_by_freq``, as torch 2.13's CPU kernel
    (_embedding_bag_dense_backward_cpu_sum_mean) computes it: the i-th distinct index (in
    sorted order) is scaled by 1/count(sorted_indices[i]) — the count of the value at sorted
    *position* i, which is 1/count of the index itself only when the counts before it are
    all 1 (so not F.embedding's 1/count)."""
    counts = np.bincount(idx, minlength=num_weights)
    rank = np.searchsorted(np.unique(idx), idx)  # each entry's rank among the distinct
    return 1.0 / counts[np.sort(idx)[rank]]

