"""``draw_graph``: the recorded graph as a Graphviz drawing, with each gradient's size.

What is drawn: one node per op (ellipse, named after its ``<Op>Backward`` class
without the suffix) and one per tensor (box: shape and dtype), with edges in the
direction data flows (inputs -> op -> output). Leaves that are not parameters are
notes, parameters 3-D boxes with their dotted ``nn`` name, the output a double box.
After ``backward()`` every tensor shows the norm of its gradient and is coloured on a
log scale of that norm relative to the output's, so that vanishing and exploding
gradients stand out (a legend explains the colours).

How it is read: only attributes that survive ``backward()`` are used (``edges``,
``shape``, ``dtype``, ``scope``, ``grad_size``, leaves' ``.grad``), so drawing works
after the saved arrays were released, and nothing is written to the graph. The walk
is one breadth-first pass over a list (no recursion), so a 100,000-op chain draws,
summarised to ``max_nodes``, in a fraction of a second.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd.engine import Node, grad_norm
from autograd.viz._common import fmt, fmt_shape, named_parameters, norm

VANISHING = 1e-6  # |grad| / |grad of the output| below this is flagged "vanishing"
EXPLODING = 1e4  # ... and above this "exploding": an SGD step would be lr * 1e4 too big
MAX_NODES = 500  # drawn nodes before summarising: dot lays out ~500 nodes in about a second

INSTALL_HINT = (
    "Drawing needs the Graphviz 'dot' program, which was not found on PATH. Install it "
    "with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda), or from https://graphviz.org/download/. "
    "Without it, `.source` still gives the DOT text."
)

# Colour scale (ColorBrewer RdYlBu, reversed): blue = small, pale = like the output's,
# red = large. Stops sit at log10(vanishing), half way, 0, half way, log10(exploding).
_STOPS = ("#4575b4", "#abd9e9", "#ffffbf", "#fdae61", "#f46d43")
_VANISH_FILL = "#313695"  # flagged nodes go one shade beyond the scale's ends
_EXPLODE_FILL = "#a50026"
_ZERO_FILL = "#d9d9d9"
_NONFINITE_FILL = "#000000"
_OP_FILL = "#f2f2f2"
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
    drawn_nodes: int  # graph nodes in the drawing (legend excluded)
    hidden_nodes: int  # graph nodes folded into the "N more nodes" node


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


# -- the walk --------------------------------------------------------------------------
def _roots(root: Any) -> list[tuple[Any, Any]]:
    """``(vertex, tensor)`` per root: a vertex is a Node or a leaf Tensor."""
    items = list(root) if isinstance(root, list | tuple) else [root]
    if not items:
        raise ValueError("draw_graph needs at least one tensor to draw")
    out = []
    for r in items:
        if getattr(r, "_IS_TENSOR", False):
            out.append((r._node if r._node is not None else r, r))
        elif isinstance(r, Node):
            out.append((r, None))
        else:
            raise TypeError(f"draw_graph expects a Tensor (or its grad_fn), got {type(r).__name__}")
    return out


@dataclass
class _Walk:
    order: list  # vertices, breadth first from the roots: nearest the output first
    index: dict  # id(vertex) -> position in order
    leaf_scope: dict  # position of a leaf -> scope of an op that consumed it (for its name)


def _walk(roots: list) -> _Walk:
    order: list = []
    index: dict = {}
    leaf_scope: dict = {}
    for v in roots:
        if id(v) not in index:
            index[id(v)] = len(order)
            order.append(v)
    i = 0
    while i < len(order):  # ``order`` is its own queue: the walk never recurses
        v = order[i]
        i += 1
        if v._IS_TENSOR:
            continue
        scope = v.scope
        for e in v.edges:
            if e is None:
                continue
            j = index.get(id(e))
            if j is None:
                j = index[id(e)] = len(order)
                order.append(e)
            if scope is not None and e._IS_TENSOR and j not in leaf_scope:
                leaf_scope[j] = scope
    return _Walk(order, index, leaf_scope)


# -- names and modules -----------------------------------------------------------------
class _Namer:
    """Dotted parameter names: from ``params`` first, else from the module an op ran in
    (the leaf found by identity among ``scope.module``'s parameters, prefixed with
    ``scope.path``), else among the root module's."""

    def __init__(self, params: Any) -> None:
        self.explicit = {id(p): n for n, p in named_parameters(params)}
        self._tables: dict = {}

    def _table(self, module: Any, path: str) -> dict:
        key = (id(module), path)
        table = self._tables.get(key)
        if table is None:
            table = {}
            try:  # a module is only duck-typed: anything odd just gives no names
                for n, p in module.named_parameters():
                    table.setdefault(id(p), f"{path}.{n}" if path else n)
            except Exception:
                table = {}
            self._tables[key] = table
        return table

    def name(self, leaf: Any, scope: Any) -> str | None:
        n = self.explicit.get(id(leaf))
        if n is not None or scope is None:
            return n
        module = getattr(scope, "module", None)
        if module is not None:
            n = self._table(module, getattr(scope, "path", "") or "").get(id(leaf))
            if n is not None:
                return n
        root = getattr(scope, "root", None)
        if root is not None and root is not module:
            n = self._table(root, "").get(id(leaf))
        return n


