"""``LazyLinear``: a Linear whose ``in_features`` is taken from its first input. Until then
its weight and bias are empty placeholders (torch's UninitializedParameter); the first
forward (or a load_state_dict) gives them their shapes in place — the same Parameter
objects, so an optimizer built before sees them — initialises them as Linear, and the
module becomes a plain ``Linear`` (torch's ``cls_to_become``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.linear import Linear
from nn.modules.module import Parameter

__all__ = ["LazyLinear"]


class LazyLinear(Linear):
    """y = x Wᵀ + b with W (out_features, in_features) fixed by the first input's last dim."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self._lazy_dtype = np.dtype(dtype or np.float32)
        self.weight = Parameter(np.empty((0,), self._lazy_dtype))
        self.out_features = int(out_features)
        if bias:
            self.bias = Parameter(np.empty((0,), self._lazy_dtype))
        self._uninitialized = True
        if device is not None:
            self.to(device)

    def has_uninitialized_params(self) -> bool:
        return self.__dict__.get("_uninitialized", False)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def _materialize(self, in_features: int) -> None:
        device = self.weight.device
        dt = self.weight.dtype
        with ag.no_grad():
            self.in_features = int(in_features)
            self.weight.data = ag.zeros((self.out_features, self.in_features), dtype=dt,
                                        device=device)
            if self.bias is not None:
                self.bias.data = ag.zeros((self.out_features,), dtype=dt, device=device)
        self.__dict__["_uninitialized"] = False

    def initialize_parameters(self, input: Tensor) -> None:
        """Shape the parameters for ``input`` (…, in_features) and initialise them."""
        if self.has_uninitialized_params():
            self._materialize(input.shape[-1])
            self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        self.initialize_parameters(input)
        self.__class__ = self.cls_to_become
        return Linear.forward(self, input)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> Any:
        """Shapes the placeholders from ``state_dict['weight']`` first, as torch's lazy
        load hook does."""
        w = state_dict.get("weight") if isinstance(state_dict, Mapping) else None
        if self.has_uninitialized_params() and w is not None and len(np.shape(w)) == 2:
            self._materialize(np.shape(w)[1])
        return super().load_state_dict(state_dict, strict, assign)
