"""torch's channel-wise and self-normalising dropouts of ``nn.functional``: ``dropout1d``,
``dropout2d``, ``dropout3d`` (one draw per (sample, channel), the whole feature map kept
or zeroed), ``alpha_dropout`` and ``feature_alpha_dropout`` (SELU's dropout, Klambauer et
al. 2017: dropped units set to the negative saturation −α′, then an affine map a·x + b
that keeps zero mean and unit variance). Masks come from the engine's generator."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.random import device_generator
from autograd.tensor import Tensor

__all__ = ["alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]

_SELU_ALPHA = 1.7580993408473766  # −SELU's negative saturation value: scale · alpha


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def uniform01(input: Tensor, shape: tuple) -> Any:
    """U[0, 1) draws of ``shape`` where ``input`` lives (the host's from
    ``nn.functional.generator``, as F.dropout's; a device's from its own generator)."""
    from nn import functional  # its generator name is what tests patch

    dt = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    if input._data.__class__ is np.ndarray:
        return functional.generator().random(shape, dtype=dt)
    return device_generator(input._data).random_sample(shape, dtype=dt)


def _keep(input: Tensor, shape: tuple, p: float) -> Any:
    """Bernoulli(1 − p) draws of ``shape`` in the input's float dtype."""
    return (uniform01(input, shape) >= p).astype(input.dtype)


def _dropout(input: Tensor, p: float, training: bool, feature: bool, alpha: bool) -> Tensor:
    """torch's _dropout_impl: feature noise has shape (N, C, 1, ...)."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        return input * xp_of(input._data).zeros(input.shape, dtype=input.dtype)
    if feature and input.ndim < 2:  # torch's make_feature_noise, after the shortcuts
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else input.shape
    noise = _keep(input, shape, p)
    if not alpha:
        return input * (noise / (1.0 - p)).astype(input.dtype)
    a = 1.0 / math.sqrt((_SELU_ALPHA ** 2 * p + 1) * (1 - p))
    b = ((noise - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p).astype(input.dtype)
    return input * (noise * a).astype(input.dtype) + b


def _deprecated_dims(name: str, ndim: int, spatial: int) -> str:
    """torch's warning for a dropout2d/3d input of another number of dims."""
    return (f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will "
            f"result in an error in a future release. To retain the behavior and silence "
            f"this warning, please use dropout instead. Note that {name} exists to provide "
            f"channel-wise dropout on inputs with {spatial} spatial dimensions, a channel "
            f"dimension, and an optional batch dimension (i.e. {spatial + 1}D or "
            f"{spatial + 2}D inputs).")


def _unbatched(input: Tensor, batched_ndim: int, p: float, training: bool) -> Tensor:
    if input.ndim == batched_ndim:
        return _dropout(input, p, training, True, False)
    return _dropout(input.unsqueeze(0), p, training, True, False).squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p``, scale by
    1/(1 − p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           f"input. Note that dropout1d exists to provide channel-wise dropout "
                           f"on inputs with 1 spatial dimension, a channel dimension, and an "
                           f"optional batch dimension (i.e. 2D or 3D inputs).")
    return _unbatched(input, 3, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability ``p``, scale by 1/(1 − p).
    As torch, a 3-D input is read as (N, C, L) (1-D channel dropout), with a warning."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(_deprecated_dims("dropout2d", input.ndim, 2), stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=2)
    return _dropout(input, p, training, True, False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``, scale
    by 1/(1 − p)."""
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(_deprecated_dims("dropout3d", input.ndim, 3), stacklevel=2)
    return _unbatched(input, 5, p, training)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (elementwise): a·(x·keep − α′·(1 − keep)) + b with torch's a, b."""
    _check_p(p)
    return _dropout(input, p, training, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout with one draw per (sample, channel)."""
    _check_p(p)
    return _dropout(input, p, training, True, True)
