"""Watching training: activation, gradient and update statistics over time.

``Monitor(model)`` attaches a forward hook to each watched layer and, on each output that
builds a graph, a tensor hook for the gradient arriving at that output. After every
``optimizer.step()`` the training loop calls ``monitor.step(lr=...)``; the step's
statistics then join ``monitor.history``::

    monitor = ag.viz.Monitor(model)
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        monitor.step(lr=optimizer.param_groups[0]["lr"])
    monitor.plot()          # the four views of the lecture on training deep nets by hand
    monitor.remove()        # detaches every hook

What one step costs: the hooks keep a bounded, fixed-stride subsample of each activation
and of its gradient (at most ``sample`` values: a copy, since a later in-place op may
overwrite the layer's output), and ``step()`` gathers those with a subsample of each
parameter's gradient and values into one array (one ``np.concatenate``). The statistics
are computed for ``CHUNK`` steps at once (segmented reductions over the stacked rows),
so their NumPy calls are shared by many steps; ``monitor.history`` computes the steps
still pending when it is read. The update is measured, not predicted: the parameter
subsample of the previous step is kept (the previous row itself when that step was
recorded, otherwise a copy of the subsample taken only when the next step is recorded),
so the ratio is that of whatever the optimiser did (SGD, momentum, Adam...).

Autograd does not import nn: the model is used through its methods (``named_modules``,
``named_parameters``, ``register_forward_hook``), by duck typing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np

from autograd.grad_mode import is_grad_enabled

__all__ = ["ACTIVATION_KINDS", "CHUNK", "SATURATION", "Monitor", "MonitorHistory"]

# |tanh| beyond this is "saturated" (tanh' = 1 - t^2 < 0.06: the gradient barely passes);
# a sigmoid output is saturated within 1 - SATURATION of 0 or 1 (sigma' = s(1-s) < 0.03).
SATURATION = 0.97
# Module class names (and the grad_fn names of the op that made an output) -> kind.
ACTIVATION_KINDS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu",
                    "TanhBackward": "tanh", "SigmoidBackward": "sigmoid",
                    "ReluBackward": "relu"}
# Steps whose statistics are computed together (bounds the rows kept before computing).
CHUNK = 32
_UNRESOLVED = "?"


class MonitorHistory(list):
    """``monitor.history``: one dict per (step, layer) and per (step, parameter), in step
    order; ``pandas.DataFrame(monitor.history)`` makes a table of it.

    Keys of every row: ``step`` (0 for the first ``monitor.step()``), ``lr`` (as given to
    ``step``, NaN if not), ``kind`` (``"layer"`` or ``"param"``), ``name`` (from
    ``named_modules()`` / ``named_parameters()``).

    Layer rows add ``type`` (the module's class name), ``mean`` and ``std`` of the layer's
    output, ``saturated`` (share of tanh outputs with ``|t| > 0.97``, of sigmoid outputs
    within 0.03 of 0 or 1, of ReLU outputs exactly 0: "dead"; NaN for other layers), and
    ``grad_mean``, ``grad_std`` of the gradient of the loss with respect to that output.

    Parameter rows add ``shape``, ``grad_std``, ``data_std`` (after the update),
    ``grad_data = grad_std / data_std`` and ``update_data = std(update) / data_std``, the
    update being the parameter's change since the previous ``step()`` (for the first, since
    the monitor was attached).

    Standard deviations are NumPy's (``ddof=0``), computed in float64 on the subsample
    (the whole array when it has at most ``sample`` values). A statistic that could not be
    measured (no backward in that step, a parameter without gradient) is NaN; a ratio
    over a zero ``data_std`` is ``inf`` (or NaN for 0/0).
    """

    def column(self, key: str, name: str) -> np.ndarray:
        """``key`` over the steps for the layer or parameter ``name`` (float64 array)."""
        return np.array([r[key] for r in self if r["name"] == name], dtype=np.float64)


def _stride(n: int, shape: tuple, sample: int) -> int:
    """A step through the flat array giving at most ``sample`` values, coprime with the
    last dimension so that every column (unit) is visited, not every s-th one."""
    if n <= sample:
        return 1
    s = -(-n // sample)
    last = int(shape[-1]) if shape else 1
    while math.gcd(s, last) > 1:
        s += 1
    return s


def _seg_stats(m: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (``ddof=0``, two-pass in float64) of each column segment of ``m``
    (K rows, ``sum(sizes)`` columns): two (K, len(sizes)) arrays, NaN for empty segments."""
    k = m.shape[0]
    means = np.full((k, len(sizes)), np.nan)
    stds = np.full((k, len(sizes)), np.nan)
    n = np.asarray(sizes, dtype=np.int64)
    present = n > 0
    if not present.any():
        return means, stds
    n = n[present]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    mu = np.add.reduceat(m, starts, axis=1, dtype=np.float64) / n
    centred = m - np.repeat(mu, n, axis=1)
    means[:, present] = mu
    stds[:, present] = np.sqrt(np.add.reduceat(centred * centred, starts, axis=1) / n)
    return means, stds


