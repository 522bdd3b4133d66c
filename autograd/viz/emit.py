"""The last stage of a drawing: DOT statements for the nodes, edges and module clusters.

Node ids: ``t<i>`` the tensor of vertex ``i`` (an op's output, or a leaf), ``op<i>`` the
op of vertex ``i``, ``g<k>`` collapsed module ``k``, ``more`` the node that stands for
everything summarised away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd.backend import to_host
from autograd.viz._common import fmt, fmt_shape
from autograd.viz.classify import Graph
from autograd.viz.colours import FLAGGED, font_for, grad_colour
from autograd.viz.constants import Constant
from autograd.viz.summarise import Grades, Units

_OP_FILL = "#f2f2f2"


def esc(s: str) -> str:
    """Text for a DOT label: backslashes are DOT escapes, so literal ones are doubled."""
    return s.replace("\\", "\\\\")


def dot_lines(lines: list[str]) -> str:
    """Label lines joined by DOT's centred line break."""
    return esc("\n".join(lines)).replace("\n", "\\n")


def op_name(node: Any) -> str:
    name = type(node).__name__
    return name[: -len("Backward")] if name.endswith("Backward") and name != "Backward" else name


def plural(k: int, word: str) -> str:
    if k == 1:
        return f"1 {word}"
    return f"{k:,} " + (word[:-1] + "ves" if word.endswith("f") else word + "s")


def values_line(data: np.ndarray) -> str:
    a = np.asarray(to_host(data))  # a device array's values are drawn from a host copy
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return f"value {fmt(float(a.reshape(-1)[0]))}"
    a64 = a.astype(np.float64, copy=False)
    lo, mean, hi = float(a64.min()), float(a64.mean()), float(a64.max())
    return f"min {fmt(lo)}  mean {fmt(mean)}  max {fmt(hi)}"


@dataclass
class Style:
    """What the caller asked to see, and the gradient norms that colour it."""

    show_values: bool
    show_grads: bool
    grades: Grades
    vanishing: float
    exploding: float
    max_nodes: int

    def grade(self, value: float | None, attrs: dict, lines: list, classes: list,
              what: str = "|grad|", missing: str = "no grad") -> None:
        """Colour a node by ``value`` and add its norm (and flag) to its label."""
        if not self.grades.shown:
            return
        fill, flag = grad_colour(value, self.grades.scale, self.vanishing, self.exploding)
        attrs["fillcolor"] = fill
        attrs["fontcolor"] = font_for(fill)
        lines.append(missing if value is None else
                     f"{what} {fmt(value)}" + (f"  ({flag})" if flag else ""))
        if flag in FLAGGED:
            attrs["penwidth"] = "3"
            classes.append(flag)


class Statements:
    """Node statements grouped by the cluster they are drawn in (``None``: top level),
    formatted one at a time with graphviz's own quoting."""

    def __init__(self, extra: dict[str, dict] | None = None) -> None:
        self.bodies: dict = {}
        self._fmt = graphviz.Digraph()
        self.extra = extra or {}  # more attributes for some nodes (their layout group)

    def node(self, key: Any, name: str, label: str, **attrs: str) -> None:
        more = self.extra.get(name)
        if more:
            attrs.update(more)
        self._fmt.node(name, label, **attrs)
        self.bodies.setdefault(key, []).append(self._fmt.body.pop())


# -- nodes --------------------------------------------------------------------------------
def tensor_node(out: Statements, g: Graph, st: Style, i: int) -> None:
    v = g.order[i]
    lines: list = []
    classes = ["tensor"]
    attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff"}
    if v._IS_TENSOR:
        if g.is_param[i]:
            lines.append(g.names.get(i, "parameter"))
            attrs.update(shape="box3d", style="filled")
            classes.append("param")
        else:
            lines.append("leaf")
            attrs.update(shape="note", style="filled")
            classes.append("leaf")
    if i in g.root_tensor:
        lines.insert(0, "output")
        attrs.update(peripheries="2", penwidth="1.5")
        classes.append("root")
    shape = tuple(v.shape)
    lines.append(f"{fmt_shape(shape) if shape else 'scalar'} {np.dtype(v.dtype)}")
    if st.show_values:
        data = v._data if v._IS_TENSOR else getattr(g.root_tensor.get(i), "_data", None)
        if data is not None:
            lines.append(values_line(data))
    value = st.grades.values.get(i)
    st.grade(value, attrs, lines, classes)
    tip = " | ".join(lines)
    if value is not None:
        tip += f" | grad norm {value:.8g} ({value / st.grades.scale:.3g} x the output's)"
    out.node(g.home[i], f"t{i}", dot_lines(lines), tooltip=esc(tip),
             **{"class": " ".join(classes)}, **attrs)


