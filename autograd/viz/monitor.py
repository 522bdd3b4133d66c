"""Watching training: activation, gradient and update statistics over time.

``Monitor(model)`` attaches a forward hook to each watched layer; after every
``optimizer.step()`` the training loop calls ``monitor.step(lr=...)``, and the step's
statistics join ``monitor.history``::

    monitor = ag.viz.Monitor(model)
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        monitor.step(lr=optimizer.param_groups[0]["lr"])
    monitor.plot()          # the four views of the lecture on training deep nets by hand
    monitor.remove()        # detaches every hook

What one step costs (``benchmarks/monitor.py`` measures it on the digits MLP):

* the forward hook keeps a reference to the layer's output (no copy, no statistics);
* the gradient at that output is the one the engine already keeps on the output's node
  (``Node.grad_size``, the gradient itself up to ``engine._SMALL`` values, for graph
  drawings): reading it costs nothing, where a tensor hook costs each layer a call under
  ``no_grad()`` with a wrapped Tensor in every backward. Larger outputs get a tensor hook
  (``out.register_hook``) that keeps a reference;
* ``step()`` copies a bounded subsample (at most ``sample`` values: every r-th row, or a
  fixed stride through the flat array; reproducible) of each activation, its gradient and
  each parameter's gradient and values into one float64 row (one ``np.concatenate``; two
  rows per layout are allocated once and used in turn),
  subtracts the previous step's parameter subsample (the update), and reduces the row's
  segments to sums and sums of squares (two ``np.add.reduceat``) and the saturated counts;
  the means and standard deviations are formed from those when the history is read.

So the statistics see the layer's output and gradient as they are at ``step()``: an
in-place op applied to a watched output after its layer (e.g. a following
``ReLU(inplace=True)``) shows in them. The update is measured, not predicted: a copy of
each parameter's subsample is kept from the previous step (the previous row itself when
that step was recorded; with ``every > 1`` a copy is taken only at the step before a
recorded one), so the ratio is that of whatever the optimiser did.

Autograd does not import nn: the model is used through its methods (``named_modules``,
``named_parameters``, ``register_forward_hook``), by duck typing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np

from autograd.engine import _SMALL as ENGINE_KEEPS

__all__ = ["ACTIVATION_KINDS", "SATURATION", "Monitor", "MonitorHistory"]

# |tanh| beyond this is "saturated" (tanh' = 1 - t^2 < 0.06: the gradient barely passes);
# a sigmoid output is saturated within 1 - SATURATION of 0 or 1 (sigma' = s(1-s) < 0.03).
SATURATION = 0.97
# Module class names (and the grad_fn names of the op that made an output) -> kind.
ACTIVATION_KINDS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu",
                    "TanhBackward": "tanh", "SigmoidBackward": "sigmoid",
                    "ReluBackward": "relu"}
# Recorded steps kept as raw sums before they are turned into statistics.
_PENDING = 256
# Bytes of raw rows a layout keeps before reducing them (see _Layout).
_RAW_BYTES = 1 << 20
_UNRESOLVED = "?"
# Where a raw row's values before its step are: none, the row above, a copy.
_NO_UPDATE, _ROW_ABOVE, _COPIED = 0, 1, 2


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


def _plan(shape: tuple, sample: int) -> tuple[int, int]:
    """How to subsample an array of ``shape`` to at most ``sample`` values: ``(r, 0)``
    takes every r-th row (whole rows: every unit is seen; when at least 4 rows fit),
    ``(0, s)`` every s-th value of the flat array, s coprime with the last dimension (so
    the columns all come round)."""
    row = math.prod(shape[1:])
    if len(shape) >= 2 and 4 * row <= sample:
        return -(-shape[0] // (sample // row)), 0
    n = math.prod(shape)
    s = -(-n // sample)
    last = int(shape[-1]) if shape else 1
    while math.gcd(s, last) > 1:
        s += 1
    return 0, s


def _hits(acts: np.ndarray, kind: str) -> np.ndarray:
    """Which values of an activation ``kind`` count as saturated ("dead" for ReLU)."""
    if kind == "tanh":
        return np.abs(acts) > SATURATION
    if kind == "sigmoid":
        return np.abs(acts - 0.5) > SATURATION - 0.5
    return acts == 0


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


class _Layout:
    """Where each segment of a step's row lies, for one set of segment sizes: the
    activations (L), their gradients (L), the parameters' gradients (P) and values (P),
    then the update (P, when the previous values are known)."""

    def __init__(self, sizes: tuple, n_layers: int, kinds: list) -> None:
        n_params = (len(sizes) - 2 * n_layers) // 2
        data_sizes = sizes[len(sizes) - n_params:]
        full = np.array(sizes + data_sizes, dtype=np.int64)
        self.sizes = sizes
        self.total = sum(sizes)
        self.n_data = sum(data_sizes)
        self.n_segments = len(full)
        self.present = np.flatnonzero(full)     # segments with values, the update's last
        self.counts = full[self.present]
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.intp)
        self.starts_no_update = self.starts[:len(self.starts) - np.count_nonzero(data_sizes)]
        self.n_acts = sum(sizes[:n_layers])
        self.act_layers = [i for i in range(n_layers) if sizes[i]]
        ends = np.cumsum([sizes[i] for i in self.act_layers]).tolist()
        self.act_slices = [slice(a, b) for a, b in zip([0, *ends[:-1]], ends)]
        self.kinds = sorted({kinds[i] for i in self.act_layers}
                            & {"tanh", "sigmoid", "relu"})
        # A step copies its subsamples (and the previous values) into one raw row and
        # does nothing else; every `n_raw` steps the rows are reduced at once (a handful
        # of NumPy calls for all of them) into sums and sums of squares. About 1 MiB of
        # raw rows; allocated once (fresh arrays each time cost page faults).
        self.row_size = self.total + self.n_data
        self.n_raw = max(2, min(64, _RAW_BYTES // (8 * max(1, self.row_size))))
        self.raw = np.zeros((self.n_raw, self.row_size))
        self.squares = np.empty((self.n_raw, self.row_size))
        self.source = np.zeros(self.n_raw, dtype=np.int8)   # where each row's "before" is
        self.before = np.empty((self.n_raw, self.n_data))    # copies of it, when not above
        self.hits = np.empty((self.n_raw, self.n_acts), dtype=bool)
        # The reduced steps not yet turned into statistics: block[0] the sums, block[1]
        # the sums of squares, (step, segment); the saturated counts (step, kind, layer).
        self.width = len(self.counts)
        self.capacity = self.n_raw * max(1, _PENDING // self.n_raw)
        self.block = np.empty((2, self.capacity, self.width))
        self.saturated = np.zeros((self.capacity, len(self.kinds), len(self.act_layers)))
        self.steps: list[tuple[int, float]] = []   # (step, lr) of the run's steps
        self.n_reduced = 0                          # of which reduced into block


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
                 sample: int = 1024) -> None:
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
        self._plans: dict[tuple, tuple[bool, slice | None]] = {}
        self._layouts: dict[tuple, _Layout] = {}
        n = len(self.layers)
        self._outs: list[Any] = [None] * n      # this step's outputs of the watched layers
        self._hgrads: list[Any] = [None] * n    # gradients a tensor hook caught (large outputs)
        self._grad_fns = [partial(self._on_grad, i) for i in range(n)]
        self._grad_handles: list[Any] = []
        self._handles = [m.register_forward_hook(partial(self._on_forward, i))
                         for i, (_, m) in enumerate(self.layers)]
        self._value_bases: list[Any] = []
        self._value_views: list[np.ndarray] = []
        self._value_sizes: tuple = ()
        self._count = 0           # step() calls so far: the index of the coming step
        self._recording = True    # step 0 is always recorded
        self._prev: np.ndarray | None = self._param_data()  # a copy: step 0's "before"
        self._run: _Layout | None = None  # the layout of the steps not yet computed
        self._prev_slot = -1              # the raw row holding the last recorded values
        self._chunks: list[dict] = []     # statistics of the steps already computed
        self._rows = MonitorHistory()
        self._rows_done = 0               # chunks already turned into rows
        self._last: tuple | None = None   # the last recorded step's layout and row
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

    def _view(self, a: np.ndarray) -> np.ndarray:
        """At most ``sample`` values of ``a`` (a view; ``np.concatenate`` flattens it)."""
        plan = self._plans.get(a.shape)
        if plan is None:  # once per shape: (flat?, slice), slice None for the whole
            if a.size <= self.sample:
                plan = (False, None)
            else:
                r, s = _plan(a.shape, self.sample)
                plan = (False, slice(None, None, r)) if r else (True, slice(None, None, s))
            self._plans[a.shape] = plan
        flat, part = plan
        if part is None:
            return a
        return a.ravel()[part] if flat else a[part]

    def _on_forward(self, i: int, module: Any, args: tuple, output: Any) -> None:
        if not self._recording or not getattr(module, "training", True):
            return  # eval-mode forwards (evaluation) are not training steps
        data = getattr(output, "_data", None)
        if not isinstance(data, np.ndarray):
            return  # not a Tensor (a tuple, None...): nothing to measure
        graph = output._node is not None
        if not graph and self._outs[i] is not None:
            return  # a no-grad forward does not replace the step's training forward
        self._outs[i] = output
        self._hgrads[i] = None
        if graph and data.size > ENGINE_KEEPS:  # the engine keeps only the gradient's norm
            self._grad_handles.append(output.register_hook(self._grad_fns[i]))

    def _on_grad(self, i: int, grad: Any) -> None:
        if not self.removed:
            self._hgrads[i] = grad._data

    def _param_data(self) -> np.ndarray:
        values = self._param_views()
        return np.concatenate(values, axis=None) if values else np.empty(0)

    # -- recording ------------------------------------------------------------------

    def step(self, lr: float | None = None) -> None:
        """End the current training step: call it after ``optimizer.step()``.

        ``lr`` is stored with the step's rows (the update itself is measured as each
        parameter's change since the previous call, whatever the optimiser).
        """
        if self.removed:
            raise RuntimeError("Monitor.step(): the monitor was removed (remove() detaches it)")
        index = self._count
        data = self._record(index, lr) if self._recording else None
        n = len(self.layers)
        self._outs, self._hgrads, self._grad_handles = [None] * n, [None] * n, []
        self._count = index + 1
        self._recording = self._count % self.every == 0
        if not self._recording:
            self._prev = None
        else:  # the next step's update is measured from these values
            self._prev = data if data is not None else self._param_data()

    def _record(self, index: int, lr: float | None) -> np.ndarray:
        """Copy this step's subsamples into a row, reduce it; return the values' part."""
        view, kinds, outs, hgrads = self._view, self._kinds, self._outs, self._hgrads
        arrays, sizes = [], []
        for i, out in enumerate(outs):
            if out is None:
                sizes.append(0)
                continue
            a = view(out._data)
            arrays.append(a)
            sizes.append(a.size)
            if kinds[i] == _UNRESOLVED:  # by the op that made it: a Block ending in tanh
                kinds[i] = ACTIVATION_KINDS.get(type(out._node).__name__)
        for out, g in zip(outs, hgrads):
            if out is None:
                g = None
            elif g is None and out._node is not None:
                g = out._node.grad_size  # the gradient itself when small (engine._grad_size)
                if g.__class__ is not np.ndarray or g.shape != out._data.shape:
                    g = None
            if g is None:
                sizes.append(0)
                continue
            g = view(g)
            arrays.append(g)
            sizes.append(g.size)
        for _, p in self.params:
            g = p.grad
            if g is None:
                sizes.append(0)
                continue
            g = view(g._data)
            arrays.append(g)
            sizes.append(g.size)
        arrays += self._param_views()
        key = (*sizes, *self._value_sizes)
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = _Layout(key, len(outs), kinds)
        if lay is not self._run:  # the steps pending in another layout go first
            self._flush()
            self._run = lay
        n_data, total = lay.n_data, lay.total
        j = len(lay.steps) - lay.n_reduced
        row = lay.raw[j]
        # Where the values before this step are (the update is formed when reduced):
        # the row above when it holds the previous step (every=1: no copy), else a copy
        # (taken first: the previous values may lie in this very row).
        prev = self._prev
        if prev is None or prev.shape != (n_data,):
            lay.source[j] = _NO_UPDATE  # the parameters changed shape: nothing to measure
        elif j and prev.base is lay.raw and self._prev_slot == j - 1:
            lay.source[j] = _ROW_ABOVE
        else:
            np.copyto(lay.before[j], prev)
            lay.source[j] = _COPIED
        if arrays:
            np.concatenate(arrays, axis=None, out=row[:total], casting="same_kind")
        lay.steps.append((index, math.nan if lr is None else float(lr)))
        self._last = (lay, row)
        self._prev_slot = j
        if j + 1 == lay.n_raw:
            self._reduce(lay)
        return row[total - n_data:total]

    def _reduce(self, lay: _Layout) -> None:
        """Reduce the layout's raw rows to sums, sums of squares and saturated counts."""
        m = len(lay.steps) - lay.n_reduced
        if m == 0:
            return
        n0, total, n_acts = lay.n_reduced, lay.total, lay.n_acts
        raw = lay.raw[:m]
        data, update = raw[:, total - lay.n_data:total], raw[:, total:]
        source = lay.source[:m]
        np.subtract(data[1:], data[:-1], out=update[1:])
        for j in np.flatnonzero(source != _ROW_ABOVE).tolist():
            if source[j] == _COPIED:
                np.subtract(data[j], lay.before[j], out=update[j])
            else:
                update[j] = 0.0
        squares = np.square(raw, out=lay.squares[:m])
        if lay.width:
            np.add.reduceat(raw, lay.starts, axis=1, out=lay.block[0, n0:n0 + m])
            np.add.reduceat(squares, lay.starts, axis=1, out=lay.block[1, n0:n0 + m])
            missing = np.flatnonzero(source == _NO_UPDATE)
            if missing.size:
                lay.block[:, n0 + missing, len(lay.starts_no_update):] = np.nan
        for k, kind in enumerate(lay.kinds):  # tanh from the squares: t^2 > 0.97^2
            if kind == "tanh":
                hit = np.greater(squares[:, :n_acts], SATURATION ** 2, out=lay.hits[:m])
            else:
                hit = _hits(raw[:, :n_acts], kind)
            for i, part in enumerate(lay.act_slices):
                lay.saturated[n0:n0 + m, k, i] = np.count_nonzero(hit[:, part], axis=1)
        lay.n_reduced = n0 + m
        if lay.n_reduced == lay.capacity:
            self._chunks.append(self._statistics(lay))

    def _param_views(self) -> list[np.ndarray]:
        """Each parameter's subsample (views, cached while the parameter keeps its array:
        the optimisers update in place)."""
        bases = [p._data for _, p in self.params]
        if len(bases) != len(self._value_bases) or not all(
                map(operator.is_, bases, self._value_bases)):
            self._value_bases = bases
            self._value_views = [self._view(b) for b in bases]
            self._value_sizes = tuple(v.size for v in self._value_views)
        return self._value_views

    def _flush(self) -> None:
        """Turn the pending steps (all of one layout) into statistics."""
        lay = self._run
        if lay is not None:
            self._reduce(lay)
            if lay.steps:
                self._chunks.append(self._statistics(lay))

    def _statistics(self, lay: _Layout) -> dict[str, Any]:
        """The reduced steps' statistics; empties the layout's pending steps."""
        n_layers, n_params = len(self.layers), len(self.params)
        k = len(lay.steps)
        means = np.full((k, lay.n_segments), np.nan)
        stds = np.full((k, lay.n_segments), np.nan)
        if lay.width:  # mean = S1 / n, variance = S2 / n - mean^2 (ddof=0)
            mu = lay.block[0, :k] / lay.counts
            var = lay.block[1, :k] / lay.counts - mu * mu
            means[:, lay.present] = mu
            stds[:, lay.present] = np.sqrt(np.maximum(var, 0.0))
        saturated = np.full((k, n_layers), np.nan)
        for i_act, layer in enumerate(lay.act_layers):
            kind = self._kinds[layer]
            if kind in lay.kinds:
                counts = lay.saturated[:k, lay.kinds.index(kind), i_act]
                saturated[:, layer] = counts / lay.sizes[layer]
        p0 = 2 * n_layers
        grad_std = stds[:, p0:p0 + n_params]
        data_std = stds[:, p0 + n_params:p0 + 2 * n_params]
        update_std = stds[:, p0 + 2 * n_params:]
        steps, lrs = zip(*lay.steps)
        lay.steps, lay.n_reduced = [], 0
        return {
            "step": list(steps), "lr": list(lrs),
            "mean": means[:, :n_layers], "std": stds[:, :n_layers], "saturated": saturated,
            "grad_mean": means[:, n_layers:p0], "grad_std_layer": stds[:, n_layers:p0],
            "grad_std": grad_std, "data_std": data_std,
            "grad_data": _ratio(grad_std, data_std), "update_data": _ratio(update_std, data_std),
        }

    # -- reading --------------------------------------------------------------------

    def _computed(self) -> list[dict[str, Any]]:
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
        lay, flat = self._last
        sizes = lay.sizes
        names = ([("activations", n) for n, _ in self.layers]
                 + [("gradients", n) for n, _ in self.layers]
                 + [("param_grads", n) for n, _ in self.params])
        offset = 0
        for (group, name), size in zip(names, sizes):
            if size:  # a copy: the row is reused two steps later
                out[group][name] = flat[offset:offset + size].copy()
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
        self._outs = [None] * len(self.layers)
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