def _saturated(a: np.ndarray, kind: str | None) -> np.ndarray:
    """Share of saturated values per row of ``a`` (K, n) for an activation ``kind``."""
    if kind == "tanh":
        hit = np.abs(a) > SATURATION
    elif kind == "sigmoid":
        hit = np.abs(a - 0.5) > SATURATION - 0.5
    elif kind == "relu":
        hit = a == 0
    else:
        return np.full(a.shape[0], np.nan)
    return np.count_nonzero(hit, axis=1) / max(a.shape[1], 1)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


class Monitor:
    """Record per-layer activation and gradient statistics and per-parameter gradient and
    update ratios while a model trains (see the module docstring and
    :class:`MonitorHistory` for the recorded keys).

    Args:
        model: an ``nn.Module`` (anything with ``named_modules()`` and
            ``named_parameters()`` whose modules have ``register_forward_hook``).
        layers: the modules to watch: names (as in ``named_modules()``) or module objects.
            By default the activation modules (``Tanh``, ``Sigmoid``, ``ReLU``), or every
            leaf module when the model has none.
        every: record every ``every``-th step (steps ``0, every, 2*every...``); the hooks
            do nothing on the other steps.
        sample: the most values kept of each activation, gradient and parameter (a fixed
            stride through the flat array, so runs are reproducible): the statistics and
            histograms use that subsample.

    Only forwards in training mode are recorded (``model.eval()`` evaluation is skipped);
    if a step has several, the last one that builds a graph counts.
    """

    def __init__(self, model: Any, layers: Iterable[Any] | None = None, every: int = 1,
                 sample: int = 4096) -> None:
        if not (callable(getattr(model, "named_modules", None))
                and callable(getattr(model, "named_parameters", None))):
            raise TypeError(f"Monitor needs a module with named_modules() and "
                            f"named_parameters(), got {type(model).__name__}")
        for label, value in (("every", every), ("sample", sample)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Monitor: {label} must be a positive int, got {value!r}")
        self.every, self.sample = every, sample
        self.layers = self._select(model, layers)
        self.layer_types = [type(m).__name__ for _, m in self.layers]
        self._kinds: list[str | None] = [ACTIVATION_KINDS.get(t, _UNRESOLVED)
                                         for t in self.layer_types]
        self.params = [(n, p) for n, p in model.named_parameters()
                       if getattr(p, "requires_grad", False)]
        self._pstrides = [_stride(p._data.size, p._data.shape, sample) for _, p in self.params]
        self._strides: dict[tuple, int] = {}
        self._handles = [m.register_forward_hook(partial(self._on_forward, i))
                         for i, (_, m) in enumerate(self.layers)]
        self._grad_handles: list[Any] = []
        self._count = 0           # step() calls so far: the index of the coming step
        self._recording = True    # step 0 is always recorded
        self._acts: list[np.ndarray | None] = [None] * len(self.layers)
        self._grads: list[np.ndarray | None] = [None] * len(self.layers)
        self._prev: np.ndarray | None = self._param_data()  # step 0's "before"
        self._raw: list[tuple] = []       # recorded steps whose statistics are pending
        self._chunks: list[dict] = []     # computed statistics, CHUNK steps each
        self._rows = MonitorHistory()
        self._rows_done = 0               # chunks already turned into rows
        self._last: tuple | None = None   # the last recorded step's layout and samples
        self.removed = False

    # -- attaching ------------------------------------------------------------------

    @staticmethod
    def _select(model: Any, layers: Iterable[Any] | None) -> list[tuple[str, Any]]:
        named = list(model.named_modules())
        if layers is None:
            leaves = [(n, m) for n, m in named if n and next(iter(m.children()), None) is None]
            acts = [(n, m) for n, m in leaves if type(m).__name__ in ACTIVATION_KINDS]
            chosen = acts or leaves or named[:1]
        else:
            by_name = dict(named)
            by_id = {id(m): n for n, m in named}
            chosen = []
            for item in layers:
                if isinstance(item, str):
                    if item not in by_name:
                        raise KeyError(f"Monitor: the model has no submodule named {item!r} "
                                       f"(named_modules(): {', '.join(map(repr, by_name))})")
                    chosen.append((item, by_name[item]))
                elif id(item) in by_id:
                    chosen.append((by_id[id(item)], item))
                else:
                    raise ValueError(f"Monitor: layers must be names or submodules of the "
                                     f"model; got a {type(item).__name__} that is not one")
        for name, m in chosen:
            if not callable(getattr(m, "register_forward_hook", None)):
                raise TypeError(f"Monitor: layer {name!r} ({type(m).__name__}) has no "
                                f"register_forward_hook")
        return [(n or type(m).__name__, m) for n, m in chosen]

    def _sub(self, a: np.ndarray) -> np.ndarray:
        """The fixed-stride subsample of ``a`` (a view when strided, else the flat array)."""
        n = a.size
        if n <= self.sample:
            return a.reshape(-1)
        key = (n, a.shape[-1])
        s = self._strides.get(key)
        if s is None:
            s = self._strides[key] = _stride(n, a.shape, self.sample)
        return a.reshape(-1)[::s]

    def _on_forward(self, i: int, module: Any, args: tuple, output: Any) -> None:
        if not self._recording or not getattr(module, "training", True):
            return
        data = getattr(output, "_data", None)
        if not isinstance(data, np.ndarray):
            return  # not a Tensor (a tuple, None...): nothing to measure
        graph = is_grad_enabled() and output.requires_grad
        if not graph and self._acts[i] is not None:
            return  # a no-grad forward does not replace the step's training forward
        self._acts[i] = self._sub(data).copy()  # copy: an in-place op may overwrite it
        if self._kinds[i] == _UNRESOLVED:
            self._kinds[i] = ACTIVATION_KINDS.get(type(output.grad_fn).__name__)
        if graph:
            self._grad_handles.append(output.register_hook(partial(self._on_grad, i,
                                                                   self._count)))

    def _on_grad(self, i: int, step: int, grad: Any) -> None:
        if step == self._count and not self.removed:  # a graph from an earlier step: ignore
            self._grads[i] = self._sub(grad._data).copy()

    def _param_data(self) -> np.ndarray:
        parts = [p._data.reshape(-1)[::s] for (_, p), s in zip(self.params, self._pstrides)]
        return np.concatenate(parts) if parts else np.empty(0)

    # -- recording ------------------------------------------------------------------

    def step(self, lr: float | None = None) -> None:
        """End the current training step: call it after ``optimizer.step()``.

        ``lr`` is stored with the step's rows (the update itself is measured as each
        parameter's change since the previous call, whatever the optimiser).
        """
        if self.removed:
            raise RuntimeError("Monitor.step(): the monitor was removed (remove() detaches it)")
        index = self._count
        data = None
        if self._recording:
            parts: list[np.ndarray] = []
            sizes: list[int] = []
            for a in (*self._acts, *self._grads):
                sizes.append(0 if a is None else a.size)
                if a is not None:
                    parts.append(a)
            for (_, p), s in zip(self.params, self._pstrides):
                g = getattr(p, "grad", None)
                g = None if g is None else g._data.reshape(-1)[::s]
                sizes.append(0 if g is None else g.size)
                if g is not None:
                    parts.append(g)
            values = [p._data.reshape(-1)[::s] for (_, p), s in zip(self.params,
                                                                    self._pstrides)]
            sizes += [v.size for v in values]
            flat = np.concatenate(parts + values) if parts or values else np.empty(0)
            n_data = sum(sizes[-len(values):]) if values else 0
            data = flat[flat.size - n_data:]
            self._raw.append((index, math.nan if lr is None else float(lr), tuple(sizes),
                              flat, self._prev))
            self._last = (tuple(sizes), flat, list(self._kinds))
            self._acts = [None] * len(self.layers)
            self._grads = [None] * len(self.layers)
            if len(self._raw) >= CHUNK:
                self._flush()
        self._grad_handles = []  # their tensors belong to this step's (finished) graph
        self._count = index + 1
        self._recording = self._count % self.every == 0
        if self._recording:  # the next step's update needs this step's values
            self._prev = data if data is not None else self._param_data()
        else:
            self._prev = None

    def _flush(self) -> None:
        """Compute the pending steps' statistics, a run of equal layouts at a time."""
        raw, self._raw = self._raw, []
        start = 0
        while start < len(raw):
            end = start + 1
            while end < len(raw) and raw[end][2] == raw[start][2]:
                end += 1
            self._chunks.append(self._stats(raw[start:end]))
            start = end

    def _stats(self, rows: list[tuple]) -> dict[str, Any]:
        sizes = list(rows[0][2])
        n_layers, n_params = len(self.layers), len(self.params)
        m = np.stack([r[3] for r in rows])
        n_data = sum(sizes[2 * n_layers + n_params:])
        means, stds = _seg_stats(m[:, :m.shape[1] - n_data], sizes[:2 * n_layers + n_params])
        data = m[:, m.shape[1] - n_data:]
        data_sizes = sizes[2 * n_layers + n_params:]
        _, data_std = _seg_stats(data, data_sizes)
        if all(r[4] is not None and r[4].shape == (n_data,) for r in rows):
            _, upd_std = _seg_stats(data - np.stack([r[4] for r in rows]), data_sizes)
        else:  # the parameters changed shape: no update to measure
            upd_std = np.full_like(data_std, np.nan)
        saturated = np.full((len(rows), n_layers), np.nan)
        offset = 0
        for i in range(n_layers):
            if sizes[i]:
                saturated[:, i] = _saturated(m[:, offset:offset + sizes[i]], self._kinds[i])
            offset += sizes[i]
        grad_std = stds[:, 2 * n_layers:2 * n_layers + n_params]
        return {
            "step": [r[0] for r in rows], "lr": [r[1] for r in rows],
            "mean": means[:, :n_layers], "std": stds[:, :n_layers], "saturated": saturated,
            "grad_mean": means[:, n_layers:2 * n_layers],
            "grad_std_layer": stds[:, n_layers:2 * n_layers],
            "grad_std": grad_std, "data_std": data_std,
            "grad_data": _ratio(grad_std, data_std), "update_data": _ratio(upd_std, data_std),
        }

    # -- reading --------------------------------------------------------------------

    def _computed(self) -> list[dict[str, Any]]:
        if self._raw:
            self._flush()
        return self._chunks

    @property
    def history(self) -> MonitorHistory:
        """Every recorded step's rows (see :class:`MonitorHistory`)."""
        chunks = self._computed()
        layer_names = [n for n, _ in self.layers]
        shapes = [tuple(p.shape) for _, p in self.params]
        param_names = [n for n, _ in self.params]
        for c in chunks[self._rows_done:]:
            cols = {k: v.tolist() for k, v in c.items() if isinstance(v, np.ndarray)}
            for k, (step, lr) in enumerate(zip(c["step"], c["lr"])):
                for i, name in enumerate(layer_names):
                    self._rows.append({
                        "step": step, "lr": lr, "kind": "layer", "name": name,
                        "type": self.layer_types[i], "mean": cols["mean"][k][i],
                        "std": cols["std"][k][i], "saturated": cols["saturated"][k][i],
                        "grad_mean": cols["grad_mean"][k][i],
                        "grad_std": cols["grad_std_layer"][k][i]})
                for j, name in enumerate(param_names):
                    self._rows.append({
                        "step": step, "lr": lr, "kind": "param", "name": name,
                        "shape": shapes[j], "grad_std": cols["grad_std"][k][j],
                        "data_std": cols["data_std"][k][j],
                        "grad_data": cols["grad_data"][k][j],
                        "update_data": cols["update_data"][k][j]})
        self._rows_done = len(chunks)
        return self._rows

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)``: ``values[k, j]`` is ``key`` at the k-th recorded step for
        the j-th layer (keys ``mean``, ``std``, ``saturated``, ``grad_mean``) or parameter
        (``grad_std``, ``data_std``, ``grad_data``, ``update_data``)."""
        chunks = self._computed()
        known = ("mean", "std", "saturated", "grad_mean", "grad_std", "data_std",
                 "grad_data", "update_data")
        if key not in known:
            raise KeyError(f"Monitor.series: unknown key {key!r}; one of {known}")
        width = len(self.layers) if key in known[:4] else len(self.params)
        if not chunks:
            return np.empty(0, dtype=np.int64), np.empty((0, width))
        return (np.concatenate([np.asarray(c["step"], dtype=np.int64) for c in chunks]),
                np.concatenate([c[key] for c in chunks]))

    def last_samples(self) -> dict[str, dict[str, np.ndarray]]:
        """The last recorded step's subsamples: ``{"activations": {layer: values},
        "gradients": {layer: values}, "param_grads": {param: values}}`` (float arrays;
        a missing one is left out)."""
        out: dict[str, dict[str, np.ndarray]] = {"activations": {}, "gradients": {},
                                                 "param_grads": {}}
        if self._last is None:
            return out
        sizes, flat, _ = self._last
        names = ([("activations", n) for n, _ in self.layers]
                 + [("gradients", n) for n, _ in self.layers]
                 + [("param_grads", n) for n, _ in self.params])
        offset = 0
        for (group, name), size in zip(names, sizes):
            if size:
                out[group][name] = flat[offset:offset + size]
            offset += size
        return out

    @property
    def kinds(self) -> list[str | None]:
        """Each watched layer's activation kind (``"tanh"``, ``"sigmoid"``, ``"relu"`` or
        None), from its class name or, once it has run, the op that made its output."""
        return [None if k == _UNRESOLVED else k for k in self._kinds]

    def plot(self, kind: str | None = None, ax: Any = None) -> Any:
        """The four views in one matplotlib ``Figure`` (2x2), or one view for ``kind``
        ``"activations"``, ``"gradients"``, ``"grad_data"`` or ``"update_data"`` (into
        ``ax`` if given). Details in :func:`autograd.viz.monitor_plot.plot_monitor`."""
        from autograd.viz.monitor_plot import plot_monitor

        return plot_monitor(self, kind, ax)

    # -- detaching ------------------------------------------------------------------

    def remove(self) -> None:
        """Detach every hook (module forward hooks and the tensor hooks of the current
        step's graph); the history stays readable. Calling it twice is harmless."""
        for h in (*self._handles, *self._grad_handles):
            h.remove()
        self._handles, self._grad_handles = [], []
        self._recording = False
        self.removed = True

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __repr__(self) -> str:
        names = ", ".join(f"{n} ({t})" for (n, _), t in zip(self.layers, self.layer_types))
        return (f"Monitor({len(self.layers)} layers: {names}; {len(self.params)} parameters; "
                f"{self._count} steps, every {self.every})")
