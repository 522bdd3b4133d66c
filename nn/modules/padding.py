"""Padding layers on ``F.pad``: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``,
``ReplicationPad`` and ``CircularPad``, each 1d/2d/3d (pad the last 1, 2 or 3 axes).

``padding`` is an int (the same width on every side) or torch's tuple (left, right[, top,
bottom[, front, back]]), last axis first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd.tensor import Tensor
from nn.modules.module import Module
from nn.padding import pad

__all__ = [
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d",
]


def _widths(padding: Any, n: int) -> tuple:
    """torch's _ntuple(2n): an iterable as given, an int repeated."""
    if isinstance(padding, Iterable):
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    _n = 1  # spatial axes padded
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _widths(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with ``value``: (*, W) → (*, W + left + right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with ``value``: (*, H, W) → (*, H + top + bottom, W + l + r)."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with ``value``."""

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    """Pad the last axis with zeros."""


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    """Pad the last two axes with zeros."""

    _n = 2


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    """Pad the last three axes with zeros."""

    _n = 3


class ReflectionPad1d(_PadNd):
    """Mirror the last axis without repeating its edge (widths < the axis' size)."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirror the last two axes."""

    _n = 2


class ReflectionPad3d(ReflectionPad1d):
    """Mirror the last three axes."""

    _n = 3


class ReplicationPad1d(_PadNd):
    """Repeat the edge value of the last axis."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeat the edge values of the last two axes."""

    _n = 2


class ReplicationPad3d(ReplicationPad1d):
    """Repeat the edge values of the last three axes."""

    _n = 3


class CircularPad1d(_PadNd):
    """Wrap the last axis around (periodic padding); input (N, C, W) or (C, W)."""

    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self._n + 1, self._n + 2):
            raise ValueError(f"expected {self._n + 1}D or {self._n + 2}D input (got "
                             f"{input.ndim}D input)")
        return pad(input, self.padding, "circular")


class CircularPad2d(CircularPad1d):
    """Wrap the last two axes around; input (N, C, H, W) or (C, H, W)."""

    _n = 2


class CircularPad3d(CircularPad1d):
    """Wrap the last three axes around; input (N, C, D, H, W) or (C, D, H, W)."""

    _n = 3
