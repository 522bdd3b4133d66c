"""What ``ag.viz.Monitor`` costs a training step (issue 20: at most 10% more).

The digits MLP ``nn.MLP([64, 128, 64, 10])`` (tanh), batch 32, Adam lr 1e-3, one BLAS
thread. Copies of the model from the same initial weights train on the same batches:
one plain, one with a ``Monitor`` attached (default settings: every step recorded,
its two tanh layers and six parameters; ``--every 10`` records every 10th) and
``monitor.step(lr=...)`` after each ``optimizer.step()``, and with ``--against FILE``
one more with the ``Monitor`` of another revision's ``monitor.py`` (before/after in one
run: ``git show REV:autograd/viz/monitor.py > /tmp/monitor_before.py``). Blocks of
``--steps`` steps (32) alternate between the variants, their order rotating
(interleaved, so that a busy machine slows all alike); the figures are the medians over
``--repeats`` blocks of the time per step (thread CPU time: on a machine shared with
other jobs, wall time also counts the waits for a core), the median of the per-round
ratios, and the ratio of the total times (which counts every amortised reduction).
The statistics computed every 256 steps are in the blocks; turning the recorded steps
into ``monitor.history`` dicts, done once when it is read, is timed apart.
``--floor`` adds a stand-in that only reads one value of each array a recorded step
copies (what touching them costs, before any statistic); ``--copy-floor`` one that copies
the step's subsamples into a row as the Monitor does (the same views, one
``np.concatenate``) and computes nothing from them: the least a Monitor that copies what
it records each step can cost. ``--breakdown`` adds the
time of each phase of the step (forward, backward, optimiser, ``monitor.step()``),
plain and monitored. ``--cold`` times one NumPy call made right after each training
step against the same call in a tight loop, on an 8-value array (nothing to miss in a
data cache) and on a 1024-value one: whether what slows the Monitor's calls inside the
loop is the data they read or the calls themselves.
Run: ``python -m benchmarks.monitor`` (repository root).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from nn.datasets import load_digits  # noqa: E402
from nn.training import _correct  # noqa: E402

# CPU time of this thread: on a machine shared with other jobs, wall time also counts the
# waits for a core, which have nothing to do with either variant (--wall to use it).
CLOCK = time.thread_time


def _monitor_class(path: str) -> type:
    """The ``Monitor`` class of a ``monitor.py`` from another revision."""
    spec = importlib.util.spec_from_file_location("monitor_against", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Monitor


def _floor(model, **options) -> object:
    """A Monitor whose recorded step only reads one value of each array the Monitor copies
    (its layers' outputs and their gradients, the parameters' gradients and values: one
    ``np.concatenate`` of one-value views): what a step costs before any statistic."""
    monitor = ag.viz.Monitor(model, **options)
    params = [p for _, p in monitor.params]
    buf = np.empty(256)

    def record(index: int, lr: float | None) -> None:
        outs = monitor._outs
        arrays = ([o._data for o in outs] + [o._node.grad_size for o in outs]
                  + [p.grad._data for p in params] + [p._data for p in params])
        np.concatenate([a.reshape(-1)[:1] for a in arrays], out=buf[:len(arrays)])

    monitor._record = record
    return monitor


def _copy_floor(model, **options) -> object:
    """A Monitor whose recorded step copies its subsamples (the outputs, their gradients,
    the parameters' gradients and values: the Monitor's own views) into a row of the
    arrays' float type with one ``np.concatenate``, as the Monitor does, and reduces
    nothing."""
    monitor = ag.viz.Monitor(model, **options)
    view = monitor._view
    rows: dict[int, np.ndarray] = {}

    def record(index: int, lr: float | None) -> None:
        outs = monitor._outs
        arrays = ([view(o._data) for o in outs] + [view(o._node.grad_size) for o in outs]
                  + [view(p.grad._data) for _, p in monitor.params]
                  + monitor._param_views())
        n = sum(a.size for a in arrays)
        row = rows.get(n)
        if row is None:
            row = rows[n] = np.empty(n, dtype=np.result_type(*arrays))
        np.concatenate(arrays, out=row)

    monitor._record = record
    return monitor


def digits_batches(split) -> list[tuple]:
    """The digits training set in batches of 32, in order (the last partial one dropped)."""
    return [(ag.tensor(split.x_train[i:i + 32]), ag.tensor(split.y_train[i:i + 32]))
            for i in range(0, len(split.x_train) - 31, 32)]


def setup(monitor_class: type | None, sample: int | None, every: int | None = None
          ) -> tuple:
    ag.manual_seed(0)
    model = nn.MLP([64, 128, 64, 10])
    opt = optim.Adam(model.parameters(), lr=1e-3)
    options = {k: v for k, v in (("sample", sample), ("every", every)) if v is not None}
    monitor = monitor_class(model, **options) if monitor_class is not None else None
    return model, opt, monitor


def block(model, opt, monitor, loss_fn, batches, steps: int, start: int) -> float:
    t0 = CLOCK()
    for k in range(start, start + steps):
        x, y = batches[k % len(batches)]
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if monitor is not None:
            monitor.step(lr=1e-3)
    return (CLOCK() - t0) / steps


class _Epochs:
    """One variant's shuffling ``DataLoader`` over the training set (batch 32, as
    ``chainrule train``; every variant's from the same seed: the same batches) and the
    running loss and accuracy that ``fit`` keeps."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        from nn.data import DataLoader, TensorDataset

        ag.manual_seed(1)
        self.loader = DataLoader(TensorDataset(ag.tensor(x), ag.tensor(y)), batch_size=32,
                                 shuffle=True)
        self.batches = iter(self.loader)
        self.seen = self.correct = 0
        self.loss_sum = 0.0

    def next(self) -> tuple:
        batch = next(self.batches, None)
        if batch is None:  # a new epoch
            self.batches = iter(self.loader)
            batch = next(self.batches)
        return batch


