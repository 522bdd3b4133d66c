"""torch's padding layers: ``ZeroPad``/``ConstantPad``/``ReflectionPad``/``ReplicationPad``/
``CircularPad`` in 1, 2 and 3 dimensions, each ``F.pad`` of its mode with a fixed
``padding`` (an int pads every side; a tuple is torch's (left, right, top, bottom, front,
back) order; negative entries crop)."""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                          "Circular") for n in (1, 2, 3)]


def _sides(padding: Any, n: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    return tuple(padding)


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        self.padding = _sides(padding, self.dims)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        if self.mode == "circular" and input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got "
                             f"{input.ndim}D input)")
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


def _layer(name: str, base: type, mode: str, dims: int) -> type:
    return type(name, (base,), {"mode": mode, "dims": dims, "__module__": __name__,
                                "__doc__": f"F.pad(x, padding, {mode!r}) over the last "
                                           f"{dims} dimension(s)."})


ConstantPad1d = _layer("ConstantPad1d", _ConstantPadNd, "constant", 1)
ConstantPad2d = _layer("ConstantPad2d", _ConstantPadNd, "constant", 2)
ConstantPad3d = _layer("ConstantPad3d", _ConstantPadNd, "constant", 3)
ZeroPad1d = _layer("ZeroPad1d", _ZeroPadNd, "constant", 1)
ZeroPad2d = _layer("ZeroPad2d", _ZeroPadNd, "constant", 2)
ZeroPad3d = _layer("ZeroPad3d", _ZeroPadNd, "constant", 3)
ReflectionPad1d = _layer("ReflectionPad1d", _PadNd, "reflect", 1)
ReflectionPad2d = _layer("ReflectionPad2d", _PadNd, "reflect", 2)
ReflectionPad3d = _layer("ReflectionPad3d", _PadNd, "reflect", 3)
ReplicationPad1d = _layer("ReplicationPad1d", _PadNd, "replicate", 1)
ReplicationPad2d = _layer("ReplicationPad2d", _PadNd, "replicate", 2)
ReplicationPad3d = _layer("ReplicationPad3d", _PadNd, "replicate", 3)
CircularPad1d = _layer("CircularPad1d", _PadNd, "circular", 1)
CircularPad2d = _layer("CircularPad2d", _PadNd, "circular", 2)
CircularPad3d = _layer("CircularPad3d", _PadNd, "circular", 3)
