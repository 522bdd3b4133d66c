"""Pointwise losses of ``nn.functional`` beyond the seed set: ``l1_loss``,
``smooth_l1_loss``, ``huber_loss``, ``kl_div`` (torch's signatures, defaults, reductions).

Built from differentiable ops, so gradients w.r.t. input and target, first and second
order, come from the engine. The branch of each piecewise loss is a constant mask of
|input − target|, so each kink has torch's one-sided derivative.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.tensor import Tensor
from nn.loss_reduction import _as_target, _reduce, _reduce_weighted, _reduction, _weight

__all__ = ["huber_loss", "kl_div", "l1_loss", "smooth_l1_loss"]


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Any = None) -> Tensor:
    """|input − target| (times ``weight``), reduced (mean absolute error; with ``weight``,
    'mean' is Σ w·|d| / Σ w as torch's)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("l1_loss", l1_loss, input, target, size_average, reduce, reduction,
                            weight)
    reduction = _reduction(reduction, size_average, reduce)
    d = input - _as_target(target, input, "l1_loss")
    return _reduce_weighted(ag.abs(d), weight, input, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d²/β where |d| < β, else |d| − 0.5β  (d = input − target; β = 0: L1)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("smooth_l1_loss", smooth_l1_loss, input, target, size_average, reduce,
                            reduction, beta)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - _as_target(target, input, "smooth_l1_loss")
    ad = ag.abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    small = ad._data < beta
    return _reduce(ag.where(small, (0.5 / beta) * (d * d), ad - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Tensor:
    """0.5 d² where |d| < δ, else δ(|d| − 0.5δ)  (d = input − target; = δ · smooth_l1 with
    β = δ), times ``weight``, reduced."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("huber_loss", huber_loss, input, target, reduction, delta, weight)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = input - _as_target(target, input, "huber_loss")
    ad = ag.abs(d)
    small = ad._data < delta
    loss = ag.where(small, 0.5 * (d * d), delta * (ad - 0.5 * delta))
    return _reduce(_weight(loss, weight, input), reduction)  # torch: mean of w·ℓ here


_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def kl_div(input: Tensor, target: Any, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence with ``input`` = log q: pointwise
    t·(log t − input) (0 where t = 0), or with ``log_target`` e^t·(t − input).
    'batchmean' divides the sum by the batch size (the KL definition); 'mean' divides by
    the number of elements and warns, as torch."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("kl_div", kl_div, input, target, size_average, reduce, reduction,
                            log_target)
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn(_MEAN_WARNING, UserWarning, stacklevel=2)
    t = _as_target(target, input, "kl_div")
    if log_target:
        loss = ag.exp(t) * (t - input)
    else:
        # xlogy(t, t) − t·input: the log reads 1 where t = 0, so 0·log 0 counts as 0; a
        # negative target gives NaN, as torch's xlogy (not a finite number that hides it)
        zero = t._data == 0
        with np.errstate(invalid="ignore"):
            loss = t * ag.log(ag.where(zero, 1.0, t)) - t * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)