def _fit_block(model, opt, monitor, loss_fn, epochs: _Epochs, steps: int, start: int) -> float:
    """A block of steps as ``nn.training.fit`` (and so ``chainrule train``) runs them: the
    next batch of a shuffling ``DataLoader``, the step, the running loss and accuracy
    (``start`` unused: the loader goes on where it was)."""
    t0 = CLOCK()
    for _ in range(steps):
        x, y = epochs.next()
        opt.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, y)
        loss.backward()
        opt.step()
        if monitor is not None:
            monitor.step(lr=1e-3)
        epochs.seen += len(y)
        epochs.loss_sum += float(loss.item()) * len(y)
        epochs.correct += _correct(logits, y)
    return (CLOCK() - t0) / steps


def _phases(model, opt, monitor, loss_fn, batches, steps: int, start: int) -> list[float]:
    """Mean seconds per step of each phase: forward (with the loss), backward,
    ``optimizer.step()``, ``monitor.step()`` (on ``CLOCK``: the thread's CPU time, read
    with ``clock_gettime``'s nanoseconds)."""
    clock = CLOCK
    acc = [0.0] * 4
    for k in range(start, start + steps):
        x, y = batches[k % len(batches)]
        t0 = clock()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        t1 = clock()
        loss.backward()
        t2 = clock()
        opt.step()
        t3 = clock()
        if monitor is not None:
            monitor.step(lr=1e-3)
        t4 = clock()
        for i, dt in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            acc[i] += dt
    return [a / steps for a in acc]


def _breakdown(plain: tuple, watched: tuple, loss_fn, batches, steps: int,
               repeats: int) -> None:
    """Where the monitored step's extra time goes: the median over interleaved blocks of
    each phase, plain and monitored."""
    runs: dict[str, list[list[float]]] = {"plain": [], "monitor": []}
    for r in range(repeats):
        start = (r + 1) * steps
        runs["plain"].append(_phases(*plain, loss_fn, batches, steps, start))
        runs["monitor"].append(_phases(*watched, loss_fn, batches, steps, start))
    print("  phase (us, median)               plain   with Monitor   extra")
    for i, phase in enumerate(("forward + loss", "backward", "optimizer.step()",
                               "monitor.step()")):
        p = statistics.median(run[i] for run in runs["plain"]) * 1e6
        m = statistics.median(run[i] for run in runs["monitor"]) * 1e6
        print(f"  {phase:<30} {p:7.1f} {m:14.1f} {m - p:+7.1f}")


