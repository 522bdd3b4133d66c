"""The middle stages of a drawing: collapse modules, summarise beyond ``max_nodes``, and
read the gradient norms the colours grade.

A *unit* is what is drawn as one thing: a vertex ``i`` (an op with its output tensor,
or a leaf), or with ``collapse`` a whole module, numbered ``n + group``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from autograd.backend import is_array
from autograd.engine import grad_norm
from autograd.viz._common import norm
from autograd.viz.classify import Graph


@dataclass
class Units:
    unit: list  # the drawn unit of each vertex: itself, or n + group number
    groups: list  # (id(root module), path) of each collapsed module
    order: list  # the distinct units, nearest the output first
    kept: set  # the units drawn; the rest fold into one "N more nodes" node
    hidden_ops: int = 0
    hidden_leaves: int = 0

    @property
    def hidden_nodes(self) -> int:
        return 2 * self.hidden_ops + self.hidden_leaves


def cost(g: Graph, u: int, extra: dict | None = None) -> int:
    """Drawn nodes of unit ``u``: an op is drawn with its output tensor (2), a leaf or
    a collapsed module is one node; ``extra`` counts the inputs needing no grad drawn
    with a unit (an upper bound: one feeding several ops is drawn once)."""
    base = 1 if u >= len(g.order) or g.order[u]._IS_TENSOR else 2
    return base + extra.get(u, 0) if extra else base


def collapse(g: Graph, depth: int) -> tuple[list, list]:
    """Map each vertex to its unit: itself, or the module ``depth`` levels below the root
    module that it ran in. Returns ``(unit, groups)``."""
    n = len(g.order)
    unit = list(range(n))
    groups: list[tuple[int, str]] = []
    if not depth:
        return unit, groups
    group_of: dict = {}
    for i in range(n):
        key = g.home[i]
        if key is None or not key[1] or i in g.root_tensor:
            continue  # the output stays visible; ops outside modules stay as they are
        key = (key[0], ".".join(key[1].split(".")[:depth]))
        k = group_of.get(key)
        if k is None:
            k = group_of[key] = len(groups)
            groups.append(key)
        unit[i] = n + k
    return unit, groups


def summarise(g: Graph, unit: list, groups: list, max_nodes: int) -> Units:
    """Keep at most ``max_nodes`` drawn nodes: the roots, then the parameters and other
    leaves (on at most half the budget), then the units nearest the output."""
    n = len(g.order)
    unit_order = list(dict.fromkeys(unit))
    extra: dict[int, int] = {}
    for i, held in g.consts.items():
        extra[unit[i]] = extra.get(unit[i], 0) + len(held)
    total = sum(cost(g, u, extra) for u in unit_order)
    if total <= max_nodes:
        return Units(unit, groups, unit_order, set(unit_order))
    budget = max_nodes - 1  # one node says what was left out
    kept: set = set()
    for u in unit_order:  # the roots come first: always kept
        if u < n and u in g.root_tensor:
            kept.add(u)
            budget -= cost(g, u, extra)
    # then parameters, then other leaves (what one differentiates with respect to)
    for want_param in (True, False):
        for u in unit_order:
            if budget <= max_nodes // 2:
                break
            if u < n and g.order[u]._IS_TENSOR and g.is_param[u] == want_param and u not in kept:
                kept.add(u)
                budget -= 1
    for u in unit_order:
        if u in kept:
            continue
        c = cost(g, u, extra)
        if c > budget:
            break
        kept.add(u)
        budget -= c
    units = Units(unit, groups, unit_order, kept)
    for i in range(n):
        if unit[i] not in kept:
            if g.order[i]._IS_TENSOR:
                units.hidden_leaves += 1
            else:
                units.hidden_ops += 1
    return units


def grad_of(v: object) -> float | None:
    """Norm of the gradient that reached tensor vertex ``v`` in the last backward."""
    if v._IS_TENSOR:
        gr = v.grad
        return None if gr is None else norm(gr._data)
    return grad_norm(v)


@dataclass
class Hidden:
    """The gradient norms of the tensors folded into the "more" node: their range, so
    that a vanishing or exploding stretch shows even when its nodes are not drawn."""

    lo: float | None = None  # smallest positive finite norm
    hi: float | None = None  # largest finite norm
    zeros: int = 0
    nan: int = 0
    inf: int = 0

    def add(self, x: float | None) -> None:
        if x is None:
            return
        if math.isnan(x):
            self.nan += 1
        elif math.isinf(x):
            self.inf += 1
        elif x == 0.0:
            self.zeros += 1
        else:
            self.lo = x if self.lo is None else min(self.lo, x)
            self.hi = x if self.hi is None else max(self.hi, x)


def hidden_norms(hidden: Hidden, vertices: list) -> None:
    """Add the gradient norms of ``vertices`` to ``hidden``: the small gradient arrays the
    ops kept are reduced together (one concatenation and ``np.add.reduceat`` in float64),
    since one NumPy reduction per op would cost seconds on a 100,000-op chain."""
    arrays = []
    for v in vertices:
        gs = v.grad_size if not v._IS_TENSOR else None
        if is_array(gs) and gs.size:
            arrays.append(gs.reshape(-1))
        else:
            hidden.add(grad_of(v))
    if not arrays:
        return
    flat = np.concatenate(arrays, dtype=np.float64, casting="same_kind")
    starts = np.cumsum([0] + [a.size for a in arrays[:-1]])
    norms = np.sqrt(np.add.reduceat(np.square(flat), starts))
    hidden.nan += int(np.isnan(norms).sum())
    hidden.inf += int(np.isinf(norms).sum())
    hidden.zeros += int((norms == 0).sum())
    ok = norms[np.isfinite(norms) & (norms > 0)]
    if ok.size:
        for x in (float(ok.min()), float(ok.max())):
            hidden.add(x)


@dataclass
class Grades:
    """The gradient norms drawn, and the output's norm that the colour scale is relative to."""

    values: dict  # vertex -> norm (None: no gradient reached it)
    ref: float | None  # the first root's positive finite norm
    shown: bool  # show_grads and some gradient exists: colour the drawing
    hidden: Hidden  # the range of the norms summarised away

    @property
    def scale(self) -> float:
        return 1.0 if self.ref is None else self.ref


def grades(g: Graph, units: Units, show_grads: bool) -> Grades:
    """Gradient norms of the kept vertices and, for collapsed modules, of their parameters;
    the range of those summarised away."""
    values: dict[int, float | None] = {}
    hidden = Hidden()
    n = len(g.order)
    if show_grads:
        for i in range(n):
            if units.unit[i] in units.kept:
                values[i] = grad_of(g.order[i])
        hidden_norms(hidden, [g.order[i] for i in range(n) if units.unit[i] not in units.kept])
        if units.groups:  # a group's norm needs its parameters' grads
            for i in range(n):
                if units.unit[i] >= n and g.order[i]._IS_TENSOR and i not in values:
                    values[i] = grad_of(g.order[i])
    ref = None
    for v, _ in g.roots:
        x = values.get(g.index[id(v)])
        if x is not None and x > 0 and math.isfinite(x):
            ref = x
            break
    return Grades(values, ref, any(x is not None for x in values.values()), hidden)
