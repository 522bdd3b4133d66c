"""Channel-wise and SELU-preserving dropout (torch's ``feature_dropout`` and
``alpha_dropout`` families): ``dropout1d``/``2d``/``3d``, ``alpha_dropout`` and
``feature_alpha_dropout``. Each is the input times a constant mask (plus, for the alpha
forms, a constant shift), so its gradient is the mask, as torch's."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd.backend import asarray, xp_of
from autograd.random import device_generator
from autograd.tensor import Tensor

__all__ = ["alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]

# SELU's λ·α: alpha dropout sets a dropped unit to SELU's negative saturation value −λα
_ALPHA = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep(input: Tensor, shape: tuple, p: float) -> Any:
    """A Bernoulli(1 − p) 0/1 mask of ``shape`` in the input's dtype, on its device."""
    from nn import functional as F  # its generator, as F.dropout draws (a test replaces it)

    dt = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    if input._data.__class__ is np.ndarray:
        u = F.generator().random(shape, dtype=dt)
    else:  # drawn on the device by its generator (as torch: not the host's numbers)
        u = device_generator(input._data).random_sample(shape, dtype=dt)
    return (u >= p).astype(input.dtype)


def _dropout_impl(input: Tensor, p: float, training: bool, feature: bool,
                  alpha: bool) -> Tensor:
    """ATen's ``_dropout_impl``: the mask per element, or per (sample, channel) when
    ``feature`` (broadcast over the trailing dims); alpha: y = a·(x·m + λα(m − 1) + λαp)
    with a = 1/√((λα²p + 1)(1 − p)), else y = x·m/(1 − p)."""
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if p == 1.0:
        return input * xp_of(input._data).zeros(input.shape, dtype=input.dtype)
    if feature:
        if input.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    else:
        shape = tuple(input.shape)
    m = _keep(input, shape, p)
    if not alpha:
        m *= 1.0 / (1.0 - p)
        return input * m
    a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1.0) * (1.0 - p))
    b = (m - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    return input * (m * a) + Tensor._const(asarray(b))


def _nd_warning(name: str, n: int, ndim: int) -> None:
    warnings.warn(
        f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in "
        f"an error in a future release. To retain the behavior and silence this warning, "
        f"please use dropout instead. Note that {name} exists to provide channel-wise "
        f"dropout on inputs with {n} spatial dimensions, a channel dimension, and an optional "
        f"batch dimension (i.e. {n + 1}D or {n + 2}D inputs).", UserWarning, stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: (N, C, L) or (C, L), each channel with probability ``p``,
    survivors scaled by 1/(1 − p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            f"that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            f"dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            f"inputs).")
    if input.ndim == 2:
        return _dropout_impl(input.unsqueeze(0), p, training, True, False).squeeze(0)
    return _dropout_impl(input, p, training, True, False)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) (a 3-D input is read as (N, C, L), as torch,
    with a warning)."""
    _check_p(p)
    if input.ndim not in (3, 4):
        _nd_warning("dropout2d", 2, input.ndim)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=2)
    return _dropout_impl(input, p, training, True, False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W)."""
    _check_p(p)
    if input.ndim not in (4, 5):
        _nd_warning("dropout3d", 3, input.ndim)
    if input.ndim != 5:
        return _dropout_impl(input.unsqueeze(0), p, training, True, False).squeeze(0)
    return _dropout_impl(input, p, training, True, False)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (Klambauer et al., 2017, for SELU networks): dropped units take
    −λα, then an affine map restores zero mean and unit variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dim 1), as ``alpha_dropout`` per channel."""
    _check_p(p)
    return _dropout_impl(input, p, training, True, True)
