"""Batch normalisation as one fused primitive (forward and the standard fused backward).

Channel axis 1; statistics over every other axis (N for (N, C), N and L for (N, C, L),
N, H, W for (N, C, H, W)). M is the number of values per channel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import check_same_device
from autograd.errors import ShapeError
from autograd.graph import Node
from autograd.ops.record import check_tensor_args, nary
from autograd.ops.summation import mean_array
from autograd.tensor import Tensor, _bump_version


class BatchNormBackward(Node):
    """y = x̂·w + b,  x̂ = (x − μ)·σ⁻¹,  σ⁻¹ = (var + eps)^(−½)  (per channel).
    Training (μ, var of the batch, biased): dx = (w·σ⁻¹/M)·(M·g − Σg − x̂·Σ(g·x̂));
    eval (running μ, var: constants): dx = g·w·σ⁻¹.  dw = Σ g·x̂,  db = Σ g."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        axes, bshape, m, training, eps = self.meta
        ex, ew, eb = self.edges
        if training and not xp.raw:
            # Under create_graph the statistics must be functions of x, or the second
            # derivative would miss their dependence on it.
            mean = xp.mean(x, axes, True)
            xc = x - mean
            invstd = (xp.mean(xc * xc, axes, True) + eps) ** -0.5
        else:
            mean, invstd = self.cached()  # batch stats (fast path) or the running ones (eval)
        xhat = (x - mean) * invstd
        gx = gw = gb = None
        need_gxh = ew is not None or (training and ex is not None)
        gxh = g * xhat if need_gxh else None
        if ew is not None:
            gw = xp.sum(gxh, axes, False)
        if eb is not None:
            gb = xp.sum(g, axes, False)
        if ex is not None:
            scale = invstd if w is None else xp.reshape(w, bshape) * invstd
            if training:
                sg = xp.sum(g, axes, True)
                sgx = xp.sum(gxh, axes, True)
                gx = (scale * (1.0 / m)) * (m * g - sg - xhat * sgx)
            else:
                gx = g * scale
        return gx, gw, gb


def _check_vec(t: Any, c: int, name: str, shape: tuple) -> None:
    if t is not None and tuple(t._data.shape) != (c,):
        raise ShapeError(f"batch_norm: {name} of shape {tuple(t._data.shape)} does not fit an "
                         f"input of shape {shape} with {c} channels (need ({c},))")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch norm over channel axis 1 of (N, C), (N, C, L) or (N, C, H, W), as torch.

    Training: normalise with the batch mean and biased variance, and update the running
    statistics in place (when given): r ← (1 − momentum)·r + momentum·stat, the variance
    entering unbiased (·M/(M − 1)). Eval: normalise with the running statistics.
    """
    check_tensor_args("batch_norm", ("input", input, False), ("running_mean", running_mean, True),
                      ("running_var", running_var, True), ("weight", weight, True),
                      ("bias", bias, True))
    x = input._data
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C), (N, C, L) or "
                         f"(N, C, H, W), got input of shape {x.shape}")
    c = x.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_vec(t, c, name, x.shape)
    cls = x.__class__
    if any(t is not None and t._data.__class__ is not cls
           for t in (running_mean, running_var, weight, bias)):  # torch's error, not a copy
        check_same_device(x, *(None if t is None else t._data
                               for t in (running_mean, running_var, weight, bias)))
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, c) + (1,) * (x.ndim - 2)
    m = x.size // c if c else 0
    if training:
        if m <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        # float64 accumulation where NumPy would add many rows one at a time (summation.py)
        mean = mean_array(x, axes, True)
        xc = x - mean
        var = mean_array(np.square(xc), axes, True)  # biased: what normalises
        invstd = 1.0 / np.sqrt(var + eps)
        xhat = xc
        xhat *= invstd
        if running_mean is not None:
            r = running_mean._data
            r *= 1.0 - momentum
            r += (momentum * mean.reshape(c)).astype(r.dtype, copy=False)
            _bump_version(running_mean)
        if running_var is not None:
            r = running_var._data
            r *= 1.0 - momentum
            r += (momentum * m / (m - 1) * var.reshape(c)).astype(r.dtype, copy=False)
            _bump_version(running_var)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var are required when "
                             "training=False")
        mean = running_mean._data.reshape(bshape).astype(x.dtype, copy=False)
        invstd = (1.0 / np.sqrt(running_var._data + eps)).reshape(bshape).astype(x.dtype,
                                                                                 copy=False)
        xhat = (x - mean) * invstd
    out = xhat
    if weight is not None:
        out *= weight._data.reshape(bshape)
    if bias is not None:
        out += bias._data.reshape(bshape)
    return nary(BatchNormBackward, out, (input, weight, bias), saved=(input, weight),
                meta=(axes, bshape, m, bool(training), eps), cache=(mean, invstd))
