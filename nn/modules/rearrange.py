"""Layers over ``nn/rearrange_functions.py``: ``PixelShuffle``, ``PixelUnshuffle``,
``ChannelShuffle``, ``Unfold``, ``Fold``, ``MaxUnpool1d``/``2d``, ``LPPool1d``/``2d``
(torch's constructors, defaults and reprs)."""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor
from nn import rearrange_functions as R
from nn.modules.module import Module

__all__ = ["ChannelShuffle", "Fold", "LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d",
           "MaxUnpool2d", "MaxUnpool3d", "PixelShuffle", "PixelUnshuffle", "Unfold"]


class PixelShuffle(Module):
    """(*, C·r², H, W) → (*, C, H·r, W·r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return R.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) → (*, C·r², H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return R.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return R.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class Unfold(Module):
    """Sliding local blocks: (N, C, H, W) → (N, C·kh·kw, L)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return R.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Blocks back into an image, overlaps summed: (N, C·kh·kw, L) → (N, C, H, W)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1,
                 padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return R.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


def _tuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, list | tuple) else (v,) * n


class _MaxUnpoolNd(Module):
    _n = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._n)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._n)
        self.padding = _tuple(padding, self._n)

    def forward(self, input: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        fn = {1: R.max_unpool1d, 2: R.max_unpool2d, 3: R.max_unpool3d}[self._n]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Values of (N, C, L) put back at their max_pool1d indices, zeros elsewhere."""

    _n = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Values of (N, C, H, W) put back at their max_pool2d indices, zeros elsewhere."""

    _n = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Values of (N, C, D, H, W) put back at their max_pool3d indices, zeros elsewhere."""

    _n = 3


class _LPPoolNd(Module):
    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling (Σ xᵖ)^(1/p) over windows of (N, C, L)."""

    def forward(self, input: Tensor) -> Tensor:
        return R.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride,
                           self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """Power-average pooling (Σ xᵖ)^(1/p) over windows of (N, C, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        return R.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride,
                           self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """Power-average pooling (Σ xᵖ)^(1/p) over windows of (N, C, D, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        from nn.pool3d import lp_pool3d

        return lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)
