"""``F.embedding_bag``: sums, means or maxima of bags of embedding rows without building
the (bag, length, D) lookup, as torch's: the rows are looked up once (``F.embedding``:
``max_norm`` renorming and ``scale_grad_by_freq`` included), then a constant (B, T)
matrix sums or averages them per bag (sum and mean), or a padded gather takes each
bag's maximum (max)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import asarray, xp_of
from autograd.tensor import Tensor

__all__ = ["embedding_bag"]


def _host(x: Any) -> np.ndarray:
    data = x._data if isinstance(x, Tensor) else np.asarray(x)
    return np.asarray(data.get() if hasattr(data, "get") else data)


def _bags(input: Any, offsets: Any, include_last_offset: bool,
          per_sample_weights: Any) -> tuple:
    """(flat indices, bag starts (B + 1,) ending at T, flat per-sample weights)."""
    idx = _host(input)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is "
                             f"treated is a mini-batch of fixed length sequences. However, "
                             f"found offsets of type {type(offsets).__name__}")
        starts = np.append(np.arange(idx.shape[0]) * idx.shape[1], idx.size)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return idx.reshape(-1), starts, per_sample_weights
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = _host(offsets)
    if off.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                           f"mini-batch has to start from position 0. However, got {off[0]}")
    if off.size and off[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size}, "
                           f"but got offsets[-1] of {off[-1]}")
    starts = off.astype(np.int64) if include_last_offset else np.append(off, idx.size)
    return idx, starts, per_sample_weights


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None,
                  max_norm: float | None = None, norm_type: float = 2.0,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """(B, D) bag reductions of ``weight`` (V, D) rows: ``input`` (B, N) — each row a bag —
    or 1-D indices split into bags at ``offsets`` (B,) (B + 1 with
    ``include_last_offset``). ``mode`` 'sum' (optionally ``per_sample_weights``-weighted),
    'mean' or 'max'; entries equal to ``padding_idx`` are left out; an empty bag gives 0."""
    from nn.functional import embedding  # nn.functional imports this module

    if per_sample_weights is not None and tuple(_host(input).shape) != tuple(
            per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}"
                         f") is not None, then it must have the same shape as the input "
                         f"({tuple(_host(input).shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    idx, starts, psw = _bags(input, offsets, include_last_offset, per_sample_weights)
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    n_bags, t = len(starts) - 1, idx.size
    bad = np.flatnonzero((idx < 0) | (idx >= weight.shape[0]))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in "
                           f"the valid range [0, {weight.shape[0]})")
    rows = embedding(ag.tensor(idx.astype(np.int64), device=weight.device), weight,
                     max_norm=max_norm, norm_type=norm_type)  # (T, D)
    if scale_grad_by_freq and t:
        rows = _scale_gradient(rows, _freq_scale(idx, weight.shape[0]))
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    keep = idx != padding_idx if padding_idx is not None else np.ones(t, dtype=bool)
    bag_of = np.searchsorted(starts, np.arange(t), side="right") - 1  # each entry's bag
    member = (bag_of[None, :] == np.arange(n_bags)[:, None]) & keep[None, :]  # (B, T)
    if mode == "max":
        return _bag_max(rows, member, weight)
    m = member.astype(weight.dtype)
    if mode == "mean":
        m /= np.maximum(m.sum(1, keepdims=True), 1)
    if psw is not None:
        rows = rows * psw.reshape(t, 1)
    return ag.matmul(Tensor._const(asarray(m) if weight._data.__class__ is np.ndarray
                                   else xp_of(weight._data).asarray(m)), rows)


def _freq_scale(idx: np.ndarray, num_weights: int) -> np.ndarray:
    """Each entry's gradient scale under ``scale_grad_by_freq``, as torch 2.13's CPU kernel
    (_embedding_bag_dense_backward_cpu_sum_mean) computes it: the i-th distinct index (in
    sorted order) is scaled by 1/count(sorted_indices[i]), the count of the value at sorted
    *position* i (which is 1/count of the index itself only when the counts before it are
    all 1)."""
    counts = np.bincount(idx, minlength=num_weights)
    ordered = np.sort(idx)
    uniques = np.unique(idx)
    group = np.searchsorted(uniques, idx)  # the rank of each entry's index among the distinct
    return 1.0 / counts[ordered[group]]


def _scale_gradient(x: Tensor, scale: np.ndarray) -> Tensor:
    """x unchanged (exactly: x − x.detach() is 0), its gradient multiplied by ``scale``
    per row."""
    s = Tensor._const(xp_of(x._data).asarray(scale.reshape(-1, 1).astype(x.dtype) - 1))
    return x + (x - x.detach()) * s


def _bag_max(rows: Tensor, member: np.ndarray, weight: Tensor) -> Tensor:
    """Each bag's elementwise maximum over its rows (the first maximum wins, as torch's
    kernel); an empty bag is 0."""
    n_bags, t = member.shape
    length = max(int(member.sum(1).max()) if n_bags and t else 0, 1)
    pos = np.zeros((n_bags, length), dtype=np.int64)
    valid = np.zeros((n_bags, length), dtype=bool)
    for b in range(n_bags):
        where = np.flatnonzero(member[b])
        pos[b, :where.size], valid[b, :where.size] = where, True
    d = weight.shape[1]
    if t == 0:
        return Tensor._const(xp_of(weight._data).zeros((n_bags, d), dtype=weight.dtype))
    gathered = rows[pos.reshape(-1)].reshape(n_bags, length, d)
    xp = xp_of(weight._data)
    fill = Tensor._const(xp.full((n_bags, length, d), -np.inf, dtype=weight.dtype))
    mask = Tensor._const(xp.asarray(np.broadcast_to(valid[:, :, None], (n_bags, length, d))))
    best = ag.where(mask, gathered, fill).max(1).values  # the gradient to the argmax
    empty = Tensor._const(xp.asarray(np.broadcast_to(~valid[:, :1], (n_bags, d))))
    return ag.where(empty, Tensor._const(xp.zeros((n_bags, d), dtype=weight.dtype)), best)
