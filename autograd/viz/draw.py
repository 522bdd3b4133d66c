"""``draw_graph``: the recorded graph as a Graphviz drawing, with each gradient's size.

What is drawn: one node per op (ellipse, named after its ``<Op>Backward`` class
without the suffix) and one per tensor (box: shape and dtype), with edges in the
direction data flows (inputs -> op -> output). Leaves that are not parameters are
notes, parameters 3-D boxes with their dotted ``nn`` name, the output a double box.
After ``backward()`` every tensor shows the norm of its gradient and is coloured on a
log scale of that norm relative to the output's, so that vanishing and exploding
gradients stand out (a legend explains the colours).

How it is read: only attributes that survive ``backward()`` are used (``edges``,
``shape``, ``dtype``, ``scope``, ``grad_size``, leaves' ``.grad``, ``meta``), so drawing
works after the saved arrays were released, and nothing is written to the graph; inputs
that need no grad (X, dashed boxes) are drawn from ``saved`` while the ops still hold
them (``viz/constants.py`` says exactly what is recorded). The walk is one
breadth-first pass over a list (no recursion), so a 100,000-op chain draws, summarised
to ``max_nodes``, in a fraction of a second; the "N more nodes" node shows the range of
the gradient norms it hides. Deep drawings wrap into side-by-side columns
(``viz/layout.py``) instead of one tall, thin staircase.

The stages, each in a module named after what it holds: ``classify`` (walk the graph;
name, mark and place each vertex), ``summarise`` (collapse modules, keep at most
``max_nodes``, read the gradient norms), ``colours`` (the log scale and its legend),
``constants`` (inputs needing no grad), ``emit`` (DOT statements for nodes, edges and
module clusters) and ``layout`` (columns for deep graphs); :func:`draw_graph` composes
them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import graphviz

from autograd.viz.classify import Graph, classify
from autograd.viz.colours import (
    _EXPLODE_FILL,
    _VANISH_FILL,
    EXPLODING,
    VANISHING,
    grad_colour,
    legend,
)
from autograd.viz.emit import Style, add_clusters, constant_edges, dot_lines, plural
from autograd.viz.emit import edges as emit_edges
from autograd.viz.emit import nodes as emit_nodes
from autograd.viz.layout import wrap
from autograd.viz.summarise import Units, cost, grades, summarise
from autograd.viz.summarise import collapse as collapse_modules

MAX_NODES = 500  # drawn nodes before summarising: dot lays out ~500 nodes in about a second

INSTALL_HINT = (
    "Drawing needs the Graphviz 'dot' program, which was not found on PATH. Install it "
    "with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda), or from https://graphviz.org/download/. "
    "Without it, `.source` still gives the DOT text."
)

_DIRECTIONS = ("TB", "BT", "LR", "RL")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering was asked for but the Graphviz ``dot`` program is not installed.

    A subclass of ``graphviz.ExecutableNotFound`` (so existing handlers still catch
    it) whose message says how to install Graphviz.
    """

    def __init__(self, detail: str = "") -> None:
        RuntimeError.__init__(self, INSTALL_HINT + (f" ({detail})" if detail else ""))


@contextmanager
def _explain_missing_dot() -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound as err:
        if isinstance(err, GraphvizNotFoundError):
            raise
        raise GraphvizNotFoundError(str(err)) from err


