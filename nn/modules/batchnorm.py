"""``BatchNorm1d`` and ``BatchNorm2d``: normalise each channel with batch statistics in
training (updating running estimates) and with the running estimates in eval."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.errors import ShapeError
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """y = (x − μ) / √(σ² + eps) · weight + bias per channel (dim 1). Training uses the
    batch's μ, σ² (biased) and updates running_mean/running_var (unbiased σ²) with
    ``momentum`` (None: cumulative average); eval uses the running values."""

    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = np.dtype(dtype or np.float32)
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dt))
            if bias:  # torch's bias=False: a learned scale and no shift
                self.bias = Parameter(np.zeros(self.num_features, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", ag.zeros(self.num_features, dtype=dt))
            self.register_buffer("running_var", ag.ones(self.num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None:
            self.to(device)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with ag.no_grad():
                self.running_mean[...] = 0
                self.running_var[...] = 1
                self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            with ag.no_grad():
                self.weight[...] = 1
                if self.bias is not None:
                    self.bias[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.ndim}D input of shape "
                             f"{tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            # torch: RuntimeError (running_mean should contain C elements); ShapeError is both
            raise ShapeError(f"{type(self).__name__}({self.num_features}) got input with "
                             f"{input.shape[1]} channels (shape {tuple(input.shape)})")
        factor = self._update_factor()
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def _update_factor(self) -> float:
        """The running statistics' update weight for this call: ``momentum``, or 1/n for a
        cumulative moving average (``momentum=None``); counts the batch when tracking."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with ag.no_grad():
                self.num_batches_tracked += 1
            if self.momentum is None:
                factor = 1.0 / int(self.num_batches_tracked.item())
        return factor

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs (statistics per channel C)."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs (statistics per channel C over N, H, W)."""

    _dims = (4,)
