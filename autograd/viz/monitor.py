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
  the module hooks' path (``Module.__call__``) calls it directly, building nothing;
* the gradient at that output is the one the engine already keeps on the output's node
  (``Node.grad_size``, the gradient itself up to ``engine._SMALL`` values, for graph
  drawings): reading it costs nothing. Larger outputs get a tensor hook
  (``out.register_hook``) that keeps a reference;
* ``step()`` copies the subsample (:func:`~autograd.viz.monitor_rows.subsample_plan`) of
  each watched output, its gradient and each parameter's gradient and values into the
  next row of a preallocated block: one ``np.concatenate``, nothing else. A full block
  (up to 32 steps) is reduced in a few calls for all its rows
  (:mod:`autograd.viz.monitor_rows`): updates, sums and sums of squares, saturated
  counts; the means, standard deviations and ratios are formed from those sums every
  256 steps or when the history is read, and the history's dicts when it is read.

On the digits MLP (``nn.MLP([64, 128, 64, 10])``, batch 32, Adam, one BLAS thread; a
step of ~255-300 us on a shared 2-core machine, two tanh layers and six parameters,
~12,900 values a recorded step) recording every step (the default) costs ~+21%
(the previous version, which reduced a row every step, ~+23% in the same runs; its
``step()`` took ~1.5x as long in a tight loop), ``every=4`` ~+12%, ``every=10`` ~+6%.
Inside the training loop the cost is mostly the arrays a step touches, not their size:
a stand-in that only reads one value of each of the 16 arrays a recorded step copies
(the two outputs and their gradients, the six parameters' gradients and values), with
the hooks, already costs ~+8%, and ``sample=64`` still ~+13%; ``benchmarks/README.md``
has the figures and how they were taken.

As ``step()`` reads them, the statistics see the layer's output and gradient as they
are then: an in-place op applied to a watched output after its layer (e.g. a following
``ReLU(inplace=True)``) shows in them. The update is measured, not predicted: each
row's parameter values minus the row above (the previous step) or, with ``every > 1``,
minus a copy taken at the step before, so the ratio is that of whatever the optimiser
did.

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
from autograd.viz.monitor_rows import (
    CHUNK,
    SATURATION,
    RowLayout,
    reduce_rows,
    statistics,
    subsample_plan,
)

__all__ = ["ACTIVATION_KINDS", "SATURATION", "Monitor", "MonitorHistory"]

# Module class names (and the grad_fn names of the op that made an output) -> kind.
ACTIVATION_KINDS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu",
                    "TanhBackward": "tanh", "SigmoidBackward": "sigmoid",
                    "ReluBackward": "relu"}
