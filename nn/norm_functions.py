"""Normalisations torch's ``nn.functional`` has beyond batch, layer and group norm:
``rms_norm``, ``instance_norm`` and ``local_response_norm``, composed from the engine's
differentiable ops (so each has first and second derivatives)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.ops.norm import batch_norm
from autograd.tensor import Tensor

__all__ = ["instance_norm", "local_response_norm", "rms_norm"]


def _shape_tuple(normalized_shape: Any, op: str) -> tuple:
    if not isinstance(normalized_shape, (tuple, list)):  # torch's functional takes no int
        raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square layer normalisation (Zhang & Sennrich, 2019) over the trailing
    ``normalized_shape`` axes: y = x / √(mean(x²) + eps) · weight. ``eps=None`` is the
    machine epsilon of the input's dtype (torch's default)."""
    shape = _shape_tuple(normalized_shape, "rms_norm")
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: weight of shape {list(weight.shape)} does not match "
                           f"normalized_shape={list(shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps) if np.issubdtype(input.dtype, np.floating) \
            else float(np.finfo(np.float32).eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    out = input * ag.rsqrt((input * input).mean(dim=axes, keepdim=True) + eps)
    return out if weight is None else out * weight


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation (Ulyanov et al., 2016): each (sample, channel) of (N, C, *)
    normalised over its own spatial axes, y = (x − μ) / √(σ² + eps) · weight + bias
    (biased σ²), as torch: batch norm of the (1, N·C, *) view. With ``running_mean``/
    ``running_var`` and ``use_input_stats``, each instance updates a copy of the running
    statistics (momentum, unbiased σ²) and the running values become the copies' mean over
    N; without ``use_input_stats`` the running values normalise."""
    if input.ndim < 2:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *), got "
                         f"{list(input.shape)}")
    if use_input_stats and int(np.prod(input.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input "
                         f"size {list(input.shape)}")
    n, c = input.shape[:2]
    if input.numel() == 0:  # torch: an empty batch normalises to an empty output
        return input * 1
    x = input.reshape(1, n * c, *input.shape[2:])
    rm = None if running_mean is None else running_mean.detach().repeat(n)
    rv = None if running_var is None else running_var.detach().repeat(n)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    with ag.no_grad():
        if running_mean is not None and use_input_stats:
            running_mean[...] = rm.reshape(n, c).mean(0)
        if running_var is not None and use_input_stats:
            running_var[...] = rv.reshape(n, c).mean(0)
    return out.reshape(input.shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (Krizhevsky et al., 2012):
    y_c = x_c / (k + α/n · Σ_{c'} x_{c'}²)^β, the sum over the n = ``size`` channels
    c − ⌊n/2⌋ … c + ⌈n/2⌉ − 1 (zeros beyond the edges; α/n as torch's average pool)."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    size = int(size)
    sq = (input * input).transpose(1, -1)  # channels last: the window slides along it
    sq = ag.pad(sq, [(0, 0)] * (sq.ndim - 1) + [(size // 2, (size - 1) // 2)])
    c = input.shape[1]
    window = sq[..., 0:c]
    for j in range(1, size):
        window = window + sq[..., j:j + c]
    div = (window.transpose(1, -1) * (alpha / size) + k) ** beta
    return input / div