def op_node(out: Statements, g: Graph, i: int) -> None:
    v = g.order[i]
    tip = type(v).__name__
    if g.home[i] is not None:
        tip += f" in {g.modules.label(*g.home[i])}"
    out.node(g.home[i], f"op{i}", esc(op_name(v)), shape="ellipse", style="filled",
             fillcolor=_OP_FILL, tooltip=esc(tip), **{"class": "op"})


def _group_stats(g: Graph, units: Units, grades: Grades) -> dict[int, list]:
    """Per collapsed module: [ops, parameters, their elements, sum of squared grad norms,
    whether any parameter has a grad]."""
    n = len(g.order)
    stats: dict[int, list] = {}
    for i in range(n):
        if units.unit[i] >= n:
            s = stats.setdefault(units.unit[i] - n, [0, 0, 0, 0.0, False])
            if g.order[i]._IS_TENSOR:
                s[1] += 1
                s[2] += int(np.prod(g.order[i].shape))
                x = grades.values.get(i)
                if x is not None:
                    s[3] += x * x
                    s[4] = True
            else:
                s[0] += 1
    return stats


def group_node(out: Statements, g: Graph, st: Style, k: int, rid: int, path: str,
               stats: list) -> None:
    ops, n_par, numel, sq, has = stats
    lines = [g.modules.label(rid, path), f"{ops} ops, {n_par} parameters ({numel:,})"]
    attrs = {"shape": "box", "style": "filled,bold", "fillcolor": "#ffffff"}
    classes = ["group"]
    st.grade(math.sqrt(sq) if has else None, attrs, lines, classes,
             what="|grad| of parameters", missing="no parameter grads")
    out.node(None, f"g{k}", dot_lines(lines), **{"class": " ".join(classes)}, **attrs)


def more_node(out: Statements, units: Units, st: Style) -> None:
    """The node standing for everything summarised away, with the range of the gradient
    norms it hides, coloured (and flagged) by the end of the range furthest from the
    output's norm, so that a vanishing stretch is never folded out of sight."""
    lines = [f"{units.hidden_nodes:,} more nodes",
             f"({plural(units.hidden_ops, 'op')}, {plural(units.hidden_leaves, 'leaf')})"]
    attrs = {"shape": "box", "style": "dashed", "fontcolor": "#555555"}
    classes = ["more"]
    h = st.grades.hidden
    if st.grades.shown and (h.lo is not None or h.zeros or h.nan or h.inf):
        flags = []
        fill = None
        if h.lo is not None:
            lo, hi = (grad_colour(x, st.grades.scale, st.vanishing, st.exploding)
                      for x in (h.lo, h.hi))
            flags = [f for _, f in (lo, hi) if f]
            # the end further from the output's norm (in decades) colours the node
            far = abs(math.log10(h.lo / st.grades.scale)) > abs(math.log10(h.hi / st.grades.scale))
            fill = (lo if far else hi)[0]
            rng = fmt(h.lo) if h.lo == h.hi else f"{fmt(h.lo)} – {fmt(h.hi)}"
            lines.append(f"|grad| {rng}" + (f"  ({', '.join(dict.fromkeys(flags))})"
                                            if flags else ""))
        extra = [f"{k:,} {word}" for k, word in ((h.zeros, "zero"), (h.nan, "nan"), (h.inf, "inf"))
                 if k]
        if extra:
            lines.append("and " + ", ".join(extra))
        flags += [f for k, f in ((h.nan, "nan"), (h.inf, "inf")) if k]
        if h.nan or h.inf:
            fill = grad_colour(float("nan"))[0]
        if fill is not None:
            attrs.update(style="dashed,filled", fillcolor=fill, fontcolor=font_for(fill))
        if any(f in FLAGGED for f in flags):
            attrs["penwidth"] = "3"
            classes += [f for f in dict.fromkeys(flags) if f in FLAGGED]
    lines.append(f"raise max_nodes={st.max_nodes} to see them")
    out.node(None, "more", dot_lines(lines), **{"class": " ".join(classes)}, **attrs)


def constant_edges(g: Graph, units: Units) -> tuple[list, list[tuple[str, str, dict]]]:
    """The inputs needing no grad that are drawn, as ``(node id, Constant)`` (each once,
    however many ops it feeds), and an edge into each kept op (or collapsed module) it
    feeds, labelled with its shape and dtype."""
    n = len(g.order)
    ids: dict = {}
    drawn = []
    out = []
    seen: set = set()
    for i, held in g.consts.items():
        u = units.unit[i]
        if u not in units.kept:
            continue
        dst = f"op{i}" if u < n else f"g{u - n}"
        for c in held:
            name = ids.get(c.key)
            if name is None:
                name = ids[c.key] = f"k{len(ids)}"
                drawn.append((name, c))
            if (name, dst) in seen and u >= n:
                continue  # into a collapsed module: one edge
            seen.add((name, dst))
            out.append((name, dst, {"label": esc(_describe(c)), "style": "dashed"}))
    return drawn, out


