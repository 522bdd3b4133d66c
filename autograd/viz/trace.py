"""``trace_backward()``: the chain rule, step by step, as the engine runs it.

>>> with ag.trace_backward() as steps:          # doctest: +SKIP
...     loss.backward()
>>> print(steps)                                # one row per node, in run order

The engine records a step only while a trace is active (``STATE.tracer``, per thread,
is checked once per backward), so tracing costs nothing when it is off. Re-exported as
``autograd.trace_backward``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.backend import is_array
from autograd.graph import STATE, Node
from autograd.viz._common import fmt, fmt_shape, norm, text_table


def _norm(g: Any) -> float | None:
    """Norm of a gradient (array, Tensor, or the tuple a multi-output Function gets)."""
    if g is None:
        return None
    if isinstance(g, tuple):  # one slot per output of a custom Function: their joint norm
        parts = [_norm(x) for x in g]
        parts = [p for p in parts if p is not None]
        return float(np.sqrt(sum(p * p for p in parts))) if parts else None
    if isinstance(g, np.ndarray | np.generic | float | int) or is_array(g):
        return norm(g)  # a VJP may hand on a NumPy scalar for a 0-d gradient
    arr = getattr(g, "_data", None)  # a Tensor, under create_graph
    return norm(arr) if is_array(arr) else None


def _module_of(node: Node) -> str | None:
    """``"path Type"`` of the nn module the op ran in (``scope``), or None."""
    scope = node.scope
    if scope is None:
        return None
    path = getattr(scope, "path", "") or ""
    module = getattr(scope, "module", None)
    kind = type(module).__name__ if module is not None else ""
    return f"{path} {kind}".strip() or None


@dataclass(frozen=True)
class TraceStep:
    """One node the engine ran: ``op``, its inputs' shapes, its output's shape, the norm
    of the gradient arriving at its output and of each gradient it sent to an input
    (``None`` where none flows).

    ``module`` names the ``nn`` module the op ran in (``"0 Linear"``), when any;
    ``node`` is a weak reference to the graph node (call it: ``step.node()``), so a
    trace never keeps a graph alive.
    """

    op: str
    input_shapes: tuple
    output_shape: tuple
    grad_in_norm: float | None
    grad_out_norms: tuple
    module: str | None = None
    node: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_node(cls, node: Node, g: Any, grads: tuple, create_graph: bool) -> TraceStep:
        shapes = list(node.input_shapes())
        for i, gi in enumerate(grads[:len(shapes)]):
            if shapes[i] is None and gi is not None and hasattr(gi, "shape"):
                shapes[i] = tuple(gi.shape)
        return cls(
            op=type(node).__name__,
            input_shapes=tuple(shapes),
            output_shape=tuple(node.shape),
            grad_in_norm=_norm(g),
            grad_out_norms=tuple(_norm(gi) for gi in grads),
            module=_module_of(node),
            node=weakref.ref(node),
        )


class BackwardTrace(list):
    """The steps of the traced backward passes, in the order the engine ran them.

    ``str()`` is a table: one row per step, the op (``<Op>Backward``, the function
    whose vector-Jacobian product ran), the module it belongs to, the shapes it maps
    and the norms of the gradient it received and of each one it passed on.
    ``repr()`` (what a notebook echoes) shortens traces longer than 60 steps.
    """

    def table(self, max_rows: int | None = None) -> str:
        """The table; with ``max_rows``, the first and last steps around an ellipsis."""
        if not self:
            return "(no backward step traced: call .backward() inside trace_backward())"
        show_module = any(st.module for st in self)
        head = ["step", "op"] + (["module"] if show_module else []) + [
            "inputs → output", "|grad in|", "|grad out| per input"]
        idx = list(range(len(self)))
        cut = None
        if max_rows is not None and len(self) > max_rows:
            top = max(1, max_rows * 3 // 4)
            cut = top
            idx = idx[:top] + idx[len(self) - (max_rows - top):]
        rows = [head]
        for i in idx:
            st = self[i]
            shapes = ", ".join(fmt_shape(s) for s in st.input_shapes)
            row = [str(i), st.op] + ([st.module or ""] if show_module else []) + [
                f"{shapes} → {fmt_shape(st.output_shape)}", fmt(st.grad_in_norm),
                ", ".join(fmt(n) for n in st.grad_out_norms)]
            rows.append(row)
        # step numbers and norms line up on the right
        lines = text_table(rows, right={0, len(head) - 2}).split("\n")
        if cut is not None:
            lines.insert(2 + cut, f"... {len(self) - max_rows:,} more steps ...")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def record(self, node: Node, g: Any, grads: tuple, create_graph: bool) -> None:
        """Append the step of ``node`` (called by the engine while this trace is active)."""
        self.append(TraceStep.from_node(node, g, grads, create_graph))

    def __repr__(self) -> str:
        return self.table(max_rows=60)


@contextmanager
def trace_backward() -> Iterator[BackwardTrace]:
    """Collect a :class:`TraceStep` for every node run by any backward inside the block.

    Yields the list (a :class:`BackwardTrace`) the steps are appended to, in the order
    the engine runs them: from the output towards the leaves, each node once all its
    consumers have sent their gradients.
    """
    steps = BackwardTrace()
    prev = STATE.tracer
    STATE.tracer = steps
    try:
        yield steps
    finally:
        STATE.tracer = prev