class _Modules:
    """Type names of the modules along the recorded scopes, for cluster labels."""

    def __init__(self) -> None:
        self.types: dict = {}  # (id(root), path) -> type name
        self._seen: set = set()
        self._leafy: dict = {}

    def see(self, scope: Any) -> tuple[int, str]:
        root = getattr(scope, "root", None)
        rid = id(root)
        path = getattr(scope, "path", "") or ""
        if rid not in self._seen:
            self._seen.add(rid)
            try:
                for p, m in root.named_modules():
                    self.types.setdefault((rid, p), type(m).__name__)
            except Exception:
                pass
        module = getattr(scope, "module", None)
        if module is not None:
            self.types.setdefault((rid, path), type(module).__name__)
        return rid, path

    def is_leaf_module(self, scope: Any) -> bool:
        """True for a module with no submodules (a loss called on its own)."""
        module = getattr(scope, "module", None)
        key = id(module)
        if key not in self._leafy:
            try:
                self._leafy[key] = next(iter(module.named_children()), None) is None
            except Exception:
                self._leafy[key] = False
        return self._leafy[key]

    def label(self, rid: int, path: str) -> str:
        t = self.types.get((rid, path), "")
        return f"{path} {t}".strip() if path else t or "module"


# -- colours -----------------------------------------------------------------------------
def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def _font_for(fill: str) -> str:
    r, g, b = _hex(fill)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 128 else "black"


def grad_colour(value: float | None, ref: float = 1.0, vanishing: float = VANISHING,
                exploding: float = EXPLODING) -> tuple[str, str | None]:
    """Fill colour and flag (``'vanishing'``, ``'exploding'``, ``'zero'``, ``'nan'``,
    ``'inf'`` or ``None``) for a gradient norm, on a log scale of ``value / ref``."""
    if value is None:
        return "#ffffff", None
    if math.isnan(value):
        return _NONFINITE_FILL, "nan"
    if math.isinf(value):
        return _NONFINITE_FILL, "inf"
    if value == 0.0:
        return _ZERO_FILL, "zero"
    rel = value / ref
    if rel < vanishing:
        return _VANISH_FILL, "vanishing"
    if rel > exploding:
        return _EXPLODE_FILL, "exploding"
    lo, hi = math.log10(vanishing), math.log10(exploding)
    xs = (lo, lo / 2, 0.0, hi / 2, hi)
    x = math.log10(rel)
    k = 0
    while k < 3 and x > xs[k + 1]:
        k += 1
    t = (x - xs[k]) / (xs[k + 1] - xs[k])
    a, b = _hex(_STOPS[k]), _hex(_STOPS[k + 1])
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b)), None


def _decade(p: float) -> str:
    if p == 0:
        return "1"
    return f"1e{p:g}"


