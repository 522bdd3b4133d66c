"""torch's embedding, margin and likelihood losses of ``nn.functional``:
``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``,
``multilabel_soft_margin_loss``, ``multi_margin_loss``, ``cosine_embedding_loss``,
``triplet_margin_loss``, ``triplet_margin_with_distance_loss``, ``multilabel_margin_loss``,
``poisson_nll_loss``, ``gaussian_nll_loss``.

Each is torch's formula (its ATen composite, term for term) built from differentiable ops,
so gradients, first and second order, come from the engine; a hinge's branch is a
constant mask of the data, so each kink has torch's one-sided derivative.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, xp_of
from autograd.graph import Away
from autograd.ops.activations import logsigmoid
from autograd.tensor import Tensor
from nn.distance_functions import pairwise_distance
from nn.loss_reduction import _reduce, _reduction

__all__ = [
    "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss",
    "margin_ranking_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "poisson_nll_loss", "soft_margin_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss",
]


def _t(x: Any, like: Tensor) -> Tensor:
    """``x`` as a Tensor (a Tensor stays in the graph), floats cast to ``like``'s dtype."""
    if isinstance(x, Tensor):
        return x
    a = asarray(x)
    return Tensor._const(a.astype(like.dtype) if a.dtype.kind in "biu" or a.dtype.kind == "f"
                         else a)


def _hinge(z: Tensor) -> Tensor:
    """max(z, 0) with torch's clamp_min gradient (1 where z ≥ 0)."""
    return ag.clamp(z, min=0)


