"""The inputs of an op that need no gradient (the data X, the targets), as far as the
recorded graph still holds them.

An op's edge is ``None`` where its operand needs no gradient; the edge itself keeps
nothing of it. What the graph does keep, and so what a drawing can show:

* ``node.saved``: the operands an op keeps for its VJP, slot by slot in the order of
  its edges (MatMul, Linear, Conv2d and BatchNorm keep their input; Mul, Div and Pow
  both operands). They are there until a backward without ``retain_graph=True``
  releases them (``saved`` becomes ``None``); ops whose VJP needs no operand (Add,
  Sub, Where, Cat, ...) never keep one. Python numbers (``y * 3.0``) are not drawn.
* a fused loss's ``meta``, never released: SoftmaxCrossEntropy keeps the positions of
  the targets, hence their count.

Recording nothing more keeps the per-op cost of recording as it is; the price is that
after a plain ``backward()`` only the targets are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.backend import is_array


@dataclass(frozen=True)
class Constant:
    """One input that needs no gradient."""

    key: int  # the same object feeding several ops is drawn once (id of what is held)
    name: str  # "input" or "targets"
    shape: tuple
    dtype: str  # NumPy's name, or "class indices"
    data: Any = None  # the array, while the op holds it (for show_values)


def _held(node: Any, k: int) -> Constant | None:
    saved = node.saved
    if not saved or k >= len(saved) or getattr(type(node), "fn", None) is not None:
        return None  # released, never kept, or a custom Function (saves what its ctx chose)
    obj = saved[k]
    data = obj._data if getattr(obj, "_IS_TENSOR", False) else obj
    if not is_array(data):
        return None  # a Python number (or an absent optional operand: None)
    return Constant(id(obj), "input", data.shape, str(data.dtype), data)


def _cross_entropy_targets(node: Any) -> list[Constant]:
    flat = node.meta[0]  # the targets' positions in the flattened logits: one per sample
    return [Constant(id(flat), "targets", tuple(np.shape(flat)), "class indices")]


# Ops that keep what they know of an input needing no grad outside ``saved``.
RECORDED = {"SoftmaxCrossEntropyBackward": _cross_entropy_targets}


def constants_of(node: Any) -> list[Constant]:
    """The inputs of ``node`` that need no gradient and that the graph still holds."""
    out = []
    for k, e in enumerate(node.edges):
        if e is None:
            c = _held(node, k)
            if c is not None:
                out.append(c)
    extra = RECORDED.get(type(node).__name__)
    if extra is not None:
        out += extra(node)
    return out


def released(node: Any) -> bool:
    """Whether backward released operands of ``node`` that needed no gradient."""
    return node.saved is None and None in node.edges
