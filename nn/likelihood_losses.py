"""Negative log-likelihood losses of a Poisson and of a Gaussian with predicted variance
(``poisson_nll_loss``, ``gaussian_nll_loss``), composed from differentiable ops."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import xp_of
from autograd.tensor import Tensor
from nn.loss_reduction import _reduce, _reduction
from nn.margin_losses import _const_like, _host, _t

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """exp(x) − y·x (``log_input``: x is log λ) or x − y·log(x + eps) (x is λ); ``full``
    adds Stirling's approximation of log(y!), y·log y − y + ½ log(2πy), where y > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    y = _t(target, input)
    loss = ag.exp(input) - y * input if log_input else input - y * ag.log(input + eps)
    if full:
        stirling = y * ag.log(y) - y + 0.5 * ag.log(2 * math.pi * y)
        small = _const_like(np.array(np.broadcast_to(_host(y) <= 1, stirling.shape)), stirling)
        zeros = Tensor._const(xp_of(stirling._data).zeros(stirling.shape, dtype=stirling.dtype))
        loss = loss + ag.where(small, zeros, stirling)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """½(log max(var, eps) + (x − y)² / max(var, eps)) (+ ½ log 2π with ``full``). ``var``
    has the input's shape, or lacks its last dim, or has size 1 in one dim (shared
    variance), or is a float. The clamp at ``eps`` passes the gradient unchanged, as
    torch's (it clamps a copy without recording)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ag.ones_like(input) * var
    else:
        var = _t(var, input)
        if (_host(var) < 0).any():
            raise ValueError("var has negative entry/entries")
    vs, xs = tuple(var.shape), tuple(input.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = var.unsqueeze(-1)
        elif not (len(xs) == len(vs) and sum(v for x, v in zip(xs, vs) if x != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    held = var.detach()
    var = var + Tensor._const(held.clamp(min=eps)._data - held._data)
    loss = 0.5 * (ag.log(var) + (input - _t(target, input)) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
