"""Small helpers shared by the viewers (drawing, gradient statistics, backward trace):
the float64 norm (``engine.l2_norm``), number and shape formatting, text tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd.engine import l2_norm

norm = l2_norm  # the one float64 norm, under the name the viewers use


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


def text_table(rows: list[list[str]], right: set[int] | frozenset = frozenset()) -> str:
    """``rows`` (the first is the header) as aligned columns separated by two spaces, a
    dashed rule under the header; the columns in ``right`` are right-aligned."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if c in right else cell.ljust(w)
                       for c, (cell, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(x: float | None) -> str:
    """A number with 3 significant digits (the precision every view shows)."""
    if x is None:
        return "—"
    return f"{x:.3g}"


def fmt_shape(shape: tuple | None) -> str:
    if shape is None:
        return "—"
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"
