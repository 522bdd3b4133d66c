"""``MaxUnpool1d``/``MaxUnpool2d``: put pooled maxima back where their indices say."""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor
from nn.modules.module import Module
from nn.unpool import _tuple, max_unpool1d, max_unpool2d

__all__ = ["MaxUnpool1d", "MaxUnpool2d"]


class _MaxUnpoolNd(Module):
    _n = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._n)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._n)
        self.padding = _tuple(padding, self._n)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """(N, C, L) maxima and their indices → (N, C, L_out), zeros elsewhere."""

    def forward(self, input: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        return max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """(N, C, H, W) maxima and their indices → (N, C, H_out, W_out), zeros elsewhere."""

    _n = 2

    def forward(self, input: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        return max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)
