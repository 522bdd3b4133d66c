"""Dimension arguments, checked as torch checks them (``maybe_wrap_dim``).

Every op that takes a ``dim`` goes through :func:`normalize_dim` (one dim) or
:func:`normalize_dims` (a tuple), so an out-of-range dim raises torch's ``IndexError``
("Dimension out of range (expected to be in range of [-2, 1], but got 5)") instead of
wrapping around, and a repeated dim raises ``RuntimeError`` ("dim 0 appears multiple
times in the list of dims"). A 0-d tensor accepts dims in [-1, 0], as torch.

Also the shapes themselves: :class:`Size` (``Tensor.shape``, torch's ``torch.Size``), the
size arguments of factories (:func:`size_tuple`, :func:`size_args`), and torch's errors for
reductions without identity over no elements (:func:`check_nonempty_reduction`).
"""

from __future__ import annotations

import math
import operator
from typing import Any


class Size(tuple):
    """torch's ``Size``: a tuple of dimension lengths that prints as torch's
    (``torch.Size([2, 3])``); slicing it, adding tuples to it and repeating it give Sizes,
    as torch's. ``Tensor.shape`` and ``Tensor.size()`` return one."""

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Any:
        return Size(tuple.__add__(self, other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other: Any) -> Any:
        return Size(tuple.__add__(other, self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n: Any) -> Any:
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


_SIZES: dict = {}  # shape tuple -> its Size (immutable: one object per shape is shared)


def size_of(shape: tuple) -> Size:
    """``shape`` as a :class:`Size` (cached: ``Tensor.shape`` is read in every layer)."""
    found = _SIZES.get(shape)
    if found is None:
        if len(_SIZES) >= 4096:
            _SIZES.clear()
        found = _SIZES[shape] = Size(shape)
    return found


def normalize_dim(dim: Any, ndim: int) -> int:
    """``dim`` as an index in ``range(max(ndim, 1))`` (negative dims count from the end).

    ``ndim`` is the number of dims ``dim`` may address: the tensor's, or one more for ops
    that insert a dimension (``unsqueeze``, ``stack``)."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim must be an int, got {type(dim).__name__} {dim!r}") from None
    n = ndim if ndim > 0 else 1
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {d})")
    return d + n if d < 0 else d


def normalize_dims(dims: Any, ndim: int) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple of distinct non-negative dims, in the order
    given (a repeated dim raises ``RuntimeError``, as torch)."""
    if isinstance(dims, tuple | list):
        out = tuple(normalize_dim(d, ndim) for d in dims)
    else:
        out = (normalize_dim(dims, ndim),)
    if len(set(out)) != len(out):
        seen: set[int] = set()
        for d in out:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return out


def size_tuple(size: tuple, fn: str = "size") -> tuple:
    """A factory's ``*size`` (ints, or one tuple/list of ints) as a shape tuple, checked as
    torch: a non-int size raises ``TypeError``, a negative one ``RuntimeError``."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(f"{fn}(): argument 'size' must be a tuple of ints, but found "
                            f"element of type {type(s).__name__}")
        s = operator.index(s)
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{[operator.index(v) for v in size]}")
        out.append(s)
    return tuple(out)


def size_args(args: tuple, size: Any, fn: str) -> tuple:
    """The shape of ``fn(*args)`` or ``fn(size=...)`` (torch takes either, not neither)."""
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got the size both positionally and as size=")
        args = (size,) if isinstance(size, tuple | list) else (size,)
    elif not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return size_tuple(args, fn)


def check_nonempty_reduction(op: str, shape: tuple, axes: Any) -> None:
    """torch's errors for a reduction without identity (max, argmax, median...) over no
    elements: ``axes`` the reduced dims (non-negative, in the caller's order), or None for
    all of them. Over all of an empty tensor: RuntimeError (IndexError for argmax/argmin);
    over a given dim of size 0: IndexError naming it."""
    if axes is None:
        if math.prod(shape) == 0:
            if op == "aminmax":
                raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension "
                                   "as the operation has no identity.")
            message = f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            if op in ("argmax", "argmin"):
                raise IndexError(message)
            raise RuntimeError(message + " Specify the reduction dim with the 'dim' argument.")
        return
    for a in axes:
        if shape[a] == 0:
            name = "aminmax:" if op == "aminmax" else f"{op}():"
            raise IndexError(f"{name} Expected reduction dim {a} to have non-zero size.")
