"""torch's margin and embedding losses, composed from differentiable ops (so each has first
and second derivatives): ranking, hinge and cosine embedding, soft margin (one- and
multi-label), multi-class and multi-label margin, and the triplet losses.

Each takes torch's ``reduction`` ('mean' | 'sum' | 'none', with the deprecated
``size_average``/``reduce`` flags). Where torch clamps with ``clamp_min`` the gradient at
the hinge (exactly 0) passes, as torch's; the multi-class margin losses count only z > 0,
as torch's kernels do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import asarray, xp_of
from autograd.backend import to as to_device
from autograd.ops.activations import logsigmoid
from autograd.tensor import Tensor
from nn.distance_functions import pairwise_distance
from nn.loss_reduction import _reduce, _reduction

__all__ = [
    "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
    "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
]


def _t(x: Any, like: Tensor | None = None) -> Tensor:
    """A Tensor as given, or an array/number as a constant (in ``like``'s float dtype, on
    its device)."""
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    if like is None:
        return Tensor._const(asarray(a))
    return _const_like(a.astype(like.dtype) if a.dtype.kind in "biuf" else a, like)


def _const_like(a: np.ndarray, like: Tensor) -> Tensor:
    """A host array as a constant on ``like``'s device."""
    return Tensor._const(to_device(asarray(a), like.device))


def _host(x: Any) -> np.ndarray:
    data = x._data if isinstance(x, Tensor) else np.asarray(x)
    return np.asarray(data.get() if hasattr(data, "get") else data)


def _where(mask: np.ndarray, a: Tensor, like: Tensor) -> Tensor:
    """a where ``mask`` (a constant), else 0, as torch's where(mask, a, zeros)."""
    zeros = Tensor._const(xp_of(like._data).zeros(like.shape, dtype=like.dtype))
    return ag.where(_const_like(np.array(mask), like), a, zeros)  # (0-d stays 0-d)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, −y·(x1 − x2) + margin), y ∈ {1, −1} saying which input should rank higher."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input1)
    if input1.ndim != input2.ndim or input1.ndim != y.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {tuple(input1.shape)}, input2: "
                           f"{tuple(input2.shape)}, target: {tuple(y.shape)} ")
    return _reduce((-y * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1 (x typically a distance)."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _host(target)
    try:
        y = np.broadcast_to(y, input.shape)
    except ValueError:
        raise RuntimeError(f"hinge_embedding_loss: target of shape {list(y.shape)} does not "
                           f"broadcast to input of shape {list(input.shape)}") from None
    hinge = (margin - input).clamp(min=0)
    loss = _where(y != 1, hinge, hinge) + _where(y != -1, input, input)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1; inputs
    (N, D) with target (N,), or (D,) with a 0-d target; cos = x1·x2 / √((|x1|² + ε)(|x2|² + ε)),
    ε = 1e-12, as torch."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _host(target)
    if y.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if y.ndim == 1 else 1
    if input1.ndim != want or input2.ndim != want:
        raise RuntimeError(f"{y.ndim}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    d = y.ndim
    prod = (input1 * input2).sum(d)
    mag1 = (input1 * input1).sum(d) + 1e-12
    mag2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    pos, neg = 1 - cos, (cos - margin).clamp(min=0)
    y = np.broadcast_to(y, cos.shape)
    return _reduce(_where(y == 1, pos, cos) + _where(y == -1, neg, cos), reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Two-class logistic loss log(1 + exp(−y·x)), y ∈ {1, −1}."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)
    if y.requires_grad and ag.is_grad_enabled():  # torch's kernel has no target derivative
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    return _reduce(ag.log1p(ag.exp(-input * y)), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Any = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """−mean_c w_c·(y_c log σ(x_c) + (1 − y_c) log σ(−x_c)) per sample of (N, C), y ∈ {0, 1}."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)
    loss = -(y * logsigmoid(input) + (1 - y) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _t(weight, input)
    c = input.shape[input.ndim - 1]
    return _reduce(loss.sum(input.ndim - 1) / c, reduction)


def _class_targets(input: Tensor, target: Any, name: str) -> tuple:
    """(input as (N, C), int targets (N,), whether the input was a vector)."""
    if input.ndim > 2 or input.numel() == 0 and input.ndim != 2:
        raise RuntimeError(f"{name}: Expected non-empty vector or matrix with optional 0-dim "
                           f"batch size, but got: {list(input.shape)}")
    vector = input.ndim <= 1
    x = input.reshape(1, -1) if vector else input
    t = _host(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected target of dtype int64, got {t.dtype}")
    if t.ndim > 1 or t.size != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got "
                           f"{list(t.shape)}")
    t = t.reshape(-1).astype(np.int64)
    if ((t < 0) | (t >= x.shape[1])).any():
        raise RuntimeError(f"{name}: target out of range (targets {t.tolist()}, "
                           f"{x.shape[1]} classes)")
    return x, t, vector


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge: Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C per sample, p ∈ {1, 2}."""
    reduction = _reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and _t(weight).ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, t, _ = _class_targets(input, target, "multi_margin_loss")
    n, c = x.shape
    rows = np.arange(n)
    z = margin - x[rows, t].reshape(n, 1) + x
    other = np.ones((n, c), dtype=bool)
    other[rows, t] = False
    h = _where(other & (_host(z) > 0), z, z)  # torch's kernel: only z > 0 counts
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * _t(weight, input)[t].reshape(n, 1)
    return _reduce(h.sum(1) / c, reduction)  # (1,) for a vector input, as torch


def multilabel_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)) / C per sample; ``target``
    (N, C) int64 holds each sample's classes, ended by the first −1."""
    reduction = _reduction(reduction, size_average, reduce)
    if input.ndim > 2:
        raise RuntimeError(f"multilabel_margin_loss: Expected non-empty vector or matrix with "
                           f"optional 0-dim batch size, but got: {list(input.shape)}")
    vector = input.ndim <= 1
    x = input.reshape(1, -1) if vector else input
    t = _host(target).reshape(x.shape) if _host(target).size == x.numel() else None
    if t is None:
        raise RuntimeError(f"inconsistent target size: {list(_host(target).shape)} for input "
                           f"of size: {list(input.shape)}")
    n, c = x.shape
    count = np.zeros((n, c))
    for i in range(n):
        for j in t[i]:
            if j < 0:
                break
            if j >= c:
                raise RuntimeError(f"multilabel_margin_loss: target index {j} out of range "
                                   f"for {c} classes")
            count[i, j] += 1  # torch's kernel counts a repeated class again
    is_target = count > 0
    z = 1 - x.reshape(n, c, 1) + x.reshape(n, 1, c)  # z[n, j, i] = 1 − x_j + x_i
    keep = (count[:, :, None] > 0) & ~is_target[:, None, :] & (_host(z) > 0)
    h = _where(keep, z, z) * _const_like(count[:, :, None].astype(x.dtype), x)
    loss = h.sum((1, 2)) / c
    return _reduce(loss.reshape(()) if vector else loss, reduction)


def _check_triplet(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float) -> None:
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)), d the p-norm pairwise distance (+eps);
    ``swap``: d(a, n) ← min(d(a, n), d(p, n)) (Balntas et al., 2016)."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_triplet(anchor, positive, negative, margin)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """The triplet loss with any distance (default: the Euclidean pairwise distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_triplet(anchor, positive, negative, margin)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = ag.minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)
