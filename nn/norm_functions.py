"""``F.instance_norm``, ``F.local_response_norm`` and ``F.rms_norm`` (torch's definitions).

instance_norm is torch's: batch norm of the input viewed as (1, N·C, ...), so each
(sample, channel) is normalised over its own spatial positions; running statistics, when
given, are updated with the mean over the batch of each instance's (mean, unbiased var).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.ops.norm import batch_norm
from autograd.ops.pool import avg_pool2d
from autograd.tensor import Tensor
from nn.padding import pad

__all__ = ["instance_norm", "local_response_norm", "rms_norm"]


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x − μ_nc) / √(σ²_nc + eps) · weight_c + bias_c over each (n, c)'s spatial
    positions (N, C, *) (with ``use_input_stats=False``: the running statistics)."""
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *), got "
                         f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if use_input_stats and int(np.prod(input.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input "
                         f"size {list(input.shape)}")
    if input.numel() == 0:
        return _empty_instance_norm(input, running_mean, running_var, weight, bias,
                                    use_input_stats)
    rm = None if running_mean is None else Tensor._const(np.tile(running_mean._data, n))
    rv = None if running_var is None else Tensor._const(np.tile(running_var._data, n))
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    out = batch_norm(x, rm, rv, None, None, use_input_stats, momentum, eps)
    if use_input_stats:
        with ag.no_grad():
            for run, tiled in ((running_mean, rm), (running_var, rv)):
                if run is not None:
                    run[...] = tiled._data.reshape(n, c).mean(0).astype(run.dtype)
    out = out.reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _empty_instance_norm(input: Tensor, running_mean: Tensor | None,
                         running_var: Tensor | None, weight: Tensor | None,
                         bias: Tensor | None, use_input_stats: bool) -> Tensor:
    """torch's instance_norm of an empty input: an empty copy still in the graph; the running
    statistics become the mean over the batch of their N copies, which batch norm leaves as
    they were: NaN for N = 0, unchanged otherwise."""
    n, c = input.shape[:2]
    if use_input_stats and n == 0:
        with ag.no_grad():
            for run in (running_mean, running_var):
                if run is not None:
                    run[...] = np.full(run.shape, np.nan, dtype=run.dtype)
    out = input * 1
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """x / (k + α · mean of x² over ``size`` neighbouring channels)^β (LRN, Krizhevsky et
    al. 2012); the window is zero-padded, size//2 channels before and (size−1)//2 after,
    and always divides by ``size``, as torch's."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    n, c = input.shape[:2]
    sq = (input * input).reshape(n, 1, c, -1)  # channels as rows of a 2-D image
    sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(sq, (size, 1), stride=1).reshape(input.shape)
    return input / (div * alpha + k) ** beta


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x / √(mean(x²) + eps) · weight over the last len(normalized_shape) dims (RMSNorm,
    Zhang & Sennrich 2019); eps=None is the dtype's machine epsilon, as torch."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("rms_norm", rms_norm, input, normalized_shape, weight, eps)
    if not isinstance(normalized_shape, tuple | list):  # torch's binding takes no int
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    shape = tuple(int(d) for d in normalized_shape)
    if len(shape) > input.ndim:
        raise ValueError(f"Input tensor must have at least {len(shape)} dimensions, but got "
                         f"{input.ndim}")
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        want = ", ".join(str(d) for d in shape)
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{want}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ag.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight
