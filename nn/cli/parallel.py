"""``mpiexec -n N chainrule train``: one run trained data-parallel by N processes.

Every rank builds the same model from the same seed and iterates the same shuffled
global batches of ``B`` rows (the same seed: the same shuffle); rank ``r`` of ``N``
trains on rows ``[r·B/N, (r+1)·B/N)`` of each batch, and ``DistributedDataParallel``
averages the gradients, so each step applies the gradient of the mean loss over the
global batch — the one-process run's step, to float rounding. ``B`` must divide by
``N``. The epoch's last, shorter batch of ``b`` rows is split as evenly as it goes
(rows ``[r·b//N, (r+1)·b//N)``) and each rank's loss is scaled by ``N·b_r/b`` so that
the averaged gradient is still that of the mean over the ``b`` rows.

The test set is split the same way; the figures of each epoch (train loss and accuracy
weighted by rows, test loss and accuracy) are sums all-reduced over the ranks, so they
are the one-process run's figures. Rank 0 alone creates the run folder, prints and
writes files; an error that only rank 0 can see (an unwritable ``--out``, a missing
checkpoint) is sent to every rank, so the job ends at once with rank 0's one-line
message; any other failure on any rank aborts the whole job (the excepthook of
``autograd.distributed``). Ctrl-C, SIGTERM and SIGHUP are only recorded while training;
a non-blocking all-reduce of the recorded signal, started at each step and read at the
next, stops every rank at the same step (a rank stopping alone would leave the others
waiting in a collective), and the run is saved as on one process.

BatchNorm keeps per-rank statistics (each rank normalises with those of its shard of
``B/N`` rows), as torch's DDP does; before evaluating, rank 0's running statistics are
broadcast to every rank (torch does so in the first forward after training), so the
figures are those of the saved model. ``--sync-bn`` converts BatchNorm layers to
``nn.SyncBatchNorm`` (statistics over the global batch, as one process computes them).
None of the built-in models has BatchNorm.

Without ``mpiexec`` (a job of one rank) every method here leaves things as they are.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

import autograd as ag
import autograd.distributed as dist
import nn
from nn.cli.common import EXIT_USAGE, PROG, CLIError
from nn.cli.signals import SIGNALS, SignalInterrupt, StopSignals, exit_status
from nn.parallel import DistributedDataParallel, SyncBatchNorm
from nn.training import EpochStats, evaluate

__all__ = ["Ranks"]

_BATCHNORMS = (nn.BatchNorm1d, nn.BatchNorm2d)

T = TypeVar("T")

# This process's rank as the launcher tells it (MPICH's hydra, Open MPI, PMIx).
_LAUNCHER_RANK_VARS = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")


def _bounds(n: int, rank: int, world: int) -> tuple[int, int]:
    """Rank ``rank``'s rows ``[lo, hi)`` of ``n``: ``n/world`` each when it divides."""
    return rank * n // world, (rank + 1) * n // world


class _EvalSyncDDP(DistributedDataParallel):
    """DDP that, as torch's, broadcasts rank 0's buffers in the first forward without
    grad after a training forward: evaluation then uses the statistics rank 0 saves."""

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if ag.is_grad_enabled():
            self._buffers_differ = self.broadcast_buffers
        elif getattr(self, "_buffers_differ", False):
            for b in self.module.buffers():
                dist.broadcast(b, src=0)
            self._buffers_differ = False
        return super().forward(*inputs, **kwargs)


class _Tally:
    """This rank's training figures of the running epoch (sums over its rows)."""

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct = 0
        self.seen = 0
        self.batch = 0  # rows of the current global batch


class _ShardedLoader:
    """The global batches of ``loader``, cut down to this rank's rows."""

    def __init__(self, loader: Any, rank: int, world: int, tally: _Tally,
                 stop: StopSignals) -> None:
        self.loader, self.rank, self.world, self.tally = loader, rank, world, tally
        self.stop = stop

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple[ag.Tensor, ag.Tensor]]:
        flag = None
        for x, y in self.loader:
            if flag is not None:
                _stop_if_signalled(flag, self.stop)
            flag = _signal_flag(self.stop)
            self.tally.batch = b = len(y)
            lo, hi = _bounds(b, self.rank, self.world)
            yield x[lo:hi], y[lo:hi]
        if flag is not None:
            _stop_if_signalled(flag, self.stop)


def _signal_flag(stop: StopSignals) -> tuple[ag.Tensor, dist.Work]:
    """Start the all-reduce (MAX) of the signal this rank has received (0 if none); it
    completes while the step computes."""
    flag = ag.tensor(np.array([stop.received or 0], dtype=np.int64))
    return flag, dist.all_reduce(flag, op=dist.ReduceOp.MAX, async_op=True)


def _stop_if_signalled(pending: tuple[ag.Tensor, dist.Work], stop: StopSignals) -> None:
    """Between steps: if a signal reached any rank (as of the previous step's start),
    every rank stops here, at the same step; a rank stopping alone would leave the
    others waiting in a collective."""
    flag, work = pending
    work.wait()
    signum = int(flag.numpy()[0])
    if signum:
        stop.received = signum
        raise KeyboardInterrupt() if signum == signal.SIGINT else SignalInterrupt(signum)


class _ShardLoss:
    """``loss_fn`` on this rank's rows, scaled by ``N·b_r/b`` (exactly 1 for equal shards)
    so that averaging the gradients over the ranks gives the global batch's; it also
    tallies the unscaled loss and the hits. Under ``no_grad`` (evaluation) it is
    ``loss_fn`` itself."""

    def __init__(self, loss_fn: Callable, world: int, tally: _Tally) -> None:
        self.loss_fn, self.world, self.tally = loss_fn, world, tally

    def __call__(self, logits: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
        if not ag.is_grad_enabled():
            return self.loss_fn(logits, y)
        n, tally = len(y), self.tally
        if n == 0:  # a last batch with fewer rows than ranks: a zero gradient from this rank
            return logits.sum() * 0.0
        loss = self.loss_fn(logits, y)
        tally.loss_sum += float(loss.item()) * n
        tally.correct += int((logits.detach().numpy().argmax(-1) == y.numpy()).sum())
        tally.seen += n
        if n * self.world != tally.batch:
            loss = loss * (n * self.world / tally.batch)
        return loss


class Ranks:
    """The ranks of this ``chainrule train`` job: ``rank`` of ``world``; ``main`` on rank 0.

    ``Ranks()`` joins the job started by ``mpiexec`` (``init_process_group("mpi")``) when
    there is one; call :meth:`stop` after a normal end (``destroy_process_group``).
    """

    def __init__(self) -> None:
        self.rank, self.world = 0, 1
        self._tally = _Tally()
        self._test_rows = 0
        self._swaps: list[tuple[Any, str, Any, Any]] = []  # --sync-bn's, to undo
        if dist.launched_by_mpiexec():
            try:
                dist.init_process_group("mpi")
            except RuntimeError as exc:  # no mpi4py: one line, from the first rank only
                rank = next((os.environ[v] for v in _LAUNCHER_RANK_VARS if v in os.environ), "0")
                if rank != "0":
                    raise SystemExit(1) from None
                raise CLIError(f"started by mpiexec, but {exc}") from None
            self.rank, self.world = dist.get_rank(), dist.get_world_size()

    @property
    def main(self) -> bool:
        return self.rank == 0

    def stop(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()

    def _fail_together(self, exc: CLIError) -> None:
        """Every rank has ``exc``: rank 0 reports it, the others leave quietly."""
        self.stop()
        if self.main:
            raise exc
        raise SystemExit(exc.code)

    def together(self, fn: Callable[[], T]) -> T:
        """``fn()`` on every rank, for checks that fail alike everywhere (one message)."""
        try:
            return fn()
        except CLIError as exc:
            if self.world == 1:
                raise
            self._fail_together(exc)
            raise  # unreachable

    def on_main(self, fn: Callable[[], T]) -> T:
        """``fn()`` on rank 0 only; its result (or its CLIError) on every rank."""
        return self._main_runs(fn, share=True)

    def main_first(self, fn: Callable[[], T]) -> T:
        """``fn()`` on rank 0, then (if it succeeded) on the others: a download happens
        once, and a large result is not sent around."""
        result = self._main_runs(fn, share=False)
        return result if self.main else fn()

    def _main_runs(self, fn: Callable[[], T], share: bool) -> Any:
        if self.world == 1:
            return fn()
        outcome: list[Any] = [None]
        result = None
        if self.main:
            try:
                result = fn()
                outcome = [("ok", result if share else None)]
            except CLIError as exc:
                outcome = [("error", exc)]
        dist.broadcast_object_list(outcome, src=0)
        kind, value = outcome[0]
        if kind == "error":
            self._fail_together(value)
        return result if self.main else value

    def check_batch(self, batch_size: int) -> None:
        """The one-line error when the global batch does not split evenly."""
        if batch_size % self.world:
            self._fail_together(CLIError(
                f"the batch size {batch_size} does not divide by the {self.world} ranks of "
                f"mpiexec; pass a multiple of {self.world} as --batch-size (the global batch, "
                f"split over the ranks)", EXIT_USAGE))

    def wrap(self, model: Any, sync_bn: bool = False) -> Any:
        """The model to train: ``model`` in DistributedDataParallel on several ranks (its
        BatchNorm layers made SyncBatchNorm first with ``sync_bn``); ``model`` alone."""
        if self.world == 1:
            return model
        if sync_bn:
            for parent in list(model.modules()):
                for name, child in list(parent.named_children()):
                    if isinstance(child, _BATCHNORMS):
                        sync = SyncBatchNorm.convert_sync_batchnorm(child)
                        parent.add_module(name, sync)
                        self._swaps.append((parent, name, child, sync))
        return _EvalSyncDDP(model)

    def unwrap(self) -> None:
        """Undo ``wrap``'s SyncBatchNorm conversion (the trained statistics kept): the
        model that rank 0 saves and draws (alone) is the one-process model."""
        for parent, name, bn, sync in reversed(self._swaps):
            bn.load_state_dict(sync.state_dict())
            parent.add_module(name, bn)
        self._swaps = []

    def loss(self, loss_fn: Callable) -> Callable:
        return loss_fn if self.world == 1 else _ShardLoss(loss_fn, self.world, self._tally)

    def shard(self, loader: Any, stop: StopSignals) -> Any:
        """This rank's rows of every global batch of ``loader``; a signal that ``stop``
        recorded on any rank stops every rank before the same step."""
        if self.world == 1:
            return loader
        return _ShardedLoader(loader, self.rank, self.world, self._tally, stop)

    @contextmanager
    def signals_at_steps(self, stop: StopSignals) -> Iterator[None]:
        """On several ranks, Ctrl-C (which mpiexec forwards to every rank), SIGTERM and
        SIGHUP are only recorded in ``stop``; :meth:`shard`'s loader acts on them at the
        next step, on every rank at once. On one rank: as before."""
        if self.world == 1:
            yield
            return
        stop.armed = False

        def record(signum: int, frame: Any) -> None:
            stop.received = signum

        old = {s: signal.signal(s, record) for s in (signal.SIGINT, *SIGNALS)}
        try:
            yield
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)

    def abort(self, exc: BaseException) -> None:
        """A failure on this rank alone that ``chainrule``'s main would report and return
        from (a CLIError, an interrupt): report it, then end every rank (the others may
        be waiting for this one in a collective). Other exceptions abort through the
        excepthook of ``autograd.distributed``."""
        if self.world == 1 or not dist.is_initialized():
            return
        if isinstance(exc, CLIError):
            print(f"{PROG} train: error (rank {self.rank}): {exc}", file=sys.stderr)
            code = exc.code
        elif isinstance(exc, KeyboardInterrupt):
            print(f"{PROG} train: interrupted (rank {self.rank})", file=sys.stderr)
            code = exit_status(exc)
        else:
            return
        sys.stderr.flush()
        sys.stdout.flush()
        dist._mpi().COMM_WORLD.Abort(code)

    def test_shard(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """This rank's rows of the test set."""
        lo, hi = _bounds(len(x), self.rank, self.world)
        self._test_rows = hi - lo
        return x[lo:hi], y[lo:hi]

    def _sum(self, values: list[float]) -> list[float]:
        t = ag.tensor(np.array(values, dtype=np.float64))
        dist.all_reduce(t)
        return [float(v) for v in t.numpy()]

    def combine(self, stats: EpochStats) -> None:
        """Make ``stats`` (this rank's) the epoch's figures over all ranks, in place."""
        if self.world == 1:
            return
        t, n = self._tally, self._test_rows
        loss, correct, seen, test_loss, test_correct, test_n = self._sum(
            [t.loss_sum, t.correct, t.seen, stats.test_loss * n, round(stats.test_acc * n), n])
        stats.train_loss, stats.train_acc = loss / seen, correct / seen
        stats.test_loss, stats.test_acc = test_loss / test_n, test_correct / test_n
        # The loader and the loss hold this tally: reset it in place for the next epoch.
        t.loss_sum, t.correct, t.seen = 0.0, 0, 0

    def evaluate(self, model: Any, x: np.ndarray, y: np.ndarray,
                 loss_fn: Callable) -> tuple[float, float]:
        """:func:`nn.training.evaluate` over the whole test set, each rank taking its
        share (rank 0's buffers first, so every rank evaluates the saved model)."""
        if self.world == 1:
            return evaluate(model, x, y, loss_fn)
        for b in model.buffers():
            dist.broadcast(b, src=0)
        xs, ys = self.test_shard(x, y)
        loss, acc = evaluate(model, xs, ys, loss_fn)
        n = len(xs)
        total, correct, rows = self._sum([loss * n, round(acc * n), n])
        return total / rows, correct / rows
