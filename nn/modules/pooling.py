"""``MaxPool2d`` and ``AvgPool2d`` over the engine's pooling primitives."""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module

__all__ = ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d"]


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        if ceil_mode:
            raise NotImplementedError("ceil_mode=True is not supported")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode


class MaxPool2d(_Pool2d):
    """(N, C, H, W) → (N, C, H_out, W_out): the max of each window, H_out =
    ⌊(H + 2p − k) / s⌋ + 1 (stride defaults to kernel_size; padding counts as −∞)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        if dilation not in (1, (1, 1)) or return_indices:
            raise NotImplementedError("MaxPool2d: dilation and return_indices are not "
                                      "supported")
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = dilation
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(_Pool2d):
    """(N, C, H, W) → (N, C, H_out, W_out): the mean of each window, padded zeros counted
    (torch's count_include_pad=True); H_out = ⌊(H + 2p − k) / s⌋ + 1."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        if not count_include_pad or divisor_override is not None:
            raise NotImplementedError("AvgPool2d: count_include_pad=False and "
                                      "divisor_override are not supported")
        super().__init__(kernel_size, stride, padding, ceil_mode)

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """(N, C, L) → (N, C, output_size): the mean of each adaptive bin
    [⌊i·L/out⌋, ⌈(i + 1)·L/out⌉)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """(N, C, H, W) → (N, C, H_out, W_out): the mean of each adaptive bin, per axis
    [⌊i·H/H_out⌋, ⌈(i + 1)·H/H_out⌉) (``None`` keeps that axis's size)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)
