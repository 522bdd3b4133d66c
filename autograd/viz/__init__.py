"""Watching backprop: draw the graph, measure gradient flow, find graphs kept alive.

>>> import autograd as ag
>>> dot = ag.draw_graph(loss)                 # doctest: +SKIP
>>> ag.viz.gradient_flow(model, lr=0.1)       # doctest: +SKIP
>>> ag.viz.live_graph()                       # doctest: +SKIP

(``ag.trace_backward()``, the step-by-step chain rule, lives in ``autograd.trace``.)
"""

from __future__ import annotations

from autograd.trace import trace_backward
from autograd.viz.draw import (
    EXPLODING,
    VANISHING,
    GraphDrawing,
    GraphSummary,
    GraphvizNotFoundError,
    draw_graph,
    grad_colour,
)
from autograd.viz.flow import GradientFlow, gradient_flow, plot_gradient_flow
from autograd.viz.live import LiveGraph, live_graph

__all__ = [
    "EXPLODING", "VANISHING", "GradientFlow", "GraphDrawing", "GraphSummary",
    "GraphvizNotFoundError", "LiveGraph", "draw_graph", "grad_colour", "gradient_flow",
    "live_graph", "plot_gradient_flow", "trace_backward",
]