@dataclass(frozen=True)
class GraphSummary:
    """What a drawing covers: the graph's size and how much of it was drawn."""

    ops: int  # op nodes in the graph
    tensors: int  # tensor nodes (one per op output, plus the leaves)
    leaves: int
    parameters: int
    drawn_nodes: int  # graph nodes in the drawing (legend excluded, inputs included)
    hidden_nodes: int  # graph nodes folded into the "N more nodes" node
    constants: int = 0  # inputs needing no grad (X, targets) drawn, see viz/constants.py


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering explains how to install a missing ``dot``.

    ``.source`` never needs Graphviz; ``.render``, ``.pipe``, ``.view`` and Jupyter's
    display run ``dot`` and raise :class:`GraphvizNotFoundError` when it is missing.
    ``summary`` (a :class:`GraphSummary`) tells how much of the graph was drawn.
    """

    summary: GraphSummary | None = None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        with _explain_missing_dot():
            return super().render(*args, **kwargs)

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        with _explain_missing_dot():
            return super().pipe(*args, **kwargs)


def draw_graph(root: Any, params: Any = None, show_values: bool = False,
               show_grads: bool = True, direction: str = "TB", collapse: bool | int = False,
               max_nodes: int = MAX_NODES, *, vanishing: float = VANISHING,
               exploding: float = EXPLODING) -> GraphDrawing:
    """Draw everything ``root`` depends on as a ``graphviz.Digraph``.

    Args:
        root: the output Tensor (usually the loss), its ``grad_fn``, or a list of them.
        params: names for parameters: ``dict(model.named_parameters())``, a module, or
            ``(name, tensor)`` pairs. Without it, names come from the ``nn`` modules the
            forward pass ran through.
        show_values: add min/mean/max of leaves and of the output (the engine keeps no
            intermediate values).
        show_grads: show each tensor's gradient norm (3 significant digits) and colour
            it on a log scale relative to the output's gradient.
        direction: DOT's ``rankdir``: ``"TB"``, ``"BT"``, ``"LR"`` or ``"RL"``.
        collapse: draw each module (one level below the root module; an int picks the
            depth) as one node with its parameters' total gradient norm.
        max_nodes: beyond this many drawn nodes, keep those nearest the output and the
            parameters, and fold the rest into one "N more nodes" node.
        vanishing, exploding: relative gradient norms flagged as vanishing / exploding.

    Returns:
        a :class:`GraphDrawing` (a ``graphviz.Digraph``): ``.source`` is DOT text;
        ``.render()`` and Jupyter display need Graphviz's ``dot`` program.
    """
    _check_arguments(direction, vanishing, exploding, max_nodes)
    depth = int(collapse) if not isinstance(collapse, bool) else (1 if collapse else 0)
    g = classify(root, params)  # what each vertex is: names, parameters, clusters
    units = summarise(g, *collapse_modules(g, depth), max_nodes)  # what is drawn
    st = Style(show_values, show_grads, grades(g, units, show_grads), vanishing, exploding,
               max_nodes)

    dot = GraphDrawing(name="chainrule", format="svg")
    dot.attr(rankdir=direction)
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.08,0.04", height="0.3")
    dot.attr("edge", arrowsize="0.7", color="#555555", fontname="Helvetica", fontsize="9")
    consts, const_edges = constant_edges(g, units)
    wrapped = wrap(emit_edges(g, units, st.grades) + const_edges,  # deep: in columns
                   sideways=direction in ("LR", "RL"))
    statements = emit_nodes(g, units, st, consts,
                            {v: {"group": k} for v, k in wrapped.groups.items()})
    add_clusters(dot, statements, g)
    for src, dst, attrs in wrapped.edges:
        dot.edge(src, dst, **attrs)
    if wrapped.statements:
        dot.attr(newrank="true")  # rank=same across module clusters
        dot.body += [f"\t{line}\n" for line in wrapped.statements]
    if st.grades.shown:
        dot.node("legend", legend(st.grades.ref, vanishing, exploding, show_values),
                 shape="plaintext", **{"class": "legend"})
    dot.summary = _summary(g, units, len(consts))
    dot.attr(label=dot_lines(_caption(g, units, st, depth, dot.summary)), labelloc="b",
             fontname="Helvetica", fontsize="10")
    return dot


def _check_arguments(direction: str, vanishing: float, exploding: float,
                     max_nodes: int) -> None:
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(_DIRECTIONS)}; got {direction!r}")
    if not 0 < vanishing < 1 < exploding:
        raise ValueError(f"need 0 < vanishing < 1 < exploding; got {vanishing}, {exploding}")
    if max_nodes < 2:
        raise ValueError(f"max_nodes must be at least 2, got {max_nodes}")


def _summary(g: Graph, units: Units, constants: int) -> GraphSummary:
    hidden = units.hidden_nodes
    drawn = sum(cost(g, u) for u in units.kept) + constants + (1 if hidden else 0)
    return GraphSummary(ops=g.n_ops, tensors=g.n_ops + g.n_leaves, leaves=g.n_leaves,
                        parameters=sum(g.is_param), drawn_nodes=drawn, hidden_nodes=hidden,
                        constants=constants)


def _caption(g: Graph, units: Units, st: Style, depth: int, s: GraphSummary) -> list[str]:
    """The lines under the drawing: the graph's size, and what is not shown and why."""
    lines = [f"{g.n_ops:,} ops, {s.tensors:,} tensors ({plural(g.n_leaves, 'leaf')}, "
             f"{plural(s.parameters, 'parameter')})"]
    if s.hidden_nodes:
        lines.append(f"summarised: the {s.drawn_nodes - 1:,} nodes nearest the output and "
                     f"the leaves are drawn, {s.hidden_nodes:,} more are folded "
                     f"(max_nodes={st.max_nodes})")
    if st.show_grads and not st.grades.shown and g.n_ops:
        lines.append("no gradients yet: call .backward() to see their sizes")
    if any(units.unit[i] in units.kept for i in g.released):
        lines += ["inputs that need no grad (X, or numbers) are not drawn: backward released what "
                  "the ops held;", "to see them, draw before backward or call "
                  "backward(retain_graph=True)"]
    if depth and not units.groups:
        lines.append("collapse: no nn modules were recorded in this graph")
    return lines


__all__ = ["EXPLODING", "MAX_NODES", "VANISHING", "GraphDrawing", "GraphSummary",
           "GraphvizNotFoundError", "_EXPLODE_FILL", "_VANISH_FILL", "draw_graph", "grad_colour"]
