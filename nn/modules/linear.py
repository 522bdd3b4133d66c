"""``Linear`` (the affine map y = x Wᵀ + b) and ``Identity``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.ops import linear
from autograd.tensor import Tensor
from nn import init
from nn.modules.module import Module, Parameter

__all__ = ["Identity", "Linear", "NonDynamicallyQuantizableLinear"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as torch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x Wᵀ + b for x of shape (..., in_features): weight (out_features, in_features),
    bias (out_features,), both initialised as torch (Kaiming-uniform with a = √5, i.e.
    U(−1/√in, 1/√in)). One fused graph node per call."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dt = np.dtype(dtype or np.float32)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        """torch's default: W ~ kaiming_uniform_(a=√5), b ~ U(−1/√fan_in, 1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        # Straight from the registry: self.weight would go through __getattr__, which
        # costs about as much as recording the op.
        params = self._parameters
        weight, bias = params.get("weight"), params.get("bias")
        if weight is None:  # replaced by a plain attribute (a reparametrisation)
            weight = self.weight
        if bias is None and "bias" not in params:
            bias = self.bias
        return linear(input, weight, bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")



class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for MultiheadAttention's ``out_proj`` (a Linear; it shows in reprs)."""


class Bilinear(Module):
    """y = x1ᵀ A x2 + b: x1 (*, in1), x2 (*, in2) → (*, out); weight (out, in1, in2) and bias
    ~ U(−1/√in1, 1/√in1), as torch."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        dt = np.dtype(dtype or np.float32)
        self.weight = Parameter(np.empty((self.out_features, self.in1_features,
                                          self.in2_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        from nn.activation_extras import bilinear  # nn.functional imports this module
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
