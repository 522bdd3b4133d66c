"""Normalisations torch's ``nn.functional`` has beyond batch, layer and group norm:
``rms_norm``, ``instance_norm`` and ``local_response_norm``, composed from the engine's
differentiable ops (so each has first and second derivatives)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor

__all__ = ["rms_norm"]


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