def _legend(ref: float | None, vanishing: float, exploding: float, show_values: bool) -> str:
    """An HTML-like label: colour swatches for the scale, then a key of the shapes."""
    lo, hi = math.log10(vanishing), math.log10(exploding)
    r = 1.0 if ref is None else ref
    cells = [(_ZERO_FILL, "0"), (_VANISH_FILL, f"&lt; {_decade(lo)}<br/>vanishing")]
    for p in (lo, lo / 2, 0.0, hi / 2, hi):
        cells.append((grad_colour(10.0 ** p * r, r, vanishing, exploding)[0], _decade(p)))
    cells += [(_EXPLODE_FILL, f"&gt; {_decade(hi)}<br/>exploding"), (_NONFINITE_FILL, "nan/inf")]
    # Equal-width swatches; text rows are broken into short lines so they never widen
    # the table (which would stretch the swatches unevenly).
    row = "".join(f'<td bgcolor="{c}" width="62"><font color="{_font_for(c)}">'
                  f"{t}</font></td>" for c, t in cells)
    n = len(cells)
    title = ("|grad| relative to the output's" + (f" (|grad| = {fmt(ref)})" if ref else "")
             if ref is not None else "|grad| (the output got no gradient: absolute scale)")
    notes = ["ellipse: op · box: tensor · 3-D box: parameter",
             "note: other leaf · double box: output"]
    if show_values:
        notes += ["min/mean/max: leaves and the output only", "(the engine keeps no "
                  "intermediate values)"]
    text = "<br/>".join(html.escape(t, quote=False) for t in notes)
    rows = [f'<tr><td colspan="{n}" border="0"><b>{html.escape(title, quote=False)}</b></td></tr>',
            f"<tr>{row}</tr>", f'<tr><td colspan="{n}" border="0">{text}</td></tr>']
    return ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
            + "".join(rows) + "</table>>")


# -- labels --------------------------------------------------------------------------------
def _esc(s: str) -> str:
    """Text for a DOT label: backslashes are DOT escapes, so literal ones are doubled."""
    return s.replace("\\", "\\\\")


def _op_name(node: Any) -> str:
    name = type(node).__name__
    return name[: -len("Backward")] if name.endswith("Backward") and name != "Backward" else name


def _plural(k: int, word: str) -> str:
    if k == 1:
        return f"1 {word}"
    return f"{k:,} " + (word[:-1] + "ves" if word.endswith("f") else word + "s")


def _values_line(data: np.ndarray) -> str:
    a = np.asarray(data)
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return f"value {fmt(float(a.reshape(-1)[0]))}"
    a64 = a.astype(np.float64, copy=False)
    lo, mean, hi = float(a64.min()), float(a64.mean()), float(a64.max())
    return f"min {fmt(lo)}  mean {fmt(mean)}  max {fmt(hi)}"


def _grad_of(v: Any) -> float | None:
    """Norm of the gradient that reached tensor vertex ``v`` in the last backward."""
    if v._IS_TENSOR:
        g = v.grad
        return None if g is None else norm(g.data)
    return grad_norm(v)