def _describe(c: Constant) -> str:
    return f"{fmt_shape(c.shape) if c.shape else 'scalar'} {c.dtype}"


def constant_node(out: Statements, st: Style, name: str, c: Constant) -> None:
    """A dashed box for an input needing no grad (its shape and dtype are on its edges)."""
    lines = [c.name]
    if st.show_values and c.data is not None:
        lines.append(values_line(c.data))
    out.node(None, name, dot_lines(lines), shape="box", style="rounded,dashed",
             tooltip=esc(f"{c.name} | {_describe(c)} | needs no grad"),
             **{"class": f"const {c.name}"})


def nodes(g: Graph, units: Units, st: Style, consts: list,
          extra: dict[str, dict] | None = None) -> Statements:
    """Statements for every kept unit, in order from the output, the inputs needing no
    grad (``consts``, from :func:`constant_edges`) and the "more" node; ``extra`` adds
    attributes to some nodes."""
    out = Statements(extra)
    n = len(g.order)
    stats = _group_stats(g, units, st.grades)
    for u in units.order:
        if u not in units.kept:
            continue
        if u >= n:
            rid, path = units.groups[u - n]
            group_node(out, g, st, u - n, rid, path, stats[u - n])
            continue
        if not g.order[u]._IS_TENSOR:
            op_node(out, g, u)
        tensor_node(out, g, st, u)
    for name, c in consts:
        constant_node(out, st, name, c)
    if units.hidden_nodes:
        more_node(out, units, st)
    return out


# -- edges --------------------------------------------------------------------------------
def edges(g: Graph, units: Units, grades: Grades) -> list[tuple[str, str, dict]]:
    """Input tensor -> op and op -> its output tensor, in data-flow direction. Edges into a
    collapsed module are drawn once and labelled with what crosses (shape, |grad|)."""
    n = len(g.order)
    unit, kept = units.unit, units.kept

    def tensor_id(j: int) -> str:
        u = unit[j]
        if u not in kept:
            return "more"
        return f"g{u - n}" if u >= n else f"t{j}"

    out: list[tuple[str, str, dict]] = []
    seen: set = set()
    has_out: set = set()
    for i in range(n):
        v = g.order[i]
        if v._IS_TENSOR or unit[i] not in kept:
            continue
        dst = f"g{unit[i] - n}" if unit[i] >= n else f"op{i}"
        if unit[i] < n:
            out.append((dst, f"t{i}", {}))
        for e in v.edges:
            if e is None:
                continue
            j = g.index[id(e)]
            src = tensor_id(j)
            if src == dst:
                continue  # inside a collapsed module
            has_out.add(src)
            if src.startswith("t") and dst.startswith("op"):
                out.append((src, dst, {}))  # x * x keeps its two edges
                continue
            if (src, dst) in seen:
                continue
            seen.add((src, dst))
            attrs = {"style": "dashed"} if src == "more" else {}
            if src.startswith("g"):  # what crosses between modules, and its gradient
                label = fmt_shape(tuple(e.shape))
                if grades.values.get(j) is not None:
                    label += f"\\n|grad| {fmt(grades.values[j])}"
                attrs["label"] = label
            out.append((src, dst, attrs))
    for u in kept:  # kept parameters whose consumers were all folded away
        if u < n and g.order[u]._IS_TENSOR and u not in g.root_tensor and f"t{u}" not in has_out:
            out.append((f"t{u}", "more", {"style": "dashed"}))
    return out


# -- clusters -----------------------------------------------------------------------------
def add_clusters(dot: graphviz.Digraph, out: Statements, g: Graph) -> None:
    """Nest each module's statements in a cluster inside its parent module's, innermost
    first so that each is complete when added to its parent; then the top level."""
    bodies = out.bodies
    for key in [k for k in bodies if k is not None]:
        rid, path = key
        while "." in path:
            path = path.rpartition(".")[0]
            bodies.setdefault((rid, path), [])
    subs: dict = {}
    used: set = set()
    for key in sorted((k for k in bodies if k is not None), key=lambda k: -k[1].count(".")):
        rid, path = key
        name = base = "cluster_" + (path or g.modules.types.get(key, "module"))
        k = 1
        while name in used:  # two root modules may share a path: DOT would merge them
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        sub = graphviz.Digraph(name=name)
        sub.attr(label=esc(g.modules.label(rid, path)), style="rounded", color="#9e9e9e",
                 fontcolor="#555555", fontname="Helvetica", fontsize="10", labeljust="l")
        sub.body.extend(bodies[key])
        for child in subs.pop(key, []):
            sub.subgraph(child)
        parent = (rid, path.rpartition(".")[0]) if "." in path else None
        subs.setdefault(parent, []).append(sub)
    for sub in subs.pop(None, []):
        dot.subgraph(sub)
    dot.body.extend(bodies.get(None, []))
