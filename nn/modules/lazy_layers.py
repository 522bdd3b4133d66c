"""torch's lazy convolutions and norms: ``LazyConv1d/2d/3d``, ``LazyConvTranspose1d/2d/3d``
(in_channels from the first input's channel dim), ``LazyBatchNorm1d/2d/3d`` and
``LazyInstanceNorm1d/2d/3d`` (num_features likewise; the running statistics are lazy
too). Each is the plain layer plus :class:`~nn.modules.lazy.LazyModuleMixin`: placeholders
until the first forward or load_state_dict, then the plain constructor's shapes and
initialisation, and the module becomes the plain class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from nn.modules.conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from nn.modules.instancenorm import BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from nn.modules.lazy import LazyModuleMixin

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d",
           "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class _LazyConvMixin(LazyModuleMixin):
    """A convolution's weight and bias wait for in_channels (torch's ``_LazyConvXdMixin``);
    the constructor is the plain one without ``in_channels``."""

    _feature_attr = "in_channels"
    _n: int
    _transposed: bool
    out_channels: int
    groups: int
    kernel_size: tuple

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        # in_channels 0: the plain constructor checks the other arguments and draws nothing
        self.cls_to_become.__init__(self, 0, out_channels, kernel_size, stride, padding,
                                    dilation, groups, bias, padding_mode, None, dtype)
        self._make_lazy(["weight", "bias"] if bias else ["weight"], dtype=dtype, device=device)

    def _lazy_shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        out, g = self.out_channels, self.groups
        weight = (n, out // g) if self._transposed else (out, n // g)
        return {"weight": (*weight, *self.kernel_size), "bias": (out,)}

    def _features_from_input(self, input: Tensor) -> int:
        """C_in of (N, C_in, *spatial) or unbatched (C_in, *spatial)."""
        unbatched = self._n + 1
        if input.ndim not in (unbatched, unbatched + 1):
            raise RuntimeError(f"Expected {unbatched}D (unbatched) or {unbatched + 1}D "
                               f"(batched) input to {type(self).__name__}, but got input of "
                               f"size: {list(input.shape)}")
        n = int(input.shape[1] if input.ndim == unbatched + 1 else input.shape[0])
        if n % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        return n

    def _features_from_state(self, name: str, shape: tuple[int, ...]) -> int | None:
        if name != "weight" or len(shape) != self._n + 2:
            return None
        return shape[0] if self._transposed else shape[1] * self.groups


class _LazyConvTransposeMixin(_LazyConvMixin):
    """The transposed convolutions' argument order (output_padding, then dilation late)."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        self.cls_to_become.__init__(self, 0, out_channels, kernel_size, stride, padding,
                                    output_padding, groups, bias, dilation, padding_mode, None,
                                    dtype)
        self._make_lazy(["weight", "bias"] if bias else ["weight"], dtype=dtype, device=device)


class LazyConv1d(_LazyConvMixin, Conv1d):
    """Conv1d with in_channels from the first input: (N, C_in, L) or (C_in, L) →
    (N, C_out, L_out); weight (C_out, C_in/groups, k)."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """Conv2d with in_channels from the first input: (N, C_in, H, W) or (C_in, H, W) →
    (N, C_out, H_out, W_out); weight (C_out, C_in/groups, kh, kw)."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvMixin, Conv3d):
    """Conv3d with in_channels from the first input: (N, C_in, D, H, W) or unbatched →
    (N, C_out, D_out, H_out, W_out); weight (C_out, C_in/groups, kd, kh, kw)."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTransposeMixin, ConvTranspose1d):
    """ConvTranspose1d with in_channels from the first input: (N, C_in, L) or (C_in, L) →
    (N, C_out, L_out); weight (C_in, C_out/groups, k)."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeMixin, ConvTranspose2d):
    """ConvTranspose2d with in_channels from the first input: (N, C_in, H, W) or
    (C_in, H, W) → (N, C_out, H_out, W_out); weight (C_in, C_out/groups, kh, kw)."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeMixin, ConvTranspose3d):
    """ConvTranspose3d with in_channels from the first input: (N, C_in, D, H, W) or
    unbatched → (N, C_out, D_out, H_out, W_out); weight (C_in, C_out/groups, kd, kh, kw)."""

    cls_to_become = ConvTranspose3d


class _LazyNormMixin(LazyModuleMixin):
    """weight, bias, running_mean and running_var, each (C,), wait for num_features
    (torch's ``_LazyNormBase``, whose defaults, affine and track_running_stats True, the
    lazy instance norms share)."""

    _feature_attr = "num_features"

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        # the plain constructor without parameters or statistics, whose places (and
        # torch's state_dict order) the placeholders then take
        self.cls_to_become.__init__(self, 0, eps, momentum, False, False, None, dtype,
                                    bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        params = (["weight", "bias"] if bias else ["weight"]) if affine else []
        buffers = ["running_mean", "running_var"] if track_running_stats else []
        if track_running_stats:  # a count, whatever the size: not lazy, as torch's
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=np.int64))
        self._make_lazy(params, buffers, dtype, device)

    def _lazy_shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        return dict.fromkeys(("weight", "bias", "running_mean", "running_var"), (n,))

    def _features_from_state(self, name: str, shape: tuple[int, ...]) -> int | None:
        return shape[0] if len(shape) == 1 else None


class _LazyBatchNormMixin(_LazyNormMixin):
    _dims: tuple

    def _features_from_input(self, input: Tensor) -> int:
        """C of (N, C, *spatial); the plain layer's error for another rank, before any
        shape is fixed."""
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.ndim}D input of shape "
                             f"{tuple(input.shape)})")
        return int(input.shape[1])


class _LazyInstanceNormMixin(_LazyNormMixin):
    _no_batch_dim: int

    def _features_from_input(self, input: Tensor) -> int:
        """C of (N, C, *spatial) or unbatched (C, *spatial): torch's reads dim 1 even
        unbatched, and then refuses the input it was given."""
        nb = self._no_batch_dim
        if input.ndim not in (nb, nb + 1):
            raise ValueError(f"expected {nb}D or {nb + 1}D input (got {input.ndim}D input)")
        return int(input.shape[input.ndim - nb])


class LazyBatchNorm1d(_LazyBatchNormMixin, BatchNorm1d):
    """BatchNorm1d with num_features from the first input, (N, C) or (N, C, L)."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNormMixin, BatchNorm2d):
    """BatchNorm2d with num_features from the first input, (N, C, H, W)."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyBatchNormMixin, BatchNorm3d):
    """BatchNorm3d with num_features from the first input, (N, C, D, H, W)."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyInstanceNormMixin, InstanceNorm1d):
    """InstanceNorm1d with num_features from the first input, (N, C, L) or (C, L)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNormMixin, InstanceNorm2d):
    """InstanceNorm2d with num_features from the first input, (N, C, H, W) or (C, H, W)."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNormMixin, InstanceNorm3d):
    """InstanceNorm3d with num_features from the first input, (N, C, D, H, W) or
    unbatched."""

    cls_to_become = InstanceNorm3d