# -- the drawing ----------------------------------------------------------------------------
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
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(_DIRECTIONS)}; got {direction!r}")
    if not 0 < vanishing < 1 < exploding:
        raise ValueError(f"need 0 < vanishing < 1 < exploding; got {vanishing}, {exploding}")
    if max_nodes < 2:
        raise ValueError(f"max_nodes must be at least 2, got {max_nodes}")
    depth = int(collapse) if not isinstance(collapse, bool) else (1 if collapse else 0)

    roots = _roots(root)
    walk = _walk([v for v, _ in roots])
    order, index = walk.order, walk.index
    n = len(order)
    root_tensor = {index[id(v)]: t for v, t in roots}
    namer = _Namer(params)
    modules = _Modules()

    # -- what each vertex is: names of leaves, module (cluster / group) of each op ----------
    names: dict[int, str] = {}
    is_param = [False] * n
    home: list = [None] * n  # (id(root module), path) of the cluster a vertex is drawn in
    n_ops = n_leaves = 0
    for i, v in enumerate(order):
        if v._IS_TENSOR:
            n_leaves += 1
            name = namer.name(v, walk.leaf_scope.get(i))
            if name is not None:
                names[i] = name
            is_param[i] = name is not None or type(v).__name__ == "Parameter"
            continue
        n_ops += 1
        scope = v.scope
        if scope is None:
            continue
        rid, path = modules.see(scope)
        if path or modules.is_leaf_module(scope):
            home[i] = (rid, path)
    # Parameters sit in the cluster of the module that owns them (by their dotted name).
    homes = {key for key in home if key is not None}
    by_path = {key[1]: key for key in homes}
    for i, name in names.items():
        owner = name.rpartition(".")[0]
        scope = walk.leaf_scope.get(i)
        key = (id(getattr(scope, "root", None)), owner) if scope is not None else None
        if key is not None and key in homes:
            home[i] = key
        elif owner in by_path:
            home[i] = by_path[owner]

    # -- collapse: map vertices to module groups ---------------------------------------------
    unit = list(range(n))  # the drawn unit of each vertex: itself, or n + group number
    groups: list[tuple[int, str]] = []
    group_of: dict = {}
    if depth:
        for i in range(n):
            key = home[i]
            if key is None or not key[1] or i in root_tensor:
                continue  # the output stays visible; ops outside modules stay as they are
            key = (key[0], ".".join(key[1].split(".")[:depth]))
            g = group_of.get(key)
            if g is None:
                g = group_of[key] = len(groups)
                groups.append(key)
            unit[i] = n + g

    # -- summarise beyond max_nodes: nearest the output first, parameters always ----------
    def cost(u: int) -> int:
        return 1 if u >= n or order[u]._IS_TENSOR else 2

    unit_order = list(dict.fromkeys(unit))
    total = sum(cost(u) for u in unit_order)
    if total <= max_nodes:
        kept = set(unit_order)
    else:
        budget = max_nodes - 1  # one node says what was left out
        kept = set()
        for u in unit_order:  # the roots come first: always kept
            if u < n and u in root_tensor:
                kept.add(u)
                budget -= cost(u)
        # then parameters, then other leaves (what one differentiates with respect to),
        # on at most half the budget
        for want_param in (True, False):
            for u in unit_order:
                if budget <= max_nodes // 2:
                    break
                if (u < n and order[u]._IS_TENSOR and is_param[u] == want_param
                        and u not in kept):
                    kept.add(u)
                    budget -= 1
        for u in unit_order:
            if u in kept:
                continue
            c = cost(u)
            if c > budget:
                break
            kept.add(u)
            budget -= c
    hidden_ops = sum(1 for i in range(n) if unit[i] not in kept and not order[i]._IS_TENSOR)
    hidden_leaves = sum(1 for i in range(n) if unit[i] not in kept and order[i]._IS_TENSOR)
    hidden_nodes = 2 * hidden_ops + hidden_leaves

    # -- gradients: the scale is relative to the output's gradient ---------------------------
    grads: dict[int, float | None] = {}
    if show_grads:
        for i in range(n):
            if unit[i] in kept:
                grads[i] = _grad_of(order[i])
        if depth:  # a group's norm needs its parameters' grads
            for i in range(n):
                if unit[i] >= n and order[i]._IS_TENSOR and i not in grads:
                    grads[i] = _grad_of(order[i])
    any_grad = any(g is not None for g in grads.values())
    ref = None
    for v, _ in roots:
        g = grads.get(index[id(v)])
        if g is not None and g > 0 and math.isfinite(g):
            ref = g
            break
    scale = 1.0 if ref is None else ref

    # -- emit --------------------------------------------------------------------------------
    dot = GraphDrawing(name="chainrule", format="svg")
    dot.attr(rankdir=direction)
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.08,0.04", height="0.3")
    dot.attr("edge", arrowsize="0.7", color="#555555", fontname="Helvetica", fontsize="9")
    bodies: dict = {}  # cluster key -> node statements; None is the top level
    fmt_graph = graphviz.Digraph()  # formats one statement at a time with graphviz's quoting

    def emit(key: Any, name: str, label: str, **attrs: str) -> None:
        fmt_graph.node(name, label, **attrs)
        bodies.setdefault(key, []).append(fmt_graph.body.pop())

    def grad_attrs(value: float | None, attrs: dict, lines: list, classes: list) -> None:
        if not show_grads or not any_grad:
            return
        fill, flag = grad_colour(value, scale, vanishing, exploding)
        attrs["fillcolor"] = fill
        attrs["fontcolor"] = _font_for(fill)
        lines.append("no grad" if value is None else
                     f"|grad| {fmt(value)}" + (f"  ({flag})" if flag else ""))
        if flag in ("vanishing", "exploding", "nan", "inf"):
            attrs["penwidth"] = "3"
            classes.append(flag)

    def tensor_node(i: int) -> None:
        v = order[i]
        is_root = i in root_tensor
        lines: list = []
        classes = ["tensor"]
        attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff"}
        if v._IS_TENSOR:
            if is_param[i]:
                lines.append(names.get(i, "parameter"))
                attrs.update(shape="box3d", style="filled")
                classes.append("param")
            else:
                lines.append("leaf")
                attrs.update(shape="note", style="filled")
                classes.append("leaf")
        if is_root:
            lines.insert(0, "output")
            attrs.update(peripheries="2", penwidth="1.5")
            classes.append("root")
        shape = tuple(v.shape)
        lines.append(f"{fmt_shape(shape) if shape else 'scalar'} {np.dtype(v.dtype)}")
        if show_values:
            data = v.data if v._IS_TENSOR else getattr(root_tensor.get(i), "data", None)
            if data is not None:
                lines.append(_values_line(data))
        value = grads.get(i)
        grad_attrs(value, attrs, lines, classes)
        tip = " | ".join(lines)
        if value is not None:
            tip += f" | grad norm {value:.8g} ({value / scale:.3g} x the output's)"
        emit(home[i], f"t{i}", _esc("\n".join(lines)).replace("\n", "\\n"),
             tooltip=_esc(tip), **{"class": " ".join(classes)}, **attrs)

    def op_node(i: int) -> None:
        v = order[i]
        tip = type(v).__name__
        if home[i] is not None:
            tip += f" in {modules.label(*home[i])}"
        emit(home[i], f"op{i}", _esc(_op_name(v)), shape="ellipse", style="filled",
             fillcolor=_OP_FILL, tooltip=_esc(tip), **{"class": "op"})

    group_stats: dict[int, list] = {}
    for i in range(n):
        if unit[i] >= n:
            s = group_stats.setdefault(unit[i] - n, [0, 0, 0, 0.0, False])
            if order[i]._IS_TENSOR:
                s[1] += 1
                s[2] += int(np.prod(order[i].shape))
                g = grads.get(i)
                if g is not None:
                    s[3] += g * g
                    s[4] = True
            else:
                s[0] += 1

    for u in unit_order:
        if u not in kept:
            continue
        if u >= n:
            g = u - n
            rid, path = groups[g]
            ops, n_par, numel, sq, has = group_stats[g]
            lines = [modules.label(rid, path), f"{ops} ops, {n_par} parameters ({numel:,})"]
            attrs = {"shape": "box", "style": "filled,bold", "fillcolor": "#ffffff"}
            classes = ["group"]
            value = math.sqrt(sq) if has else None
            if show_grads and any_grad:
                fill, flag = grad_colour(value, scale, vanishing, exploding)
                attrs.update(fillcolor=fill, fontcolor=_font_for(fill))
                lines.append("no parameter grads" if value is None else
                             f"|grad| of parameters {fmt(value)}" + (f"  ({flag})" if flag else ""))
                if flag in ("vanishing", "exploding", "nan", "inf"):
                    attrs["penwidth"] = "3"
                    classes.append(flag)
            emit(None, f"g{g}", _esc("\n".join(lines)).replace("\n", "\\n"),
                 **{"class": " ".join(classes)}, **attrs)
            continue
        if not order[u]._IS_TENSOR:
            op_node(u)
        tensor_node(u)
    if hidden_nodes:
        emit(None, "more", f"{hidden_nodes:,} more nodes\\n({_plural(hidden_ops, 'op')}, "
             f"{_plural(hidden_leaves, 'leaf')})\\nraise max_nodes={max_nodes} to see them",
             shape="box", style="dashed", fontcolor="#555555", **{"class": "more"})

    # edges: input tensor -> op, op -> its output tensor
    def tensor_id(j: int) -> str:
        u = unit[j]
        if u not in kept:
            return "more"
        return f"g{u - n}" if u >= n else f"t{j}"

    edges: list[tuple[str, str, dict]] = []
    seen: set = set()
    has_out: set = set()
    for i in range(n):
        v = order[i]
        if v._IS_TENSOR or unit[i] not in kept:
            continue
        dst = f"g{unit[i] - n}" if unit[i] >= n else f"op{i}"
        if unit[i] < n:
            edges.append((dst, f"t{i}", {}))
        for e in v.edges:
            if e is None:
                continue
            j = index[id(e)]
            src = tensor_id(j)
            if src == dst:
                continue  # inside a collapsed module
            has_out.add(src)
            if src.startswith("t") and dst.startswith("op"):
                edges.append((src, dst, {}))  # x * x keeps its two edges
                continue
            if (src, dst) in seen:
                continue
            seen.add((src, dst))
            attrs = {"style": "dashed"} if src == "more" else {}
            if src.startswith("g"):  # what crosses between modules, and its gradient
                label = fmt_shape(tuple(e.shape))
                if grads.get(j) is not None:
                    label += f"\\n|grad| {fmt(grads[j])}"
                attrs["label"] = label
            edges.append((src, dst, attrs))
    for u in kept:  # kept parameters whose consumers were all folded away
        if u < n and order[u]._IS_TENSOR and u not in root_tensor and f"t{u}" not in has_out:
            edges.append((f"t{u}", "more", {"style": "dashed"}))

    # clusters, innermost first so that each is complete when added to its parent
    for key in [k for k in bodies if k is not None]:
        rid, path = key
        while "." in path:
            path = path.rpartition(".")[0]
            bodies.setdefault((rid, path), [])
    subs: dict = {}
    used: set = set()
    for key in sorted((k for k in bodies if k is not None), key=lambda k: -k[1].count(".")):
        rid, path = key
        name = base = "cluster_" + (path or modules.types.get(key, "module"))
        k = 1
        while name in used:  # two root modules may share a path: DOT would merge them
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        sub = graphviz.Digraph(name=name)
        sub.attr(label=_esc(modules.label(rid, path)), style="rounded", color="#9e9e9e",
                 fontcolor="#555555", fontname="Helvetica", fontsize="10", labeljust="l")
        sub.body.extend(bodies[key])
        for child in subs.pop(key, []):
            sub.subgraph(child)
        parent = (rid, path.rpartition(".")[0]) if "." in path else None
        subs.setdefault(parent, []).append(sub)
    for sub in subs.pop(None, []):
        dot.subgraph(sub)
    dot.body.extend(bodies.get(None, []))
    for src, dst, attrs in edges:
        dot.edge(src, dst, **attrs)

    if show_grads and any_grad:
        dot.node("legend", _legend(ref, vanishing, exploding, show_values), shape="plaintext",
                 **{"class": "legend"})
    n_params = sum(is_param)
    drawn = sum(cost(u) for u in kept) + (1 if hidden_nodes else 0)
    caption = [f"{n_ops:,} ops, {n_ops + n_leaves:,} tensors ({_plural(n_leaves, 'leaf')}, "
               f"{_plural(n_params, 'parameter')})"]
    if hidden_nodes:
        caption.append(f"summarised: the {drawn - 1:,} nodes nearest the output and "
                       f"the leaves are drawn, {hidden_nodes:,} more are folded "
                       f"(max_nodes={max_nodes})")
    if show_grads and not any_grad and n_ops:
        caption.append("no gradients yet: call .backward() to see their sizes")
    if depth and not groups:
        caption.append("collapse: no nn modules were recorded in this graph")
    dot.attr(label=_esc("\n".join(caption)).replace("\n", "\\n"), labelloc="b",
             fontname="Helvetica", fontsize="10")
    dot.summary = GraphSummary(ops=n_ops, tensors=n_ops + n_leaves, leaves=n_leaves,
                               parameters=n_params, drawn_nodes=drawn,
                               hidden_nodes=hidden_nodes)
    return dot