def _cold(plain: tuple, loss_fn, batches, steps: int, repeats: int) -> None:
    """One ``.sum()`` right after each training step (the clock's own reads subtracted,
    timed the same way) against the same call in a tight loop, median over blocks."""
    model, opt, _ = plain
    clock = CLOCK
    arrays = {"8 values": np.ones(8), "1024 values": np.random.default_rng(0).random(1024)}

    def after_steps(a: np.ndarray | None, start: int) -> float:
        total = 0.0
        for k in range(start, start + steps):
            x, y = batches[k % len(batches)]
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
            if a is None:
                t0 = clock()
                t1 = clock()
            else:
                t0 = clock()
                a.sum()
                t1 = clock()
            total += t1 - t0
        return total / steps

    def tight(a: np.ndarray) -> float:
        t0 = clock()
        for _ in range(steps):
            a.sum()
        return (clock() - t0) / steps

    reads = statistics.median(after_steps(None, (r + 1) * steps) for r in range(repeats))
    print(f"  one .sum() (us, median)   after a training step   in a tight loop   "
          f"(clock reads {reads * 1e6:.2f} us subtracted)")
    for label, a in arrays.items():
        after = statistics.median(after_steps(a, (r + 1) * steps)
                                  for r in range(repeats)) - reads
        alone = statistics.median(tight(a) for _ in range(repeats))
        print(f"  {label:<24}{after * 1e6:14.2f}{alone * 1e6:18.2f}   "
              f"x{after / alone:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=32, help="steps per timed block")
    parser.add_argument("--repeats", type=int, default=100, help="blocks per variant")
    parser.add_argument("--sample", type=int, default=None,
                        help="Monitor(sample=...) (default: the Monitor's default)")
    parser.add_argument("--every", type=int, default=None,
                        help="Monitor(every=...) (default: the Monitor's default)")
    parser.add_argument("--against", metavar="FILE", default=None,
                        help="also time the Monitor of this monitor.py (another revision)")
    parser.add_argument("--floor", action="store_true",
                        help="also time a stand-in that only reads one value of each array "
                             "the Monitor copies (the cost before any statistic)")
    parser.add_argument("--copy-floor", action="store_true",
                        help="also time a stand-in that copies the recorded step's "
                             "subsamples as the Monitor does and computes nothing")
    parser.add_argument("--wall", action="store_true",
                        help="time with the wall clock instead of the thread's CPU time")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time each phase of the step (forward, backward, "
                             "optimizer, monitor.step) apart")
    parser.add_argument("--fit", action="store_true",
                        help="time the step as nn.training.fit (chainrule train) runs it: "
                             "batches from a shuffling DataLoader, the running loss and "
                             "accuracy, instead of the bare step on batches made beforehand")
    parser.add_argument("--cold", action="store_true",
                        help="also time one NumPy call right after each training step "
                             "against the same call in a tight loop")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    ag.set_num_threads(1)
    split = load_digits()
    batches = digits_batches(split)
    loss_fn = nn.CrossEntropyLoss()
    variants = {"plain": setup(None, None),
                "with Monitor": setup(ag.viz.Monitor, args.sample, args.every)}
    if args.against:
        variants["--against"] = setup(_monitor_class(args.against), args.sample,
                                       args.every)
    if args.floor:
        variants["arrays touched only"] = setup(_floor, args.sample, args.every)
    if args.copy_floor:
        variants["subsamples copied only"] = setup(_copy_floor, args.sample, args.every)
    names = list(variants)
    run = _fit_block if args.fit else block
    data = {name: _Epochs(split.x_train, split.y_train) if args.fit else batches
            for name in names}
    for name, variant in variants.items():  # warm-up
        run(*variant, loss_fn, data[name], args.steps, 0)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.repeats):
        start = (r + 1) * args.steps
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(run(*variants[name], loss_fn, data[name], args.steps, start))
    base = statistics.median(times["plain"])
    step = ("fit's step (DataLoader, running loss and accuracy)" if args.fit
            else "bare step (batches made beforehand)")
    print(f"digits MLP 64-128-64-10 (tanh), batch 32, Adam, {step}; {args.repeats} "
          f"interleaved blocks of {args.steps} steps, 1 BLAS thread, "
          f"{'wall' if args.wall else 'thread CPU'} time")
    print(f"  {'':22}{'median step':>12}  {'overhead':>9}  {'median ratio':>12}  "
          f"{'total ratio':>11}")
    for name in names:
        med = statistics.median(times[name])
        ratio = statistics.median(m / p for p, m in zip(times["plain"], times[name]))
        total = sum(times[name]) / sum(times["plain"])
        print(f"  {name:<22}{med * 1e6:9.1f} us  {100 * (med / base - 1):+8.1f}%  "
              f"{100 * (ratio - 1):+11.1f}%  {100 * (total - 1):+10.1f}%")
    monitor = variants["with Monitor"][2]
    print(f"  Monitor(sample={monitor.sample}, every={monitor.every})")
    t0 = time.perf_counter()
    rows = len(monitor.history)
    history_s = time.perf_counter() - t0
    recorded = len({r["step"] for r in monitor.history})
    print(f"  history rows        {rows} for {recorded} recorded steps, built in "
          f"{history_s * 1e3:.1f} ms ({history_s / recorded * 1e6:.1f} us per step, once, "
          f"when read)")
    if args.breakdown:
        _breakdown(variants["plain"], variants["with Monitor"], loss_fn, batches,
                   args.steps, args.repeats)
    if args.cold:
        _cold(variants["plain"], loss_fn, batches, args.steps, args.repeats)


if __name__ == "__main__":
    main()
