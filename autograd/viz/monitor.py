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
* ``step()`` copies a bounded subsample (at most ``sample`` values: every s-th value of
  the array read flat in memory order, a fixed stride, so reproducible; a view for any
  array contiguous in some order of its axes, such as a conv's channels-last output) of
  each activation, its gradient and each parameter's gradient and values, as 1-d views,
  into the next row of a block with one ``np.concatenate`` (the rows keep the arrays'
  float type); when the outputs have the shapes of the step before and the parameters
  their arrays, it gathers them in a few C-level ``map`` calls and one slice per
  subsampled array;
* every 32 recorded steps (or when the history is read) the block is reduced at once, in
  about a dozen NumPy calls for all its rows, in the rows' own float type (float32 halves
  float64's cost: no casting pass, half the bytes): the updates as the differences of
  consecutive rows' parameter values, each segment's sum and sum of squares (two
  ``np.add.reduceat``), the saturated counts; where those sums cannot give a variance to
  ~1e-4 (a constant, a spread small against the mean, a square beyond float32's range)
  that row's segment is computed again, two-pass in float64
  (:meth:`~autograd.viz.monitor_block.Block.reduce`); the means and standard deviations
  are formed when the history is read;
* on a device (CuPy) the rows stay there and a step reads nothing back; reducing a block
  copies it to the host (one wait for the device per 32 steps).

On the digits MLP (``nn.MLP([64, 128, 64, 10])``, batch 32, Adam, one BLAS thread; two
tanh layers and six parameters, ~2,900 values a recorded step at the default
``sample=256``) recording every step (the default, ``every=1``) costs +8 to +10%,
depending on the CPU: median per-round ratios of +8.0% (eleven runs, +7.6 to +9.7%) on
one 2-core machine whose plain step took 550 to 920 us, +10.4% (twelve runs, +9.7 to
+10.8%) on a faster one (261 to 435 us); ``every=10`` +3 to +4% (measured interleaved,
thread CPU time, ``python -m benchmarks.monitor``). Counted, it is +5.6% of the step's
instructions (``python -m benchmarks.monitor_instructions``, the same on any machine);
``benchmarks/README.md`` has the figures. What it costs is a fixed set of calls each
step, each 2 to 4 times dearer inside a training loop than in a tight one (the code is
cold there): the hooks and ``step()``'s own bookkeeping about a quarter, gathering the
16 arrays and the ``np.concatenate`` about half, the block reductions the rest.
Reducing each step's row on its own cost +21 to +25%; holding each step's arrays to
copy them at the block instead, 8 points more than copying them at the step (fresh
memory for every step's arrays); a smaller ``sample`` saves about a point (128: -0.8
to -1.0). Going well below that with every step recorded needs a step that reads fewer
arrays (e.g. parameters and gradients in flat buffers, which neither the engine nor the
optimisers keep).

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

from autograd.backend import is_array, to_host, xp_of
from autograd.engine import _SMALL as ENGINE_KEEPS
from autograd.viz.monitor_block import SATURATION, Block, stride

__all__ = ["ACTIVATION_KINDS", "SATURATION", "Monitor", "MonitorHistory"]

# Module class names (and the grad_fn names of the op that made an output) -> kind.
ACTIVATION_KINDS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu",
                    "TanhBackward": "tanh", "SigmoidBackward": "sigmoid",
                    "ReluBackward": "relu"}
# Recorded steps kept as rows (at most _BLOCK_VALUES values in all) before they are
# reduced together.
_PENDING = 32
_BLOCK_VALUES = 1 << 17
_UNRESOLVED = "?"
_DATA, _SHAPE = operator.attrgetter("_data"), operator.attrgetter("shape")
_GRAD_SIZE, _GRAD_DATA = operator.attrgetter("_node.grad_size"), operator.attrgetter("_grad._data")


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

    Standard deviations are NumPy's (``ddof=0``) of the subsample (the whole array when it
    has at most ``sample`` values), from pairwise sums in the arrays' float type, so
    within ~1e-4 of float64's, relatively (a spread small against its mean, such as a
    constant's, is computed two-pass in float64: a constant's std is exactly 0); a mean
    is within a few float32 eps of the spread. A
    statistic that could not be measured (no backward in that step, a parameter without
    gradient) is NaN; a ratio over a zero ``data_std`` is ``inf`` (or NaN for 0/0).
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
            1, every step, at +8 to +10% of a training step on the digits MLP,
            ``benchmarks/monitor.py``). With ``every > 1`` the forward hooks are attached
            only for the recorded steps, so the steps in between run as without a monitor
            (``step()`` only counts them, and at the step before a recorded one copies the
            parameters' subsample, to measure the recorded step's update): ``every=10``
            costs +3 to +4% there (see the module docstring).
        sample: the most values kept of each activation, gradient and parameter (256 by
            default: for normally distributed values, one standard error of ~4.4% on a
            standard deviation and of ~2 points on a share near 10%). An array with more
            is subsampled with a fixed stride (reproducible): every s-th value of the
            array read flat in memory order, s = ceil(size / sample) raised until coprime
            with the length of the axis that varies fastest in memory (so that every
            column comes round); its statistics and histograms are those of the
            subsample. Smaller arrays are used whole.

    Only forwards in training mode are recorded (``model.eval()`` evaluation is skipped);
    if a step has several, the last one that builds a graph counts.
    """

    def __init__(self, model: Any, layers: Iterable[Any] | None = None, every: int = 1,
                 sample: int = 256) -> None:
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
        self._param_tensors = [p for _, p in self.params]
        self._plans: dict[tuple, slice] = {}  # per shape and strides: slice(None) for all
        self._blocks: dict[tuple, Block] = {}
        self._open: Block | None = None  # the block whose rows are not reduced yet
        # the outputs' shapes, the slices to take, the parameters' arrays and the block of
        # the last step that had every array (see _gather_as_before)
        self._same: tuple | None = None
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
        # The parameters' subsample before the coming recorded step, when its update is not
        # measured from the block's previous row: at attaching, at the step before a
        # recorded one (every > 1), after a block is reduced (every == 1).
        self._prev: np.ndarray | None = self._param_data()
        self._pending: list[tuple] = []   # the reduced blocks' sums, not yet statistics
        self._chunks: list[dict] = []     # statistics of the blocks already reduced
        self._rows = MonitorHistory()
        self._rows_done = 0               # chunks already turned into rows
        self._last: tuple | None = None   # the last recorded step's block and row index
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
        """At most ``sample`` values of ``a``, flat, in memory order: a view of any array
        contiguous in some order of its axes (C, Fortran, channels-last...); an array
        with gaps between its values is copied whole first."""
        key = (a.shape, a.strides)
        part = self._plans.get(key)
        if part is None:  # once per layout: every s-th value, or the whole (slice None)
            part = self._plans[key] = (
                slice(None, None, stride(a.shape, self.sample, a.strides))
                if a.size > self.sample else slice(None))
        if part.step is None:
            return a if a.ndim == 1 else a.ravel("K")
        return a.ravel("K")[part]

    def _on_forward(self, i: int, module: Any, args: tuple, output: Any) -> None:
        if not self._recording or not getattr(module, "training", True):
            return  # eval-mode forwards (evaluation) are not training steps
        data = getattr(output, "_data", None)
        if data.__class__ is not np.ndarray and not is_array(data):
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
        """A copy of the parameters' subsamples, end to end (on their device)."""
        values = self._param_views()
        return np.concatenate(values) if values else np.empty(0)

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
        n = len(self.layers)
        self._outs = [None] * n
        if self._grad_handles:  # large outputs' tensor hooks (their gradients) are spent
            self._hgrads, self._grad_handles = [None] * n, []
        self._count = index + 1
        self._recording = self._count % self.every == 0
        if not self._recording:
            self._prev = None
            self._detach()  # the steps in between run as without a monitor
        else:
            if self.every != 1:  # the coming step's update is measured from these values
                self._prev = self._param_data()
            self._attach()

    def _attach(self) -> None:
        if not self._handles:
            self._handles = [m.register_forward_hook(fn)
                             for fn, (_, m) in zip(self._forward_fns, self.layers)]

    def _detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def _record(self, index: int, lr: float | None) -> None:
        """Copy this step's subsamples into the next row of their block (one
        ``np.concatenate``); reduce the block when it is full."""
        same = self._same
        arrays = None if same is None else self._gather_as_before(same)
        if arrays is not None:
            block = same[-1]  # the open block: the one _gather found for these arrays
        else:
            arrays, block = self._gather()
            if block is not self._open:
                self._flush()  # a block holds consecutive steps with one set of sizes
                self._open = block
        k = len(block.steps)
        if arrays:
            np.concatenate(arrays, out=block.heads[k])  # 1-d views: NumPy's cheapest path
        if k == 0 or self.every != 1:  # else the block's previous row, when reduced
            prev = self._prev
            update = block.updates[k]
            if prev is not None and prev.shape == update.shape:
                np.subtract(block.values[k], prev, out=update)
            else:  # the parameters changed shape (or none was copied): no update
                update[...] = np.nan
        block.steps.append((index, math.nan if lr is None else float(lr)))
        self._last = (block, k)
        if k + 1 == len(block.rows):
            self._flush()

    def _gather_as_before(self, same: tuple) -> list | None:
        """This step's subsamples when the watched outputs have the shapes of the last
        step that had every array, each has its gradient, every parameter its gradient and
        its array of then (the common case, in as few Python operations as it takes: they
        count, ``benchmarks/monitor.py``); None for :meth:`_gather` to work it out. The
        gradients' shapes are their tensors' (the engine's invariant): not checked."""
        shapes, parts, bases, _ = same
        outs, params = self._outs, self._param_tensors
        try:  # a missing output, node or gradient has no attribute: the general case
            arrays = list(map(_DATA, outs))
            if list(map(_SHAPE, arrays)) != shapes:  # so the segments are the block's
                return None
            arrays += map(_GRAD_SIZE, outs)
            arrays += map(_GRAD_DATA, params)
            if not all(map(operator.is_, map(_DATA, params), bases)):
                return None
            for i, part in parts:  # an array laid out otherwise than then is copied first
                arrays[i] = arrays[i].ravel("K")[part]
        except AttributeError:
            return None
        arrays += self._value_views
        return arrays

    def _gather(self) -> tuple[list, Block]:
        """This step's subsamples and their layout, whatever is missing (no backward, a
        parameter without gradient, a large output's gradient from its tensor hook...)."""
        view, kinds, outs = self._view, self._kinds, self._outs
        arrays, sizes, whole = [], [], []
        for i, out in enumerate(outs):
            if out is None:
                sizes.append(0)
                continue
            whole.append(out._data)
            a = view(out._data)
            arrays.append(a)
            sizes.append(a.size)
            if kinds[i] == _UNRESOLVED:  # by the op that made it: a module ending in tanh
                kinds[i] = ACTIVATION_KINDS.get(type(out._node).__name__)
        hooked = False
        for i, out in enumerate(outs):
            g = None if out is None else self._hgrads[i]
            hooked = hooked or g is not None
            if g is None and out is not None and out._node is not None:
                g = out._node.grad_size  # the gradient itself when small (engine._grad_size)
                if not is_array(g) or g.shape != out._data.shape:
                    g = None  # a norm (large outputs), or no gradient reached it
            if g is None:
                sizes.append(0)
                continue
            whole.append(g)
            g = view(g)
            arrays.append(g)
            sizes.append(g.size)
        for p in self._param_tensors:
            g = p._grad
            if g is None:
                sizes.append(0)
                continue
            whole.append(g._data)
            g = view(g._data)
            arrays.append(g)
            sizes.append(g.size)
        arrays += self._param_views()
        sizes += self._value_sizes
        # float64 rows unless every array is float32 or narrower
        dtype = np.result_type(np.float32, *(w.dtype for w in whole),
                               *(v.dtype for v in self._value_views))
        dtype = np.dtype(np.float32 if dtype.itemsize <= 4 else np.float64)
        key = (*sizes, dtype.char)
        block = self._blocks.get(key)
        if block is None:
            rows = min(_PENDING, max(1, _BLOCK_VALUES // max(1, sum(sizes))))
            xp = xp_of(arrays[0]) if arrays else np  # the rows stay on the arrays' device
            block = self._blocks[key] = Block(tuple(sizes), len(outs), kinds, rows, dtype, xp)
        self._same = None
        if 0 not in sizes and not hooked:  # all there: the next step may take the short way
            plans = [self._plans[w.shape, w.strides] for w in whole]
            self._same = ([o._data.shape for o in outs],
                          [(i, part) for i, (w, part) in enumerate(zip(whole, plans))
                           if part.step is not None or w.ndim != 1],
                          self._value_bases, block)
        return arrays, block

    def _param_views(self) -> list[np.ndarray]:
        """Each parameter's subsample (views, cached while the parameter keeps its array:
        the optimisers update in place)."""
        bases = [p._data for p in self._param_tensors]
        if len(bases) != len(self._value_bases) or not all(
                map(operator.is_, bases, self._value_bases)):
            self._value_bases = bases
            self._value_views = [self._view(b) for b in bases]
            self._value_sizes = tuple(v.size for v in self._value_views)
        return self._value_views

    def _flush(self) -> None:
        """Reduce the open block's rows (:meth:`Block.reduce`); with ``every == 1`` its last
        row's parameter values are the coming step's "before"."""
        block = self._open
        if block is None or not block.steps:
            return
        pending, last_values = block.reduce(consecutive=self.every == 1)
        if last_values is not None:
            self._prev = last_values
        self._pending.append(pending)

    # -- reading --------------------------------------------------------------------

    def _computed(self) -> list[dict[str, Any]]:
        self._flush()
        pending, self._pending = self._pending, []
        self._chunks += [block.statistics(steps, sums, saturated)
                         for steps, block, sums, saturated in pending]
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
        block, k = self._last
        flat, sizes = to_host(block.rows[k]), block.sizes
        names = ([("activations", n) for n, _ in self.layers]
                 + [("gradients", n) for n, _ in self.layers]
                 + [("param_grads", n) for n, _ in self.params])
        offset = 0
        for (group, name), size in zip(names, sizes):
            if size:  # a copy: the row is reused by a later step
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
