"""``live_graph``: how much recorded graph is alive, to catch graphs kept by mistake.

The classic leak is ``running_loss += loss`` instead of ``running_loss += loss.item()``:
the sum is a tensor that needs grad, so each step's graph hangs off it and stays in
memory (with its saved activations, if backward never ran through it, as in an
evaluation loop without ``no_grad``). This module finds the nodes with
``gc.get_objects()`` when asked, so the engine pays nothing for it on the hot path.
"""

from __future__ import annotations

import gc
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.function import FunctionBackward
from autograd.graph import Node


class NodeCount(int):
    """The number of live nodes. ``len()`` gives it too, so code that reads ``nodes`` as
    a collection (``len(live_graph().nodes)``) works; no node is referenced, since a
    report that kept nodes alive would itself be a leak."""

    def __len__(self) -> int:
        return int(self)


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class LiveGraph:
    """A snapshot of the graph nodes alive in the process.

    Attributes:
        nodes: how many graph nodes are alive (an int; ``len()`` works too).
        saved_bytes: bytes of the arrays they hold for backward (saved inputs, saved
            outputs, cached masks and columns, custom Functions' ``ctx`` arrays), each
            buffer counted once however many nodes or views share it.
        holding: how many of the nodes still hold arrays (backward not run through them,
            or run with ``retain_graph=True``).
        grad_bytes: bytes of the small gradient snapshots nodes keep after backward (for
            :func:`draw_graph`): not needed for backward, but alive with the nodes.
        by_op: node count per op class, most common first.
    """

    nodes: NodeCount
    saved_bytes: int
    holding: int = 0
    grad_bytes: int = 0
    by_op: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        ops = ", ".join(f"{k} {v:,}" for k, v in list(self.by_op.items())[:5])
        more = ", ..." if len(self.by_op) > 5 else ""
        text = (f"live_graph: {int(self.nodes):,} nodes alive ({self.holding:,} still holding "
                f"arrays for backward), {_fmt_bytes(self.saved_bytes)} saved for backward")
        if self.grad_bytes:
            text += f", {_fmt_bytes(self.grad_bytes)} of gradient snapshots"
        if ops:
            text += f"\n  by op: {ops}{more}"
        return text


def _arrays(obj: Any, out: list, depth: int = 0) -> None:
    """Collect the ndarrays ``obj`` holds: an array, a Tensor or saved output (``._data``),
    or a tuple/list of those (caches may nest a level or two)."""
    if obj is None or isinstance(obj, int | float | bool | str):
        return
    if isinstance(obj, np.ndarray):
        out.append(obj)
        return
    data = getattr(obj, "_data", None)
    if isinstance(data, np.ndarray):
        out.append(data)
        return
    if isinstance(obj, tuple | list) and depth < 3:
        for x in obj:
            _arrays(x, out, depth + 1)


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory: a view keeps its whole base alive."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _total(arrays: list) -> int:
    seen: dict = {}
    for a in arrays:
        o = _owner(a)
        seen[id(o)] = o.nbytes  # ``arrays`` keeps every owner alive: ids stay unique
    return sum(seen.values())


def live_graph(collect: bool = True) -> LiveGraph:
    """Count the graph nodes alive in the process and the bytes they keep for backward.

    Args:
        collect: run ``gc.collect()`` first, so that graphs already unreachable (but not
            yet collected, e.g. in a reference cycle) are not counted.
    """
    if collect:
        gc.collect()
    saved: list = []
    grads: list = []
    count = holding = 0
    by_op: Counter = Counter()
    for obj in gc.get_objects():
        if not isinstance(obj, Node):
            continue
        count += 1
        by_op[type(obj).__name__] += 1
        s, o, c = obj.saved, obj.out, obj.cache
        if s or o is not None or c is not None:
            holding += 1
            _arrays(s, saved)
            _arrays(o, saved)
            _arrays(c, saved)
        if isinstance(obj, FunctionBackward) and isinstance(obj.meta, tuple) and obj.meta:
            ctx = obj.meta[0]  # arrays a custom op stored as ctx attributes live with it
            _arrays([v for k, v in vars(ctx).items() if not k.startswith("_")], saved)
        gs = getattr(obj, "grad_size", None)
        if isinstance(gs, np.ndarray):
            grads.append(gs)
    return LiveGraph(nodes=NodeCount(count), saved_bytes=_total(saved), holding=holding,
                     grad_bytes=_total(grads), by_op=dict(by_op.most_common()))
