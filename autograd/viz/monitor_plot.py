"""The four views of a :class:`~autograd.viz.monitor.Monitor`, as drawn by hand in the
best-known lecture on training deep nets (activations, gradients and BatchNorm):

* ``activations``: a histogram of each watched layer's output at the last recorded step,
  its mean, std and saturated share ("dead" for ReLU) in the legend;
* ``gradients``: a histogram of the gradient arriving at each of those outputs;
* ``grad_data``: a histogram of each weight matrix's gradient, with its
  gradient-to-data ratio ``std(grad) / std(weight)`` in the legend;
* ``update_data``: ``log10(std(update) / std(weight))`` of each weight over the steps,
  with the guide line at -3 (updates about a thousandth of the values: the usual
  healthy rate; far below learns slowly, far above is unstable).

Weights are the parameters with two or more dimensions (all parameters if there are
none). Drawn with matplotlib's object API (``Figure``, never ``pyplot``): any backend
works and nothing global changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["VIEWS", "plot_monitor"]

VIEWS = ("activations", "gradients", "grad_data", "update_data")
_TITLES = {"activations": "activation distribution", "gradients": "gradient distribution",
           "grad_data": "weight gradient distribution",
           "update_data": "update:data ratio (log10)"}
# Bins: about the square root of the values drawn (a subsample of ``sample`` values, 256
# by default: 16 bins), within these bounds; more would show the draw's noise.
_BINS = (10, 50)


def _weights(monitor: Any) -> list[int]:
    idx = [j for j, (_, p) in enumerate(monitor.params) if len(p.shape) >= 2]
    return idx or list(range(len(monitor.params)))


def _histogram(ax: Any, values: np.ndarray, label: str) -> None:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    bins = min(max(round(finite.size ** 0.5), _BINS[0]), _BINS[1])
    counts, edges = np.histogram(finite, bins=bins, density=True)
    ax.plot((edges[:-1] + edges[1:]) / 2, counts, label=label)


def _draw_layers(monitor: Any, ax: Any, view: str) -> None:
    samples = monitor.last_samples()["activations" if view == "activations" else "gradients"]
    kinds = monitor.kinds
    steps, saturated = monitor.series("saturated")
    for i, (name, _) in enumerate(monitor.layers):
        if name not in samples:
            continue
        v = samples[name].astype(np.float64)
        label = f"{name} ({monitor.layer_types[i]}): mean {v.mean():+.2g}, std {v.std():.2g}"
        if view == "activations" and kinds[i] is not None:
            word = "dead" if kinds[i] == "relu" else "saturated"
            label += f", {word} {100 * saturated[-1, i]:.1f}%"
        _histogram(ax, v, label)
    ax.set_xlabel("activation value" if view == "activations" else "gradient value")
    ax.set_ylabel("density")
    _finish(ax, f"{_TITLES[view]} (step {steps[-1]})", bool(samples))


def _draw_grad_data(monitor: Any, ax: Any) -> None:
    samples = monitor.last_samples()["param_grads"]
    steps, ratio = monitor.series("grad_data")
    for j in _weights(monitor):
        name, p = monitor.params[j]
        if name not in samples:
            continue
        shape = "x".join(str(int(s)) for s in p.shape)
        _histogram(ax, samples[name].astype(np.float64),
                   f"{name} ({shape}): grad:data {ratio[-1, j]:.2e}")
    ax.set_xlabel("gradient value")
    ax.set_ylabel("density")
    _finish(ax, f"{_TITLES['grad_data']} (step {steps[-1]})", bool(samples))


def _draw_update_data(monitor: Any, ax: Any) -> None:
    steps, ratio = monitor.series("update_data")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(ratio)
    for j in _weights(monitor):
        ax.plot(steps, np.where(np.isfinite(logs[:, j]), logs[:, j], np.nan),
                label=monitor.params[j][0])
    ax.axhline(-3, color="k", linestyle="--", linewidth=1, label="1e-3")
    ax.set_xlabel("step")
    ax.set_ylabel("log10 std(update) / std(data)")
    _finish(ax, _TITLES["update_data"], True)


def _finish(ax: Any, title: str, has_data: bool) -> None:
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if has_data:
        ax.legend(fontsize=7, loc="best")
    else:
        ax.text(0.5, 0.5, "nothing recorded for this view", ha="center", va="center",
                transform=ax.transAxes)


def plot_monitor(monitor: Any, kind: str | None = None, ax: Any = None) -> Any:
    """Draw ``monitor``'s four views into one ``Figure`` (2x2), or the one view ``kind``.

    Args:
        monitor: a :class:`~autograd.viz.monitor.Monitor` with at least one recorded step.
        kind: ``None`` for all four, else one of :data:`VIEWS`.
        ax: an ``Axes`` to draw the single view ``kind`` into (a new figure if None).

    Returns:
        the matplotlib ``Figure``.

    Raises:
        ValueError: unknown ``kind``, or ``ax`` given without ``kind``.
        RuntimeError: nothing recorded yet (no ``monitor.step()`` since it was attached).
        ImportError: matplotlib is not installed (``monitor.history`` works without it).
    """
    if kind is not None and kind not in VIEWS:
        raise ValueError(f"Monitor.plot: kind must be None or one of {VIEWS}, got {kind!r}")
    if ax is not None and kind is None:
        raise ValueError("Monitor.plot: ax draws one view; pass kind= as well")
    steps, _ = monitor.series("mean")
    if steps.size == 0:
        raise RuntimeError("Monitor.plot: nothing recorded yet; call monitor.step() after "
                           "each optimizer.step()")
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("Monitor.plot needs matplotlib: pip install matplotlib "
                          "(monitor.history has the same numbers without it)") from err
    views = VIEWS if kind is None else (kind,)
    if ax is None:
        fig = Figure(figsize=(13, 9) if kind is None else (7, 4.5), layout="constrained")
        axes = fig.subplots(2, 2).ravel() if kind is None else [fig.add_subplot()]
    else:
        fig, axes = ax.figure, [ax]
    for view, a in zip(views, axes):
        if view in ("activations", "gradients"):
            _draw_layers(monitor, a, view)
        elif view == "grad_data":
            _draw_grad_data(monitor, a)
        else:
            _draw_update_data(monitor, a)
    return fig
