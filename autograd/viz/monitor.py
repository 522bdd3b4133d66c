"""Watching training: activation, gradient and update statistics over time.

``Monitor(model)`` attaches a forward hook to each watched layer; after every
``optimizer.step()`` the training loop calls ``monitor.step(lr=...)``, and that step's
statistics join ``monitor.history`` (with ``every=N``, every N-th step's: 0, N, 2N...)::

    monitor = ag.viz.Monitor(model)
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        monitor.step(lr=optimizer.param_groups[0]["lr"])
    monitor.plot()          # the four views of the lecture on training deep nets by hand
    monitor.remove()        # detaches every hook

What a recorded step costs (``benchmarks/monitor.py`` measures it on the digits MLP):

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

On the digits MLP (``nn.MLP([64, 128, 64, 10])``, batch 32, Adam, one BLAS thread; a
step of ~255 us, two tanh layers and six parameters, ~12,800 values a recorded step)
recording every step (the default, ``every=1``) costs +21 to +25%; ``every=10``, with
the hooks attached only for the recorded steps, ~+6% (measured interleaved on a shared
2-core machine, thread CPU time, ``python -m benchmarks.monitor``). ``--breakdown``
splits the ~57 us: ~8 us more in the forward (two hook calls), ~3 us in the backward,
~2 us in the optimiser, ~40 us in ``step()``. Inside the loop a call costs 2.5 to 4 times
what it costs in a tight loop whatever it reads (``--cold``: one ``.sum()`` of an
8-value array right after a training step, ~2.5-3.8 us against ~0.9 us): the code is
cold there, not the data. Computing the activations' statistics in the forward hook,
where the output is still in the cache, and keeping no reference to it measured worse
(+29 to +31% against +22 to +24% in the same runs: the forward +28 to +40 us for
4 to 7 us less in ``step()``).
What costs is the calls a step makes, one or more per array it touches, more than the
values: ``sample=256`` and
``sample=64`` both cost ~+18%, and a stand-in that only reads one value of each of the
16 arrays a recorded step copies (``--floor``: the outputs and their gradients, the
parameters' gradients and values), with the hooks, already costs ~+8%. Reducing many
steps' rows at once (one ``np.concatenate`` a step into a block of 16 to 32 rows, then
the BLAS over them) does ~40% less work in a tight loop but measured the same inside
the training loop; so did one row reduced through fewer, larger calls (one
``np.add.reduceat`` over the row and its squares as the two lines of one array measured
~3.5 points worse). The issue's
+10% with every step recorded is out of reach this way; ``benchmarks/README.md`` has the
figures.

As ``step()`` reads them, the statistics see the layer's output and gradient as they
are then: an in-place op applied to a watched output after its layer (e.g. a following
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
        self.act_bounds = list(zip([0, *ends[:-1]], ends))
        self.kinds = sorted({kinds[i] for i in self.act_layers}
                            & {"tanh", "sigmoid", "relu"})
        # Two rows used in turn (a step's update reads the row before), and scratch for
        # the squares and the saturated flags: allocated once, since fresh arrays of this
        # size each step cost page faults that dwarf the arithmetic.
        self.rows = (np.empty(self.total + self.n_data), np.empty(self.total + self.n_data))
        self.turn = 0
        self.squares = np.empty(self.total + self.n_data)
        self.hits = np.empty(self.n_acts, dtype=bool)


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
        every: record every ``every``-th step (steps ``0, every, 2*every...``; default
            1, every step, at about +22% of a training step on the digits MLP,
            ``benchmarks/monitor.py``). With ``every > 1`` the forward hooks are attached
            only for the recorded steps, so the steps in between run as without a monitor
            (``step()`` only counts them, and at the step before a recorded one copies the
            parameters' subsample, to measure the recorded step's update): ``every=10``
            costs ~+6% there (see the module docstring).
        sample: the most values kept of each activation, gradient and parameter. An
            array with more is subsampled with a fixed stride (reproducible): every r-th
            row (whole rows, r the smallest that keeps at most ``sample`` values) when at
            least 4 rows fit in ``sample``, else every s-th value of the flat array,
            s = ceil(size / sample) raised until coprime with the last dimension; its
            statistics and histograms are those of the subsample. Smaller arrays are used
            whole.

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
        self._forward_fns = [partial(self._on_forward, i) for i in range(n)]
        self._handles: list[Any] = []
        self._attach()
        self._value_bases: list[Any] = []
        self._value_views: list[np.ndarray] = []
        self._value_sizes: tuple = ()
        self._count = 0           # step() calls so far: the index of the coming step
        self._recording = True    # step 0 is always recorded
        self._prev: np.ndarray | None = self._param_data()  # a copy: step 0's "before"
        self._pending: list[tuple] = []   # (step, lr, layout, sums, squares, saturated)
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
        if plan is None:  # once per shape: (flat?, slice), the slice None for the whole
            if a.size <= self.sample:
                plan = (False, None)
            else:
                r, s = _plan(a.shape, self.sample)
                plan = (False, slice(None, None, r)) if r else (True, slice(None, None, s))
            self._plans[a.shape] = plan
        flat, part = plan
        if part is None:
            return a
        return a.reshape(-1)[part] if flat else a[part]

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
            self._detach()  # the steps in between run as without a monitor
        else:  # the next step's update is measured from these values
            self._prev = data if data is not None else self._param_data()
            self._attach()

    def _attach(self) -> None:
        if not self._handles:
            self._handles = [m.register_forward_hook(fn)
                             for fn, (_, m) in zip(self._forward_fns, self.layers)]

    def _detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def _record(self, index: int, lr: float | None) -> np.ndarray:
        """Copy this step's subsamples into a row, reduce it; return the values' part."""
        view, kinds, outs = self._view, self._kinds, self._outs
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
        for i, out in enumerate(outs):
            g = None if out is None else self._hgrads[i]
            if g is None and out is not None and out._node is not None:
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
        values = self._param_views()
        arrays += values
        key = (*sizes, *self._value_sizes)
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = _Layout(key, len(outs), kinds)
        n_data, total = lay.n_data, lay.total
        row = lay.rows[lay.turn]
        lay.turn ^= 1
        if arrays:
            np.concatenate(arrays, axis=None, out=row[:total], casting="same_kind")
        data = row[total - n_data:total]
        prev = self._prev
        if prev is not None and prev.shape == data.shape:
            np.subtract(data, prev, out=row[total:])
            starts = lay.starts
        else:  # the parameters changed shape: no update to measure
            row = row[:total]
            starts = lay.starts_no_update
        squares = np.square(row, out=lay.squares[:row.size])
        saturated = {}
        for kind in lay.kinds:  # tanh from the squares: |t| > 0.97 <=> t^2 > 0.97^2
            if kind == "tanh":
                hit = np.greater(squares[:lay.n_acts], SATURATION ** 2, out=lay.hits)
            else:
                hit = _hits(row[:lay.n_acts], kind)
            saturated[kind] = [np.count_nonzero(hit[a:b]) for a, b in lay.act_bounds]
        if starts.size:
            sums, squares = np.add.reduceat(row, starts), np.add.reduceat(squares, starts)
        else:
            sums = squares = starts
        self._pending.append((index, math.nan if lr is None else float(lr), lay, sums,
                              squares, saturated))
        self._last = (lay, row)
        if len(self._pending) >= _PENDING:
            self._compute()
        return data

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

    def _compute(self) -> None:
        """Turn the pending steps' sums into statistics, a run of equal layouts at once."""
        pending, self._pending = self._pending, []
        start = 0
        while start < len(pending):
            end = start + 1
            while (end < len(pending) and pending[end][2] is pending[start][2]
                   and len(pending[end][3]) == len(pending[start][3])):
                end += 1
            self._chunks.append(self._statistics(pending[start:end]))
            start = end

    def _statistics(self, steps: list[tuple]) -> dict[str, Any]:
        lay = steps[0][2]
        n_layers, n_params = len(self.layers), len(self.params)
        k = len(steps)
        width = len(steps[0][3])
        means = np.full((k, lay.n_segments), np.nan)
        stds = np.full((k, lay.n_segments), np.nan)
        if width:
            n = lay.counts[:width]
            mu = np.stack([s[3] for s in steps]) / n
            var = np.stack([s[4] for s in steps]) / n - mu * mu
            means[:, lay.present[:width]] = mu
            stds[:, lay.present[:width]] = np.sqrt(np.maximum(var, 0.0))
        saturated = np.full((k, n_layers), np.nan)
        for i_act, layer in enumerate(lay.act_layers):
            kind = self._kinds[layer]
            if kind in lay.kinds:
                counts = np.array([s[5][kind][i_act] for s in steps], dtype=np.float64)
                saturated[:, layer] = counts / lay.sizes[layer]
        p0 = 2 * n_layers
        grad_std = stds[:, p0:p0 + n_params]
        data_std = stds[:, p0 + n_params:p0 + 2 * n_params]
        update_std = stds[:, p0 + 2 * n_params:]
        return {
            "step": [s[0] for s in steps], "lr": [s[1] for s in steps],
            "mean": means[:, :n_layers], "std": stds[:, :n_layers], "saturated": saturated,
            "grad_mean": means[:, n_layers:p0], "grad_std_layer": stds[:, n_layers:p0],
            "grad_std": grad_std, "data_std": data_std,
            "grad_data": _ratio(grad_std, data_std), "update_data": _ratio(update_std, data_std),
        }

    # -- reading --------------------------------------------------------------------

    def _computed(self) -> list[dict[str, Any]]:
        if self._pending:
            self._compute()
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
