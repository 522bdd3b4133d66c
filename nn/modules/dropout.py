"""``Dropout``: inverted dropout in training mode, the identity in eval mode."""

from __future__ import annotations

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """In training, zero each element with probability ``p`` (mask drawn from
    ``autograd.random.generator()``) and scale survivors by 1/(1 − p); in eval, identity."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
