"""``RMSNorm``: root-mean-square normalisation over the trailing dimensions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.tensor import Tensor
from nn import init
from nn.modules.module import Module, Parameter
from nn.norm_functions import rms_norm

__all__ = ["RMSNorm"]


class RMSNorm(Module):
    """y = x / √(mean(x²) + eps) · weight over the last len(normalized_shape) axes;
    weight (normalized_shape) = 1 initially; ``eps=None``: the input dtype's machine
    epsilon, as torch."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.empty(self.normalized_shape,
                                             dtype=np.dtype(dtype or np.float32)))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
