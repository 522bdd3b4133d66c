"""Drawing one forward+backward pass to a file (``chainrule train`` and ``chainrule graph``)."""

from __future__ import annotations

import pathlib
import shutil
from typing import Any

import numpy as np

import autograd as ag
import nn
from nn.cli.common import CLIError

__all__ = ["backward_graph", "check_format", "dot_available", "render"]


def backward_graph(model: Any, x: np.ndarray, y: np.ndarray, **draw_options: Any) -> Any:
    """Run one forward and backward on ``(x, y)``; return the drawing of the loss's graph
    (``draw_options`` go to :func:`autograd.draw_graph`)."""
    # Only the grads of this one batch may show: stale ones would mislabel the drawing.
    model.zero_grad()
    device = next(iter(model.parameters())).device  # the batch goes where the model is
    loss = nn.CrossEntropyLoss()(model(ag.tensor(x, device=device)), ag.tensor(y, device=device))
    loss.backward()
    graph = ag.draw_graph(loss, params=dict(model.named_parameters()), **draw_options)
    model.zero_grad()
    return graph


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def check_format(path: pathlib.Path) -> str:
    """The output format named by ``path``'s suffix; a CLIError if unknown or not drawable."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        return "dot"
    if fmt not in ("svg", "png", "pdf"):
        raise CLIError(f"cannot tell the format from {path.name!r}: use a .svg, .png or .dot file")
    if not dot_available():
        raise CLIError(
            f"writing {path.name} needs Graphviz's 'dot' program, which is not on PATH: "
            "install Graphviz (e.g. apt install graphviz, brew install graphviz) or write a "
            ".dot file instead"
        )
    return fmt


def render(graph: Any, path: pathlib.Path) -> None:
    """Write ``graph`` to ``path`` in the format its suffix names (.svg, .png or .dot)."""
    fmt = check_format(path)
    if fmt == "dot":
        path.write_text(graph.source)
    else:
        path.write_bytes(graph.pipe(format=fmt))
