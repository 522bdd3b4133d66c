"""Small helpers shared by the drawing and the gradient statistics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


def named_parameters(obj: Any) -> list[tuple[str, Any]]:
    """``(name, tensor)`` pairs from a model, a mapping or an iterable.

    Accepts anything with ``named_parameters()`` (an ``nn.Module``, by duck typing:
    autograd never imports nn), a ``dict`` of ``name -> tensor``, an iterable of
    ``(name, tensor)`` pairs, or an iterable of bare tensors (named ``param0``...).
    """
    if obj is None:
        return []
    np_fn = getattr(obj, "named_parameters", None)
    if callable(np_fn):
        return list(np_fn())
    if isinstance(obj, dict):
        return list(obj.items())
    if getattr(obj, "_IS_TENSOR", False):  # a single tensor: its own one-row table
        return [("param0", obj)]
    if not isinstance(obj, Iterable):
        raise TypeError(
            "expected a module with named_parameters(), a dict of name -> tensor, or an "
            f"iterable of (name, tensor) pairs; got {type(obj).__name__}"
        )
    pairs = []
    for i, item in enumerate(obj):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            pairs.append(item)
        elif getattr(item, "_IS_TENSOR", False):
            pairs.append((f"param{i}", item))
        else:
            raise TypeError(
                f"item {i} is {type(item).__name__}: expected (name, tensor) pairs or tensors"
            )
    return pairs


def norm(arr: Any) -> float:
    """The 2-norm of an array, accumulated in float64 (float16/32 sums of squares
    overflow or lose the small gradients this module is about)."""
    a = np.asarray(arr)
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def fmt(x: float | None) -> str:
    """A number with 3 significant digits (the precision every view shows)."""
    if x is None:
        return "—"
    return f"{x:.3g}"


def fmt_shape(shape: tuple | None) -> str:
    if shape is None:
        return "—"
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"
