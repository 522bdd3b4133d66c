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

from autograd.ops.unary import astype, clone
from autograd.tensor import Tensor


def _device_name(device: Any) -> str:
    return str(getattr(device, "type", device))


def _check_device(device: Any) -> None:
    name = _device_name(device)
    if name.split(":")[0] != "cpu":
        raise RuntimeError(f"to(): device {name!r} is not available: chainrule tensors live on "
                           "the CPU")


def _is_device(arg: Any) -> bool:
    return isinstance(arg, str) or (hasattr(arg, "type") and not isinstance(arg, type | np.dtype))


def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
       non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    """This tensor with another dtype: ``to(dtype)``, ``to(other)`` (other's dtype),
    ``to(device)``, ``to(device, dtype)``. Returns ``self`` when nothing changes and
    ``copy`` is False, as torch."""
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype = other.dtype
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
    if device is not None:
        _check_device(device)
    if dtype is None or np.dtype(dtype) == self._data.dtype:
        return clone(self) if copy else self
    return astype(self, np.dtype(dtype))


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
