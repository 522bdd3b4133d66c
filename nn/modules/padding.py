"""torch's padding layers: ``ZeroPad``/``ConstantPad``/``ReflectionPad``/``ReplicationPad``/
``CircularPad`` in 1, 2 and 3 dimensions, each ``F.pad`` of its mode with a fixed
``padding`` (an int pads every side; a tuple is torch's (left, right, top, bottom, front,
back) order, used as given; negative entries crop).

The class tree is torch's: one ``_<Mode>PadNd`` base per mode, ``<Mode>Pad{1,2,3}d`` its
subclasses, and ``ZeroPad{k}d`` a subclass of ``ConstantPad{k}d`` (value 0.0, repr
without it). Only the constant layers hold a ``value``; none holds a parameter or buffer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                          "Circular") for n in (1, 2, 3)]


def _sides(padding: Any, n: int) -> tuple:
    """torch's _ntuple(2n): an iterable as given, anything else repeated 2n times."""
    if isinstance(padding, Iterable):
        return tuple(padding)
    return (padding,) * (2 * n)


class _ConstantPadNd(Module):
    dims = 1

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ModePadNd(Module):
    """The reflect/replicate/circular layers' common part: a padding, no value."""

    mode = "reflect"
    dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _sides(padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_ModePadNd):
    mode = "reflect"


class _ReplicationPadNd(_ModePadNd):
    mode = "replicate"


class _CircularPadNd(_ModePadNd):
    mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self.dims + 1, self.dims + 2):  # torch's _check_input_dim
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got "
                             f"{input.ndim}D input)")
        return F.pad(input, self.padding, "circular")


def _constant(name: str, dims: int) -> type:
    def __init__(self: Any, padding: Any, value: float) -> None:
        _ConstantPadNd.__init__(self, value)
        self.padding = _sides(padding, dims)

    return type(name, (_ConstantPadNd,), {
        "dims": dims, "__init__": __init__, "__module__": __name__,
        "__doc__": f"F.pad(x, padding, 'constant', value) over the last {dims} "
                   f"dimension(s)."})


def _zero(name: str, base: type) -> type:
    def __init__(self: Any, padding: Any) -> None:
        base.__init__(self, padding, 0.0)

    def extra_repr(self: Any) -> str:
        return f"{self.padding}"

    return type(name, (base,), {
        "__init__": __init__, "extra_repr": extra_repr, "__module__": __name__,
        "__doc__": f"{base.__name__} with value 0.0 (torch's subclass of it)."})


def _layer(name: str, base: type, dims: int) -> type:
    return type(name, (base,), {"dims": dims, "__module__": __name__,
                                "__doc__": f"F.pad(x, padding, {base.mode!r}) over the last "
                                           f"{dims} dimension(s)."})


ConstantPad1d = _constant("ConstantPad1d", 1)
ConstantPad2d = _constant("ConstantPad2d", 2)
ConstantPad3d = _constant("ConstantPad3d", 3)
ZeroPad1d = _zero("ZeroPad1d", ConstantPad1d)
ZeroPad2d = _zero("ZeroPad2d", ConstantPad2d)
ZeroPad3d = _zero("ZeroPad3d", ConstantPad3d)
ReflectionPad1d = _layer("ReflectionPad1d", _ReflectionPadNd, 1)
ReflectionPad2d = _layer("ReflectionPad2d", _ReflectionPadNd, 2)
ReflectionPad3d = _layer("ReflectionPad3d", _ReflectionPadNd, 3)
ReplicationPad1d = _layer("ReplicationPad1d", _ReplicationPadNd, 1)
ReplicationPad2d = _layer("ReplicationPad2d", _ReplicationPadNd, 2)
ReplicationPad3d = _layer("ReplicationPad3d", _ReplicationPadNd, 3)
CircularPad1d = _layer("CircularPad1d", _CircularPadNd, 1)
CircularPad2d = _layer("CircularPad2d", _CircularPadNd, 2)
CircularPad3d = _layer("CircularPad3d", _CircularPadNd, 3)
