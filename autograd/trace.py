"""``trace_backward()``: the chain rule, step by step, as the engine runs it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.engine import STATE, Node


def _norm(g: Any) -> float | None:
    if g is None:
        return None
    arr = getattr(g, "data", g) if not isinstance(g, np.ndarray) else g
    if not isinstance(arr, np.ndarray):
        return None
    return float(np.sqrt(np.sum(np.square(arr, dtype=np.float64))))


def _shape_of(v: Any) -> tuple | None:
    if v is None:
        return None
    return tuple(v.shape)


@dataclass(frozen=True)
class TraceStep:
    """One node the engine ran: ``op``, its inputs' shapes, its output's shape, the norm
    of the gradient arriving at its output and of each gradient it sent to an input."""

    op: str
    input_shapes: tuple
    output_shape: tuple
    grad_in_norm: float | None
    grad_out_norms: tuple

    @classmethod
    def from_node(cls, node: Node, g: Any, grads: tuple, create_graph: bool) -> TraceStep:
        shapes = []
        for e, gi in zip(node.edges, grads):
            s = _shape_of(e)
            if s is None and gi is not None and hasattr(gi, "shape"):
                s = tuple(gi.shape)
            shapes.append(s)
        return cls(
            op=type(node).__name__,
            input_shapes=tuple(shapes),
            output_shape=tuple(node.shape),
            grad_in_norm=_norm(g),
            grad_out_norms=tuple(_norm(gi) for gi in grads),
        )


class BackwardTrace(list):
    """The steps of the traced backward passes; ``str()`` is a table."""

    def __str__(self) -> str:
        def fmt(x: float | None) -> str:
            return "—" if x is None else f"{x:.3g}"

        def shp(s: tuple | None) -> str:
            return "—" if s is None else "(" + ", ".join(map(str, s)) + ")"

        rows = [("#", "op", "inputs", "output", "|grad in|", "|grad out| per input")]
        for i, st in enumerate(self):
            rows.append((str(i), st.op, " ".join(shp(s) for s in st.input_shapes),
                         shp(st.output_shape), fmt(st.grad_in_norm),
                         " ".join(fmt(n) for n in st.grad_out_norms)))
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__


@contextmanager
def trace_backward() -> Iterator[BackwardTrace]:
    """Collect a :class:`TraceStep` for every node run by any backward inside the block."""
    steps = BackwardTrace()
    prev = STATE.tracer
    STATE.tracer = steps
    try:
        yield steps
    finally:
        STATE.tracer = prev
