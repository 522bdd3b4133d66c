"""What programs ask about dtypes, as torch: ``finfo``, ``iinfo``, ``is_complex``,
``promote_types``, ``can_cast`` and the ``dtype`` type.

chainrule's dtype objects are NumPy's: ``ag.float32`` is the scalar type ``np.float32`` and
a tensor's ``.dtype`` is an ``np.dtype`` (they compare equal). No class of chainrule's own
can be the type of ``np.float32`` (whose type is ``type``), so ``ag.dtype`` is honest only
about ``isinstance``: ``isinstance(ag.float32, ag.dtype)`` and ``isinstance(t.dtype,
ag.dtype)`` are True for the dtypes chainrule supports (and the unsupported
``ag.bfloat16``), ``type(ag.float32) is ag.dtype`` is False, and ``ag.dtype()`` raises
torch's TypeError. ``promote_types`` returns an ``np.dtype``, as ``ag.result_type`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.promotion import _promote_types

__all__ = ["can_cast", "dtype", "finfo", "iinfo", "is_complex", "promote_types"]

# The NumPy dtypes that stand for torch's (the ones chainrule computes in).
_SUPPORTED = frozenset(np.dtype(t) for t in (
    np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
    np.float64, np.complex64, np.complex128))


def _is_bfloat16(x: Any) -> bool:
    return type(x).__name__ == "_NoNumPyType" and getattr(x, "name", None) == "bfloat16"


def _as_dtype(x: Any) -> np.dtype | None:
    """The np.dtype ``x`` names when it is one of chainrule's dtype objects, else None."""
    if isinstance(x, np.dtype):
        return x if x in _SUPPORTED else None
    if isinstance(x, type) and issubclass(x, np.generic):
        dt = np.dtype(x)
        return dt if dt in _SUPPORTED else None
    return None


class _DtypeMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return _as_dtype(obj) is not None or _is_bfloat16(obj)


class dtype(metaclass=_DtypeMeta):  # noqa: N801 - torch's name
    """``torch.dtype`` as far as ``isinstance`` goes (see the module docstring)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> dtype:
        raise TypeError("cannot create 'torch.dtype' instances")


def _torch_name(dt: np.dtype) -> str:
    return "torch." + ("bool" if dt == np.bool_ else dt.name)


def _arg(fn: str, name: str, pos: int, x: Any) -> np.dtype:
    dt = _as_dtype(x)
    if dt is None:
        if _is_bfloat16(x):
            raise TypeError(f"{fn}(): torch.bfloat16 is not supported: NumPy has no bfloat16")
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be torch.dtype, "
                        f"not {type(x).__name__}")
    return dt


class finfo:  # noqa: N801 - torch's name
    """``torch.finfo(type=None)``: the machine limits of a floating (or complex) dtype.

    Attributes are Python floats (``bits`` an int); ``dtype`` is the real dtype's name as a
    str (``'float32'`` for complex64, as torch). ``type=None`` means the default dtype.
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - torch's argument name
        if type is None:
            from autograd.factories import get_default_dtype
            type = get_default_dtype()  # noqa: A001
        if _is_bfloat16(type):  # torch's values: 8 exponent bits, 7 mantissa bits
            self.bits, self.eps, self.resolution = 16, 2.0 ** -7, 0.01
            self.max = float((2 - 2.0 ** -7) * 2.0 ** 127)
            self.tiny = self.smallest_normal = 2.0 ** -126
            self.min, self.dtype = -self.max, "bfloat16"
            return
        dt = _arg("finfo", "type", 1, type)
        if dt.kind not in "fc":
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(dt)
        self.bits = int(info.bits)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # torch: 0.001, not float16(0.001)
        self.dtype = info.dtype.name

    def _key(self) -> tuple:
        return (self.bits, self.eps, self.max, self.min, self.tiny, self.resolution, self.dtype)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """``torch.iinfo(type)``: ``bits``, ``min``, ``max`` (Python ints) and ``dtype`` (its
    name as a str) of an integer dtype; bool raises TypeError as torch's."""

    def __init__(self, type: Any) -> None:  # noqa: A002 - torch's argument name
        if _is_bfloat16(type):
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        dt = _arg("iinfo", "type", 1, type)
        if dt == np.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(dt)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = dt.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and (self.bits, self.min, self.max, self.dtype) == (
            other.bits, other.min, other.max, other.dtype)

    def __hash__(self) -> int:
        return hash((self.bits, self.min, self.max, self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def is_complex(input: Any) -> bool:  # noqa: A002 - torch's argument name
    """True when the tensor's dtype is complex64 or complex128."""
    from autograd.tensor import Tensor
    if not isinstance(input, Tensor):
        raise TypeError("is_complex(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.dtype.kind == "c"


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype torch's promotion gives two tensors (of one priority group) of these dtypes:
    ``promote_types(int64, float16)`` is float16 (NumPy's would be float64),
    ``promote_types(uint8, int8)`` int16, ``promote_types(float64, complex64)`` complex128."""
    a = _arg("promote_types", "type1", 1, type1)
    b = _arg("promote_types", "type2", 2, type2)
    return _promote_types(a, b)


# bool < integers < floats < complex: torch's can_cast refuses a cast to a lower category
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def can_cast(from_: Any, to: Any) -> bool:
    """torch's rule: a cast is allowed unless it lowers the category (bool < integer <
    floating < complex); within a category every cast is allowed (float64 to float16,
    uint8 to int8)."""
    a = _arg("can_cast", "from_", 1, from_)
    b = _arg("can_cast", "to", 2, to)
    return _KIND_RANK[a.kind] <= _KIND_RANK[b.kind]
