"""torch's remaining small ``nn.functional`` names: the in-place activations (``relu_``,
``elu_``, ``leaky_relu_``, ``hardtanh_``, ``selu_``, ``celu_``, ``threshold_``: the
``inplace=True`` forms, written through ``copy_``, so recorded and version-counted as
torch's; each computes from a clone, so the op's saved input is not the tensor the write
then changes), ``rrelu``/``rrelu_``, the
``*_with_indices`` pool aliases, the deprecated ``upsample*`` forms of interpolate,
``gumbel_softmax`` and ``pdist``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away
from autograd.ops import activations as A
from autograd.tensor import Tensor
from nn.feature_dropout import uniform01
from nn.resampling import adaptive_max_pool1d, adaptive_max_pool2d, interpolate

__all__ = [
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "celu_", "elu_",
    "gumbel_softmax", "hardtanh_", "leaky_relu_", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "pdist", "relu_", "rrelu", "rrelu_", "selu_", "threshold_",
    "upsample", "upsample_bilinear", "upsample_nearest",
]


def relu_(input: Tensor) -> Tensor:
    """relu, in place."""
    return input.copy_(ag.relu(input.clone()))


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """elu, in place."""
    return A.elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """leaky_relu, in place."""
    return input.copy_(ag.leaky_relu(input.clone(), negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """hardtanh, in place."""
    return A.hardtanh(input, min_val, max_val, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """selu, in place."""
    return A.selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """celu, in place."""
    return A.celu(input, alpha, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """threshold, in place."""
    return A.threshold(input, threshold, value, inplace=True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU (Xu et al. 2015): x where x ≥ 0, a·x below, a ~ U(lower,
    upper) per element in training and (lower + upper)/2 in eval."""
    if not training:
        out = ag.leaky_relu(input.clone() if inplace else input, (lower + upper) / 2)
    else:
        a = lower + (upper - lower) * uniform01(input, tuple(input.shape))
        xp = xp_of(input._data)
        out = input * xp.where(input._data >= 0, 1, a).astype(input.dtype)
    return input.copy_(out) if inplace else out


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """rrelu, in place."""
    return rrelu(input, lower, upper, training, inplace=True)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple:
    """max_pool1d returning (values, indices)."""
    from nn.pool1d import max_pool1d
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple:
    """max_pool2d returning (values, indices)."""
    from autograd.ops.pool import max_pool2d
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """adaptive_max_pool1d returning (values, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """adaptive_max_pool2d returning (values, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None,
             mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """Deprecated: interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g)/τ) with g ~ Gumbel(0, 1) (−log of Exp(1) draws); ``hard``:
    the one-hot of its argmax, with the soft sample's gradient (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    xp = xp_of(logits._data)
    e = -xp.log1p(-uniform01(logits, tuple(logits.shape)))  # Exp(1) draws
    y_soft = ag.softmax((logits - Tensor._const(xp.log(e).astype(logits.dtype))) / tau, dim)
    if not hard:
        return y_soft
    index = ag.tensor(xp.expand_dims(xp.argmax(y_soft._data, axis=dim), dim))
    y_hard = ag.zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """‖x_i − x_j‖_p for every row pair i < j of (N, M), in row-major order: (N(N−1)/2,)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("pdist", pdist, input, p)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    diff = input[i] - input[j]
    out = ag.linalg.vector_norm(diff, p, -1)
    return out + 0 * diff.sum(-1) if p == 0 else out  # torch: a zero gradient, not none
