"""``Flatten``: merge a range of dimensions (by default all but the batch dimension)."""

from __future__ import annotations

from autograd.tensor import Tensor
from nn.modules.module import Module

__all__ = ["Flatten", "Unflatten"]


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


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (its product must be that
    dimension's size; one entry may be -1)."""

    def __init__(self, dim: int | str, unflattened_size: tuple | list) -> None:
        super().__init__()
        if isinstance(dim, str):
            raise NotImplementedError("Unflatten: named dimensions are not supported")
        if not isinstance(unflattened_size, tuple | list) or not all(
                isinstance(v, int) for v in unflattened_size):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        d = self.dim % len(shape) if shape else 0
        return input.reshape(shape[:d] + tuple(self.unflattened_size) + shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