def _check_matrix(input: Tensor) -> None:
    """torch's multi(label)_margin_loss input check: a 0-d, a non-empty vector, or (N, C)
    with C > 0."""
    if input.ndim > 2 or (input.ndim >= 1 and input.shape[-1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")


def _long_target(target: Any) -> Any:
    """The class-index target as an int64 array (torch takes int64 only)."""
    t = target._data if isinstance(target, Tensor) else asarray(target)
    if t.dtype.kind not in "iu":
        names = {"f": "Float" if t.dtype.itemsize == 4 else "Double", "b": "Bool"}
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{names.get(t.dtype.kind, str(t.dtype))}")
    return t.astype(xp_of(t).int64)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, −y·(x1 − x2) + margin), y = ±1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("margin_ranking_loss", margin_ranking_loss, input1, input2, target,
                            margin, size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input1)
    if not input1.ndim == input2.ndim == y.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {tuple(input1.shape)}, input2: "
                           f"{tuple(input2.shape)}, target: {tuple(y.shape)} ")
    return _reduce(_hinge(-y * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1 (both terms where y is neither)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("hinge_embedding_loss", hinge_embedding_loss, input, target, margin,
                            size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)._data
    out = ag.where(y != 1, _hinge(margin - input), 0.0) + ag.where(y != -1, input, 0.0)
    return _reduce(out, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(−y·x)) (torch's log1p(exp(·)), so it overflows where torch's does)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("soft_margin_loss", soft_margin_loss, input, target, size_average,
                            reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    if isinstance(target, Tensor) and target.requires_grad and ag.is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    return _reduce(ag.log1p(ag.exp(-input * _t(target, input))), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Any = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """−(y·log σ(x) + (1 − y)·log σ(−x)) (times ``weight``), averaged over the classes
    (the last dim): one value per sample, then reduced."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)
    loss = -(y * logsigmoid(input) + (1 - y) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _t(weight, input)
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Σ_{j≠y} max(0, margin − x_y + x_j)^p / C per sample (times weight[y]), p ∈ {1, 2}."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("multi_margin_loss", multi_margin_loss, input, target, p, margin,
                            weight, size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    w = None if weight is None else _t(weight, input)
    if w is not None and w.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _check_matrix(input)
    c = input.shape[-1] if input.ndim else 1
    x = input.reshape(-1, c)
    t = _long_target(target)
    if t.ndim > 1 or t.size != x.shape[0]:
        raise RuntimeError(
            f"multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{x.shape[0]}], but got "
            f"{list(t.shape)}. Input has shape {list(input.shape)}.")
    out_shape = t.shape  # torch's reduction='none' output takes the target's shape
    xp = xp_of(t)
    t = t.reshape(-1)
    n = x.shape[0]
    if t.size and (int(t.min()) < 0 or int(t.max()) >= c):
        raise RuntimeError("target out of range")
    rows = xp.arange(n)
    z = margin - x[rows, t].unsqueeze(1) + x
    on = (z._data > 0) & (xp.arange(c)[None, :] != t[:, None])
    h = ag.where(on, z if p == 1 else z * z, 0.0)
    if w is not None:
        h = h * w[t].unsqueeze(1)
    loss = h.sum(1) / c
    return _reduce(loss.reshape(out_shape), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1; cos over
    the feature dim with torch's 1e-12 added to each squared norm."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cosine_embedding_loss", cosine_embedding_loss, input1, input2, target,
                            margin, size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input1)._data
    if y.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if not input1.ndim == input2.ndim == y.ndim + 1:
        raise RuntimeError(f"{y.ndim}D target tensor expects {y.ndim + 1}D input tensors, but "
                           f"found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    d = input1.ndim - 1
    prod = (input1 * input2).sum(d)
    mag1 = (input1 * input1).sum(d) + 1e-12
    mag2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / ag.sqrt(mag1 * mag2)
    out = ag.where(y == 1, 1 - cos, 0.0) + ag.where(y == -1, _hinge(cos - margin), 0.0)
    return _reduce(out, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)), d = pairwise_distance (p, eps); with ``swap``
    d(a, n) is min(d(a, n), d(p, n))."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("triplet_margin_loss", triplet_margin_loss, anchor, positive, negative,
                            margin, p, eps, swap, size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(_hinge(margin + d_pos - d_neg), reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """exp(x) − y·x (``log_input``) or x − y·log(x + eps); ``full`` adds Stirling's
    y·log y − y + ½·log(2πy) where y > 1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("poisson_nll_loss", poisson_nll_loss, input, target, log_input, full,
                            size_average, eps, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)
    loss = ag.exp(input) - y * input if log_input else input - y * ag.log(input + eps)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = y * ag.log(y) - y + 0.5 * ag.log(2 * math.pi * y)
        loss = loss + ag.where(y._data <= 1, 0.0, stirling)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """½·(log v + (x − y)²/v) (+ ½·log 2π with ``full``), v = var clamped below at eps
    (torch clamps under no_grad: the value moves, the gradient is var's own). ``var`` of
    input's shape, one dim short, or broadcastable with one mismatched dim."""
    if isinstance(var, float | int) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = Tensor._const(np.full(input.shape, float(var), dtype=input.dtype))
    else:
        v = _t(var, input)
        if (v._data < 0).any():
            raise ValueError("var has negative entry/entries")
    if v.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (input.ndim == v.ndim and sum(
                b for a, b in zip(input.shape, v.shape) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    vd = v._data
    v = v + Tensor._const(np.maximum(vd, eps) - vd)
    loss = 0.5 * (ag.log(v) + (input - _t(target, input)) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """triplet_margin_loss with any ``distance_function(x, y)`` (default
    pairwise_distance): max(0, margin + d(a, p) − d(a, n))."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    d = pairwise_distance if distance_function is None else distance_function
    d_pos = d(anchor, positive)
    d_neg = d(anchor, negative)
    if swap:
        d_neg = ag.minimum(d_neg, d(positive, negative))
    return _reduce(_hinge(margin + d_pos - d_neg), reduction)


def multilabel_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Σ_j Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)) / C per sample, j over the target
    classes: each row of ``target`` lists class indices up to its first −1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("multilabel_margin_loss", multilabel_margin_loss, input, target,
                            size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    _check_matrix(input)
    c = input.shape[-1] if input.ndim else 1
    x = input.reshape(-1, c)
    t = _long_target(target)
    fits = t.ndim <= 1 and t.size == c if input.ndim <= 1 else t.shape == input.shape
    if not fits:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(input.shape)}")
    xp = xp_of(t)
    t = t.reshape(x.shape)
    n = x.shape[0]
    if t.size and (int(t.min()) < -1 or int(t.max()) >= c):  # torch checks every entry
        raise RuntimeError("argument #2 'target' is out of range")
    valid = xp.cumprod(t >= 0, axis=1).astype(bool)  # entries before the first −1
    counts = xp.zeros((n, c), dtype=x.dtype)  # how often each class is listed
    rows = xp.broadcast_to(xp.arange(n)[:, None], t.shape)
    xp.add.at(counts, (rows[valid], t[valid]), 1)
    z = 1 - x.unsqueeze(2) + x.unsqueeze(1)  # z[n, j, i] = 1 − x_j + x_i
    on = (z._data > 0) & (counts[:, None, :] == 0)
    loss = (ag.where(on, z, 0.0) * Tensor._const(counts[:, :, None])).sum((1, 2)) / c
    if input.ndim <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)
