"""Watching backprop: draw the graph, measure gradient flow, find graphs kept alive.

>>> import autograd as ag
>>> dot = ag.draw_graph(loss)                 # doctest: +SKIP
>>> ag.viz.gradient_flow(model, lr=0.1)       # doctest: +SKIP
>>> ag.viz.live_graph()                       # doctest: +SKIP
>>> monitor = ag.viz.Monitor(model)           # doctest: +SKIP
>>> monitor.step(lr=0.1); monitor.plot()      # doctest: +SKIP   (after optimizer.step())

(``trace_backward()``, the step-by-step chain rule, is in ``autograd.viz.trace``; also
``ag.trace_backward``.)
"""

from __future__ import annotations

from typing import Any

from autograd.viz.flow import GradientFlow, gradient_flow, plot_gradient_flow
from autograd.viz.live import LiveGraph, live_graph
from autograd.viz.monitor import Monitor, MonitorHistory
from autograd.viz.sequence import (
    StepGradients,
    plot_attention,
    plot_step_gradients,
    step_gradients,
)
from autograd.viz.trace import trace_backward

# The drawing needs the graphviz Python package; the statistics and live_graph do not,
# so its names load on first use (PEP 562).
_DRAW_NAMES = {"EXPLODING", "VANISHING", "GraphDrawing", "GraphSummary",
               "GraphvizNotFoundError", "grad_colour"}


def draw_graph(root: Any, params: Any = None, show_values: bool = False,
               show_grads: bool = True, direction: str = "TB", collapse: bool | int = False,
               max_nodes: int | None = None, **options: Any) -> Any:
    """A ``graphviz.Digraph`` of everything ``root`` depends on, with each gradient's norm
    after backward (details in ``autograd.viz.draw.draw_graph``)."""
    try:
        from autograd.viz.draw import draw_graph as draw
    except ModuleNotFoundError as err:  # graphviz is a dependency, but say what to do
        raise ImportError("draw_graph needs the graphviz Python package: "
                          "pip install graphviz") from err
    if max_nodes is not None:
        options["max_nodes"] = max_nodes
    return draw(root, params=params, show_values=show_values, show_grads=show_grads,
                direction=direction, collapse=collapse, **options)


def __getattr__(name: str) -> Any:
    if name in _DRAW_NAMES:
        from autograd.viz import draw

        return getattr(draw, name)
    raise AttributeError(f"module 'autograd.viz' has no attribute {name!r}")


__all__ = [
    "EXPLODING", "VANISHING", "GradientFlow", "GraphDrawing", "GraphSummary",
    "GraphvizNotFoundError", "LiveGraph", "Monitor", "MonitorHistory", "draw_graph",
    "grad_colour", "gradient_flow", "live_graph", "plot_gradient_flow", "trace_backward",
]
__all__ += ["StepGradients", "plot_attention", "plot_step_gradients", "step_gradients"]
