"""``Flatten``: merge a range of dimensions (by default all but the batch dimension)."""

from __future__ import annotations

from autograd.tensor import Tensor
from nn.modules.module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """(N, d1, ..., dk) → (N, d1·...·dk) for the defaults; dims start_dim..end_dim merge."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
