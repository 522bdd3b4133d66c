"""Conversions and torch's NumPy-style argument names.

- ``t.to(dtype)``, ``t.to(other)`` (other's dtype), ``t.to("cpu")``, ``t.to(device, dtype)``,
  with ``copy=`` and ``non_blocking=`` (accepted); float-to-float conversions stay
  differentiable (``astype``), as torch's ``ToCopyBackward``;
- ``.int() .bool() .half() .short() .char() .byte()`` and ``.nelement()``;
- ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``: torch's argument parser takes
  them on every function with a ``dim``/``keepdim`` (``torch.sum(x, axis=1, keepdims=True)``),
  so the reductions, softmaxes and dim-taking shape ops accept them here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import backend
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.ops.unary import astype, clone
from autograd.tensor import Tensor


class ToDeviceBackward(Node):
    """y = x copied to another device;  dx = g copied back to x's device (torch's
    ``ToCopyBackward``)."""

    def vjp(self, g, xp):
        if xp.raw:
            return (backend.to(g, self.meta),)
        return (to(g, self.meta),)


def _is_device(arg: Any) -> bool:
    return isinstance(arg, str | backend.device) or (
        isinstance(arg, int) and not isinstance(arg, bool))


def _move(x: Tensor, device: Any) -> Tensor:
    """``x`` on ``device``, recorded (differentiable) when it moved."""
    out = backend.to(x._data, device)
    if out is x._data:
        return x
    return unary(ToDeviceBackward, out, x, meta=x.device)


def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
       non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    """This tensor with another dtype or on another device: ``to(dtype)``, ``to(other)``
    (other's dtype and device), ``to(device)``, ``to(device, dtype)``. Returns ``self``
    when nothing changes and ``copy`` is False, as torch; a move between devices is a
    copy, differentiable as torch's."""
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype, device = other.dtype, other.device
    elif rest and _is_device(rest[0]):
        device = rest.pop(0)
    if rest:
        dtype = rest.pop(0)
    if rest and isinstance(rest[0], bool):  # to(dtype, non_blocking, copy)
        rest.pop(0)
        if rest:
            copy = bool(rest.pop(0))
    if rest:
        raise TypeError(f"to() received an invalid combination of arguments: {args!r}")
    out = self
    if device is not None:
        out = _move(self, backend.as_device(device))
    if dtype is not None and np.dtype(dtype) != out._data.dtype:
        return astype(out, np.dtype(dtype))
    return clone(out) if copy and out is self else out


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    """This tensor on the GPU (``device``: an index or ``"cuda:i"``; the current one by
    default). RuntimeError saying how to get CuPy where there is none."""
    if device is None:
        device = "cuda"
    return _move(self, backend.as_device(device))


def cpu(self: Tensor) -> Tensor:
    """This tensor in host memory (``self`` when it is there already)."""
    return _move(self, backend.CPU)


def _cast(dtype: Any, name: str) -> Callable[[Tensor], Tensor]:
    def method(self: Tensor, memory_format: Any = None) -> Tensor:
        return astype(self, dtype)
    method.__name__ = name
    method.__doc__ = f"``self.to({np.dtype(dtype).name})``."
    return method


def nelement(self: Tensor) -> int:
    """The number of elements (``numel``)."""
    return self._data.size


CONVERSIONS = {
    "to": to, "int": _cast(np.int32, "int"), "bool": _cast(np.bool_, "bool"),
    "half": _cast(np.float16, "half"), "short": _cast(np.int16, "short"),
    "char": _cast(np.int8, "char"), "byte": _cast(np.uint8, "byte"), "nelement": nelement,
    "cuda": cuda, "cpu": cpu,
}


def numpy_names(fn: Callable) -> Callable:
    """``fn`` also taking ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` (as
    torch's argument parser does)."""

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if "axis" in kwargs:
                if "dim" in kwargs:
                    raise TypeError(f"{fn.__name__}() got both dim= and its alias axis=")
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                if "keepdim" in kwargs:
                    raise TypeError(f"{fn.__name__}() got both keepdim= and its alias keepdims=")
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return wrapped
