"""Seeing sequence models: the gradient reaching each time step of a recurrence, and
attention maps per head.

After ``loss.backward()`` every recurrence op (``autograd.ops.recurrent``) has recorded
‖∂L/∂h_t‖ for each step t, the total gradient reaching the state h_t (through the output
at t and through all later steps). :func:`step_gradients` collects them from the graph;
:func:`plot_step_gradients` draws them on a log scale, vanishing gradients through time
made visible. :func:`plot_attention` draws attention weights (heads, T_q, T_k).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.backend import to_host

__all__ = ["StepGradients", "plot_attention", "plot_step_gradients", "step_gradients"]


@dataclass(frozen=True)
class StepGradients:
    """‖∂L/∂h_t‖ for t = 0 … T−1 of one recurrence (one layer, one direction)."""

    mode: str  # 'tanh', 'relu', 'gru' or 'lstm'
    reverse: bool  # True: the direction that reads the sequence from its end
    norms: np.ndarray  # (T,)

    @property
    def label(self) -> str:
        return f"{self.mode} {'backward' if self.reverse else 'forward'}"


def step_gradients(root: Any) -> list[StepGradients]:
    """Every recurrence that ``root`` (a Tensor or a node, after its backward) depends on,
    in graph order from ``root``: the layer nearest the loss first, forward before reverse
    within a layer."""
    start = getattr(root, "_node", root) if getattr(root, "_IS_TENSOR", False) else root
    found, seen, stack = [], set(), [start]
    while stack:
        v = stack.pop()
        if v is None or getattr(v, "_IS_TENSOR", False) or id(v) in seen:
            continue
        seen.add(id(v))
        norms = getattr(v, "step_grad_norms", None)
        if norms is not None:
            mode, reverse, _ = v.meta
            norms = np.asarray([float(to_host(n)) for n in norms])  # host floats, any device
            found.append(StepGradients(mode, bool(reverse), norms))
        stack.extend(reversed(v.edges))
    return found


def plot_step_gradients(records: Sequence[StepGradients] | Any, ax: Any = None,
                        title: str | None = None) -> Any:
    """Line plot of ‖∂L/∂h_t‖ over t (log scale), one line per recurrence.

    ``records`` is :func:`step_gradients`'s list, or a Tensor to collect it from.
    Returns the matplotlib ``Figure``.
    """
    if not isinstance(records, (list, tuple)):
        records = step_gradients(records)
    if not records:
        raise ValueError("plot_step_gradients: no recurrence with recorded step gradients "
                         "(call backward() on a loss computed through an RNN/GRU/LSTM first)")
    fig, ax = _axes(ax, (7.0, 3.8))
    for r in records:
        ax.plot(np.arange(len(r.norms)), np.maximum(r.norms, 1e-30), marker=".",
                label=r.label, linestyle="--" if r.reverse else "-")
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel("‖∂L/∂h_t‖")
    ax.set_title(title or "gradient reaching each time step")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig


def plot_attention(weights: Any, tokens_q: Sequence[str] | None = None,
                   tokens_k: Sequence[str] | None = None, title: str | None = None) -> Any:
    """Heat maps of attention weights (heads, T_q, T_k) (or one (T_q, T_k) map), one panel
    per head; rows are queries, columns keys. Returns the matplotlib ``Figure``."""
    w = getattr(weights, "data", weights)
    w = np.asarray(to_host(getattr(w, "_data", w)), dtype=np.float64)
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3:
        raise ValueError(f"plot_attention: expected weights of shape (heads, T_q, T_k) or "
                         f"(T_q, T_k), got {w.shape}")
    n = w.shape[0]
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.6 * n + 0.6, 2.9), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for h, ax in enumerate(axes):
        im = ax.imshow(w[h], vmin=0.0, vmax=1.0, cmap="viridis")
        ax.grid(False)
        ax.set_title(f"head {h}", fontsize="small")
        for setter, toks, size in ((ax.set_yticks, tokens_q, w.shape[1]),
                                   (ax.set_xticks, tokens_k, w.shape[2])):
            if toks is not None:
                setter(range(size), [str(t) for t in toks][:size], fontsize="x-small")
        ax.set_xlabel("key", fontsize="small")
        if h == 0:
            ax.set_ylabel("query", fontsize="small")
    fig.colorbar(im, ax=list(axes), shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def _axes(ax: Any, size: tuple) -> tuple:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()
