"""``GroupNorm`` over the engine's fused group-norm primitive."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module, Parameter

__all__ = ["GroupNorm"]


class GroupNorm(Module):
    """(N, C, *) → same shape: each sample's C channels split into ``num_groups`` groups,
    each group normalised by its own mean and biased variance, then ``weight``·x̂ + ``bias``
    per channel (ones and zeros at init, as torch)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            dt = np.dtype(dtype or np.float32)
            self.weight = Parameter(np.ones(num_channels, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(num_channels, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.affine:
            self.weight._data[...] = 1
            if self.bias is not None:
                self.bias._data[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


# torch.nn.modules.normalization's other layers, under its path (defined with their kin)
from nn.modules.instancenorm import LocalResponseNorm, RMSNorm  # noqa: E402
from nn.modules.layernorm import LayerNorm  # noqa: E402

__all__ += ["LayerNorm", "LocalResponseNorm", "RMSNorm"]
