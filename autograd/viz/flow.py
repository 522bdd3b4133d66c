"""Gradient flow per layer: the statistics and the bar chart people draw by hand to
diagnose vanishing and exploding gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import to_host
from autograd.viz._common import fmt, fmt_shape, named_parameters, norm, text_table


class GradientFlow(list):
    """Rows of :func:`gradient_flow` (plain dicts); ``str()`` is a table."""

    def __str__(self) -> str:
        if not self:
            return "(no parameter has a gradient: call .backward() first)"
        ratio = any("update_ratio" in r for r in self)
        head = ["name", "shape", "mean |g|", "max |g|", "|g|"] + (["lr·|g|/|w|"] if ratio else [])
        rows = [head]
        for r in self:
            row = [r["name"], fmt_shape(r["shape"]), fmt(r["mean_abs"]), fmt(r["max_abs"]),
                   fmt(r["norm"])]
            if ratio:
                row.append(fmt(r.get("update_ratio")))
            rows.append(row)
        return text_table(rows, right=set(range(2, len(head))))

    def __repr__(self) -> str:
        return str(self)


def gradient_flow(model_or_named_parameters: Any, lr: float | None = None) -> GradientFlow:
    """Per-parameter gradient statistics, in ``named_parameters()`` order.

    Args:
        model_or_named_parameters: a module (anything with ``named_parameters()``), a
            dict of ``name -> tensor``, or an iterable of ``(name, tensor)`` pairs.
        lr: when given, each row also has ``update_ratio = lr * |grad| / |weight|``, the
            relative size of an SGD step (around 1e-3 is the usual healthy value).

    Returns:
        a list (a :class:`GradientFlow`, whose ``str()`` is a table) with one dict per
        parameter that has a gradient: ``name``, ``shape``, ``mean_abs``, ``max_abs``,
        ``norm`` (statistics of the gradient, computed in float64) and maybe
        ``update_ratio``. Parameters whose ``.grad`` is ``None`` are left out.
    """
    rows = GradientFlow()
    for name, p in named_parameters(model_or_named_parameters):
        grad = getattr(p, "grad", None)
        if grad is None:
            continue
        g = np.abs(np.asarray(to_host(getattr(grad, "_data", grad)), dtype=np.float64))
        row: dict[str, Any] = {
            "name": name,
            "shape": tuple(p.shape),
            "mean_abs": float(g.mean()) if g.size else 0.0,
            "max_abs": float(g.max()) if g.size else 0.0,
            "norm": norm(g),
        }
        if lr is not None:
            w = norm(np.asarray(to_host(getattr(p, "_data", p))))
            gn = row["norm"]
            # A zero weight (a fresh bias) makes any step infinitely large relative to it.
            row["update_ratio"] = lr * gn / w if w > 0 else (0.0 if gn == 0 else math.inf)
        rows.append(row)
    return rows


def _floor(values: list[float]) -> float:
    """Where zero bars are drawn on the log axis: a decade below the smallest non-zero."""
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    return min(pos) / 10 if pos else 1e-12


def plot_gradient_flow(model_or_named_parameters: Any, ax: Any = None,
                       title: str = "Gradient flow") -> Any:
    """Bar chart of each parameter's mean and max ``|grad|`` on a log axis.

    Layers whose bars shrink by orders of magnitude towards the input show vanishing
    gradients; zero gradients (e.g. dead ReLUs) are hatched at the bottom of the axis.

    Args:
        model_or_named_parameters: as for :func:`gradient_flow`.
        ax: a matplotlib ``Axes`` to draw into; by default a new figure (made without
            pyplot, so nothing global changes and any backend works).
        title: the axes' title.

    Returns:
        the matplotlib ``Figure``.

    Raises:
        ImportError: when matplotlib is not installed (``gradient_flow`` still works).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "plot_gradient_flow needs matplotlib: pip install matplotlib "
            "(gradient_flow() gives the same numbers without it)"
        ) from err
    rows = gradient_flow(model_or_named_parameters)
    if ax is None:
        fig = Figure(figsize=(max(6.0, 0.45 * len(rows) + 2.0), 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    names = [r["name"] for r in rows]
    means = [r["mean_abs"] for r in rows]
    maxes = [r["max_abs"] for r in rows]
    floor = _floor(means + maxes)
    x = np.arange(len(rows))
    width = 0.4
    # Bars start at the floor so that a log axis can show them; zeros get a hatched stub.
    for offset, vals, colour, label in ((-width / 2, maxes, "#f4a582", "max |grad|"),
                                        (width / 2, means, "#4393c3", "mean |grad|")):
        heights = [v - floor if v > floor else 0.0 for v in vals]
        ax.bar(x + offset, heights, width, bottom=floor, color=colour, label=label)
        zeros = [k for k, v in enumerate(vals) if not v > 0]
        if zeros:
            ax.bar(x[zeros] + offset, [floor] * len(zeros), width, bottom=floor,
                   color="none", edgecolor="#999999", hatch="///", label=None)
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=60, ha="right", rotation_mode="anchor", fontsize=8)
    ax.set_xlim(-0.7, max(len(rows), 1) - 0.3)
    ax.set_ylabel("|grad| (log scale)")
    ax.set_title(title if rows else f"{title}: no parameter has a gradient yet")
    ax.grid(True, axis="y", which="major", alpha=0.3)
    if rows:
        ax.legend(loc="best", fontsize=8)
    return fig