# Reduced steps kept as sums before they are turned into statistics.
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
            1, every step). With ``every > 1`` the forward hooks are attached only for
            the recorded steps, so the steps in between run as without a monitor
            (``step()`` only counts them, and at the step before a recorded one copies the
            parameters' subsample, to measure the recorded step's update).
            ``benchmarks/README.md`` has what each costs on the digits MLP.
        sample: the most values kept of each activation, gradient and parameter: an
            array with more is subsampled with a fixed stride (every r-th row when at
            least 4 rows fit, else every s-th value of the flat array, s coprime with the
            last dimension; reproducible), and its statistics and histograms are those of
            the subsample; smaller arrays are used whole.

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
        self._param_list = [p for _, p in self.params]
        self._plans: dict[tuple, tuple[slice | None, bool]] = {}
        self._layouts: dict[tuple, RowLayout] = {}
        self._layout: RowLayout | None = None   # the layout of the rows in the block
        n = len(self.layers)
        # this step's outputs of the watched layers, and the gradients a tensor hook
        # caught (large outputs); cleared in place, as the hooks hold these lists
        self._outs: list[Any] = [None] * n
        self._hgrads: list[Any] = [None] * n
        self._nones = [None] * n
        self._grad_fns = [partial(self._on_grad, i) for i in range(n)]
        self._grad_handles: list[Any] = []
        self._forward_fns = [self._forward_hook(i) for i in range(n)]
        self._handles: list[Any] = []
        self._attach()
        self._value_bases: list[Any] = []
        self._value_list: list[np.ndarray] = []  # the parameters' views and zero pads
        self._value_sizes: tuple = ()
        self._count = 0           # step() calls so far: the index of the coming step
        self._recording = True    # step 0 is always recorded
        # the values before the block's first row (every == 1), or before the coming
        # recorded step (every > 1): a copy, padded as in a row
        self._prev: np.ndarray | None = self._param_data()
        self._steps: list[int] = []       # the steps in the block, and their lr
        self._lrs: list[float] = []
        self._reduced: list[tuple] = []   # (layout, steps, lrs, sums, squares, saturated)
        self._n_reduced = 0
        self._chunks: list[dict] = []     # statistics of the steps already computed
        self._rows = MonitorHistory()
        self._rows_done = 0               # chunks already turned into rows
        self._last: tuple | None = None   # the last reduced step's layout and row
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

    def _plan_for(self, shape: tuple) -> tuple[slice | None, bool]:
        plan = self._plans.get(shape)
        if plan is None:  # once per shape
            plan = self._plans[shape] = subsample_plan(shape, self.sample)
        return plan

    def _forward_hook(self, i: int) -> Any:
        """Layer ``i``'s forward hook: keeps a reference to the output (no copy)."""
        outs, hgrads, grad_fn = self._outs, self._hgrads, self._grad_fns[i]

        def hook(module: Any, args: tuple, output: Any) -> None:
            if not self._recording or not getattr(module, "training", True):
                return  # eval-mode forwards (evaluation) are not training steps
            data = getattr(output, "_data", None)
            if not isinstance(data, np.ndarray):
                return  # not a Tensor (a tuple, None...): nothing to measure
            graph = output._node is not None
            if not graph and outs[i] is not None:
                return  # a no-grad forward does not replace the step's training forward
            outs[i] = output
            hgrads[i] = None
            if graph and data.size > ENGINE_KEEPS:  # the engine keeps only the grad's norm
                self._grad_handles.append(output.register_hook(grad_fn))

        return hook

    def _on_grad(self, i: int, grad: Any) -> None:
        if not self.removed:
            self._hgrads[i] = grad._data

    def _param_views(self) -> list[np.ndarray]:
        """Each parameter's subsample and its zero pad (views, cached while the parameter
        keeps its array: the optimisers update in place)."""
        bases = [p._data for p in self._param_list]
        if len(bases) != len(self._value_bases) or not all(
                map(operator.is_, bases, self._value_bases)):
            self._value_bases = bases
            views = []
            for b in bases:
                part, flat = self._plan_for(b.shape)
                views.append(b if part is None else b.reshape(-1)[part] if flat else b[part])
            self._value_sizes = tuple(v.size for v in views)
            self._value_list = []
            for v in views:
                self._value_list.append(v)
                if v.size % CHUNK:
                    self._value_list.append(np.zeros(CHUNK - v.size % CHUNK))
        return self._value_list

    def _param_data(self) -> np.ndarray:
        """A copy of the parameters' subsamples, padded as in a row."""
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
        if self._recording:
            self._record(index, lr)
        self._outs[:] = self._nones
        self._hgrads[:] = self._nones
        if self._grad_handles:
            self._grad_handles = []
        self._count = index + 1
        if self.every == 1:
            return  # the next step's update is measured from this row
        self._recording = self._count % self.every == 0
        if self._recording:  # the next step's update is measured from these values
            self._prev = self._param_data()
            self._attach()
        else:
            self._prev = None
            self._detach()  # the steps in between run as without a monitor

    def _attach(self) -> None:
        if not self._handles:
            self._handles = [m.register_forward_hook(fn)
                             for fn, (_, m) in zip(self._forward_fns, self.layers)]

    def _detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def _record(self, index: int, lr: float | None) -> None:
        """Copy this step's subsamples into the next row of the block."""
        lay = self._layout
        if lay is not None and lay.fast and not self._grad_handles:
            # the usual step: every source there, with the shapes of the block's rows
            outs = self._outs
            try:
                sources = [o._data for o in outs]
                sources += [o._node.grad_size for o in outs]
                sources += [p.grad._data for p in self._param_list]
                same = [a.shape for a in sources] == lay.shapes
            except AttributeError:  # a layer that did not run, a parameter without grad
                same = False
            values = self._param_views()
            if same and self._value_sizes == lay.key[-1]:
                self._fill(lay, sources, values, index, lr)
                return
        self._record_any(index, lr)

    def _record_any(self, index: int, lr: float | None) -> None:
        """:meth:`_record` for any step: missing outputs or gradients, new shapes."""
        kinds, outs = self._kinds, self._outs
        sources, key = [], []
        for i, out in enumerate(outs):
            a = None if out is None else out._data
            if a is not None and kinds[i] == _UNRESOLVED:  # by the op that made it
                kinds[i] = ACTIVATION_KINDS.get(type(out._node).__name__)
            sources.append(a)
        for out, g in zip(outs, self._hgrads):
            if g is None and out is not None and out._node is not None:
                g = out._node.grad_size  # the gradient itself when small (engine._grad_size)
                if g.__class__ is not np.ndarray or g.shape != out._data.shape:
                    g = None
            sources.append(g)
        sources += [None if p.grad is None else p.grad._data for p in self._param_list]
        values = self._param_views()
        key = (*(None if a is None else a.shape for a in sources), self._value_sizes)
        sources = [a for a in sources if a is not None]
        lay = self._layout
        if lay is None or lay.key != key:
            self._reduce()  # the rows in the block have other shapes
            lay = self._layouts.get(key)
            if lay is None:
                lay = self._layouts[key] = RowLayout(
                    key, [self._plan_for(a.shape) for a in sources], len(outs), kinds)
            self._layout = lay
        self._fill(lay, sources, values, index, lr)

    def _fill(self, lay: RowLayout, sources: list, values: list, index: int,
              lr: float | None) -> None:
        arrays = []
        add = arrays.append
        for a, (part, flat, pad) in zip(sources, lay.plans):
            if part is not None:
                a = a.reshape(-1)[part] if flat else a[part]
            add(a)
            if pad is not None:
                add(pad)
        arrays += values
        k = lay.filled
        if arrays:
            np.concatenate(arrays, axis=None, out=lay.block[k, :lay.total],
                           casting="same_kind")
        if self.every > 1 or k == 0:  # the update's "before" is not the row above
            prev = self._prev
            lay.known[k] = prev is not None and prev.shape == (lay.n_data,)
            if lay.known[k] and self.every > 1:
                if lay.prevs is None:
                    lay.prevs = np.empty((len(lay.block), lay.n_data))
                lay.prevs[k] = prev
        else:
            lay.known[k] = True
        lay.filled = k + 1
        self._steps.append(index)
        self._lrs.append(math.nan if lr is None else float(lr))
        if lay.filled == len(lay.block):
            self._reduce()

    def _reduce(self) -> None:
        """Reduce the block's rows to sums (:func:`monitor_rows.reduce_rows`)."""
        lay = self._layout
        if lay is None or not lay.filled:
            return
        carry = self._prev if self.every == 1 else None
        sums, squares, saturated = reduce_rows(lay, carry, len(self.layers))
        k, total = lay.filled, lay.total
        if self.every == 1:  # the next block's first "before"
            self._prev = lay.block[k - 1, total - lay.n_data:total].copy()
        self._last = (lay, lay.block[k - 1, :total].copy())
        self._reduced.append((lay, self._steps, self._lrs, sums, squares, saturated))
        self._n_reduced += k
        lay.filled = 0
        self._steps, self._lrs = [], []
        if self._n_reduced >= _PENDING:
            self._compute()

    def _compute(self) -> None:
        """Turn the reduced steps' sums into statistics, a run of one layout at once."""
        reduced, self._reduced, self._n_reduced = self._reduced, [], 0
        start = 0
        while start < len(reduced):
            end = start + 1
            while end < len(reduced) and reduced[end][0] is reduced[start][0]:
                end += 1
            run = reduced[start:end]
            chunk = statistics(run[0][0], len(self.layers), len(self.params),
                               *(np.concatenate([r[j] for r in run]) for j in (3, 4, 5)))
            chunk["step"] = [s for r in run for s in r[1]]
            chunk["lr"] = [x for r in run for x in r[2]]
            self._chunks.append(chunk)
            start = end

    # -- reading --------------------------------------------------------------------

    def _computed(self) -> list[dict[str, Any]]:
        self._reduce()
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
        self._reduce()
        if self._last is None:
            return out
        lay, flat = self._last
        names = ([("activations", n) for n, _ in self.layers]
                 + [("gradients", n) for n, _ in self.layers]
                 + [("param_grads", n) for n, _ in self.params])
        for (group, name), size, offset in zip(names, lay.sizes, lay.offsets):
            if size:
                out[group][name] = flat[offset:offset + size].copy()
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
        self._outs[:] = self._nones
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
