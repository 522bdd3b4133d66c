"""Norms and distances of ``nn.functional``: ``normalize``, ``cosine_similarity``,
``pairwise_distance`` (torch's signatures, defaults and clamping rules).

The p-norm ‖x‖_p = (Σ|x|ᵖ)^(1/p) is built from differentiable ops; the sum inside the
root is floored at the smallest normal float, so a zero vector has gradient 0 (torch's
masked norm backward) instead of 0·∞.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.tensor import Tensor

__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]


def _norm(x: Tensor, p: float, dim: Any, keepdim: bool) -> Tensor:
    """‖x‖_p along ``dim``: torch's vector_norm with its gradients (p = inf splits the
    gradient evenly between tied maxima; p < 1 gives 0, not NaN, at a zero element)."""
    if p == 2:
        s = (x * x).sum(dim, keepdim=keepdim)
        return ag.sqrt(ag.maximum(s, float(np.finfo(x.dtype).tiny)))
    return ag.linalg.vector_norm(x, p, dim, keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim`` (Lp normalisation; the clamp has gradient 0
    below eps, as torch's clamp_min)."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    return input / ag.clamp(_norm(input, p, dim, True), min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/‖x1‖)·(x2/‖x2‖) along ``dim`` (inputs broadcast), each norm clamped below at
    ``eps`` — torch's current formula: the clamp changes the value only (no gradient
    stop: the norm's own derivative is kept), and the result stays in [−1, 1]."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cosine_similarity", cosine_similarity, x1, x2, dim, eps)
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    a = x1 if tuple(x1.shape) == shape else x1.broadcast_to(shape)
    b = x2 if tuple(x2.shape) == shape else x2.broadcast_to(shape)
    return ((a / _clamped_norm(a, dim, eps)) * (b / _clamped_norm(b, dim, eps))).sum(dim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    n = _norm(x, 2, dim, True)
    nd = n._data
    # torch clamps the norm in place under no_grad: the value moves, the gradient does not
    return n + ag.tensor(np.maximum(nd, eps) - nd)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dim (inputs broadcast)."""
    return _norm(x1 - x2 + eps, p, -1, keepdim)
