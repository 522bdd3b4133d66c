"""A small supervised training loop for classifiers, with metrics and plots.

Used by ``chainrule train`` and meant to be reused from notebooks::

    import nn, optim
    from nn.training import fit, evaluate, plot_history

    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
                  train_loader, (x_test, y_test), epochs=10)
    plot_history(history, "curves.png")

Everything here works on NumPy arrays or Tensors for the test data and on any iterable of
``(x, y)`` Tensor batches (e.g. :class:`nn.data.DataLoader`) for the training data.
tqdm and matplotlib are imported only when a progress bar or a plot is asked for.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sized
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

import autograd as ag
from nn.optional import optional, require

__all__ = ["EpochStats", "History", "evaluate", "fit", "plot_history"]


@dataclass
class EpochStats:
    """The figures of one finished epoch.

    ``train_loss`` and ``train_acc`` are averages over the epoch's batches, weighted by batch
    size, measured while the weights were still moving (as a progress bar shows them);
    ``test_loss`` and ``test_acc`` are measured on the test data after the epoch, in eval mode.
    """

    epoch: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float
    lr: float
    time_s: float

    def summary(self, epochs: int | None = None) -> str:
        """One human-readable line, e.g. ``epoch  3/20  train loss 0.1234 ...``."""
        width = len(str(epochs)) if epochs else 1
        of = f"/{epochs}" if epochs else ""
        return (
            f"epoch {self.epoch:>{width}}{of}  train loss {self.train_loss:.4f}  "
            f"acc {self.train_acc:.4f}  |  test loss {self.test_loss:.4f}  "
            f"acc {self.test_acc:.4f}  |  lr {self.lr:.3g}  {self.time_s:.2f}s"
        )


@dataclass
class History:
    """What :func:`fit` returns: one :class:`EpochStats` per finished epoch.

    ``interrupted`` is true when a ``KeyboardInterrupt`` stopped training early; the model
    then holds whatever weights it had reached (mid-epoch included), and ``epochs`` lists
    only the epochs that finished.
    """

    epochs: list[EpochStats] = field(default_factory=list)
    interrupted: bool = False

    def __len__(self) -> int:
        return len(self.epochs)

    def column(self, name: str) -> list[float]:
        """One figure across epochs, e.g. ``history.column("test_acc")``."""
        return [getattr(e, name) for e in self.epochs]

    def best(self, name: str = "test_acc") -> EpochStats | None:
        """The epoch with the highest ``name`` (first one on ties), or None if none finished."""
        return max(self.epochs, key=lambda e: getattr(e, name), default=None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"epochs": [asdict(e) for e in self.epochs], "interrupted": self.interrupted}


def _correct(logits: ag.Tensor, y: ag.Tensor) -> int:
    """How many rows of ``logits`` (N, C) have their largest entry at the class ``y`` (N,)."""
    return int((logits.detach().argmax(-1) == y.detach()).sum().item())  # one sync on a GPU


def _device_of(model: Any) -> Any:
    """The device of the model's first parameter (None: no parameters)."""
    params = getattr(model, "parameters", None)
    first = next(iter(params()), None) if params is not None else None
    return None if first is None else first.device


def _lr(optimizer: Any) -> float:
    return float(optimizer.param_groups[0]["lr"])


def evaluate(
    model: Any,
    x: Any,
    y: Any,
    loss_fn: Callable[[ag.Tensor, ag.Tensor], ag.Tensor] | None = None,
    batch_size: int = 1000,
) -> tuple[float, float]:
    """Mean loss and accuracy of a classifier on ``(x, y)``, in eval mode and without grad.

    ``x`` and ``y`` are arrays or Tensors (class indices for ``y``). ``loss_fn`` defaults to
    cross entropy with mean reduction. Evaluates in chunks of ``batch_size`` so that a large
    test set never builds one huge activation, and puts the model back in the mode it was in.

    Returns:
        ``(loss, accuracy)`` as Python floats.
    """
    if loss_fn is None:
        import nn

        loss_fn = nn.CrossEntropyLoss()
    x_all = x.detach().cpu().numpy() if isinstance(x, ag.Tensor) else np.asarray(x)
    y_all = y.detach().cpu().numpy() if isinstance(y, ag.Tensor) else np.asarray(y)
    device = _device_of(model)  # the chunks go where the model is
    n = len(x_all)
    if n == 0:
        raise ValueError("evaluate: no examples")
    was_training = getattr(model, "training", False)
    model.eval()
    total_loss = 0.0
    correct = 0
    try:
        with ag.no_grad():
            for start in range(0, n, batch_size):
                xb = ag.tensor(x_all[start : start + batch_size], device=device)
                yb = ag.tensor(y_all[start : start + batch_size], device=device)
                logits = model(xb)
                # Weight by chunk size: the last chunk is usually shorter.
                total_loss += float(loss_fn(logits, yb).item()) * len(xb)
                correct += _correct(logits, yb)
    finally:
        model.train(was_training)
    return total_loss / n, correct / n


def _progress_bar(total: int | None, desc: str, enabled: bool) -> Any:
    """A tqdm bar, or None when disabled or tqdm is missing (training goes on without it)."""
    if not enabled:
        return None
    tqdm_auto = optional("tqdm.auto", "progress", "no progress bar")
    if tqdm_auto is None:
        return None
    return tqdm_auto.tqdm(total=total, desc=desc, unit="batch", leave=False, file=sys.stderr,
                          dynamic_ncols=True)


def fit(
    model: Any,
    loss_fn: Callable[[ag.Tensor, ag.Tensor], ag.Tensor],
    optimizer: Any,
    train_loader: Iterable[tuple[ag.Tensor, ag.Tensor]],
    test_data: tuple[Any, Any],
    epochs: int,
    scheduler: Any = None,
    progress: bool = True,
    on_epoch: Callable[[EpochStats], None] | None = None,
    log: Callable[[str], None] | None = print,
    start_epoch: int = 0,
    history: History | None = None,
) -> History:
    """Train a classifier for ``epochs`` epochs; evaluate on ``test_data`` after each one.

    Each step is ``zero_grad``, forward, ``loss_fn(logits, y)``, ``backward``,
    ``optimizer.step()``; ``scheduler.step()`` (if given) runs once per epoch, so an
    ``InverseTimeDecay`` decays per epoch.

    Args:
        model: an ``nn.Module`` returning logits.
        loss_fn: e.g. ``nn.CrossEntropyLoss()``; must return a scalar Tensor.
        optimizer: an ``optim.Optimizer`` over the model's parameters.
        train_loader: re-iterable batches ``(x, y)``, e.g. a shuffling ``DataLoader``.
        test_data: ``(x_test, y_test)`` arrays or Tensors.
        epochs: the total number of passes over ``train_loader``, counting the
            ``start_epoch`` already done.
        scheduler: an ``optim.lr_scheduler`` object, stepped after each epoch.
        progress: show a tqdm bar per epoch with the running loss and accuracy (on stderr).
        on_epoch: called with each finished epoch's :class:`EpochStats`.
        log: where each epoch's one-line summary goes (``print`` by default; ``None`` for
            silence).
        start_epoch: epochs already done (resuming a checkpoint): training runs epochs
            ``start_epoch + 1`` to ``epochs``. The model, optimizer, scheduler and random
            state must be those at the end of epoch ``start_epoch``.
        history: the :class:`History` to continue (its epochs are kept); a new one if None.

    Returns:
        A :class:`History`. A ``KeyboardInterrupt`` (Ctrl-C, or a signal handler raising
        one) anywhere in an epoch, ``on_epoch`` and ``log`` included, is caught: the
        history so far comes back with ``interrupted=True`` so that the caller can still
        save the model and the figures.
    """
    x_test, y_test = test_data
    history = History(list(history.epochs)) if history is not None else History()
    total = len(train_loader) if isinstance(train_loader, Sized) else None
    model.train()
    # One try around the whole loop, not one per epoch: the loop's own jump back is where
    # Python runs signal handlers, so a per-epoch try left a gap between epochs through
    # which a SIGTERM raised out of fit unsaved (seen in CI, right after an epoch's line).
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            _epoch(model, loss_fn, optimizer, train_loader, (x_test, y_test), epoch, epochs,
                   total, scheduler, progress, on_epoch, log, history)
    except KeyboardInterrupt:
        history.interrupted = True
    return history


def _epoch(model: Any, loss_fn: Callable, optimizer: Any, train_loader: Iterable,
           test_data: tuple[Any, Any], epoch: int, epochs: int, total: int | None,
           scheduler: Any, progress: bool, on_epoch: Callable[[EpochStats], None] | None,
           log: Callable[[str], None] | None, history: History) -> None:
    """One epoch of :func:`fit`: train, evaluate, step the scheduler, record, report."""
    lr = _lr(optimizer)
    bar = _progress_bar(total, f"epoch {epoch}/{epochs}", progress)
    start = time.perf_counter()
    seen = 0
    loss_sum = 0.0
    correct = 0
    device = _device_of(model)
    try:
        for x, y in train_loader:
            if device is not None:  # batches go where the model is (no copy when there)
                x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            optimizer.step()
            n = len(y)
            seen += n
            loss_sum += float(loss.item()) * n
            correct += _correct(logits, y)
            if bar is not None:
                bar.update(1)
                # A dict keeps this order; keyword arguments would be sorted (acc first).
                bar.set_postfix({"loss": f"{loss_sum / seen:.4f}",
                                 "acc": f"{correct / seen:.4f}"}, refresh=False)
        # Evaluation belongs to the epoch: an interrupt here drops the unfinished epoch.
        test_loss, test_acc = evaluate(model, *test_data, loss_fn)
    finally:
        if bar is not None:
            bar.close()
    if scheduler is not None:
        scheduler.step()
    stats = EpochStats(
        epoch=epoch,
        train_loss=loss_sum / seen if seen else math.nan,
        train_acc=correct / seen if seen else math.nan,
        test_loss=test_loss,
        test_acc=test_acc,
        lr=lr,
        time_s=time.perf_counter() - start,
    )
    history.epochs.append(stats)
    if on_epoch is not None:  # first: once the line shows, on_epoch's work is done
        on_epoch(stats)
    if log is not None:
        log(stats.summary(epochs))


def plot_history(history: History, path: str | os.PathLike[str], title: str | None = None) -> None:
    """Save loss and accuracy per epoch (train and test) side by side as an image.

    Uses matplotlib's object API with the Agg canvas, never ``pyplot``, so it works without a
    display and does not touch the caller's pyplot state or backend.

    Raises:
        ImportError: matplotlib is not installed (the message says how to install it).
    """
    Figure = require("matplotlib.figure", "plot", "plotting curves").Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = history.column("epoch")
    # Markers keep a one-epoch run visible (a single point draws no line).
    style = {"marker": "o", "markersize": 3}
    ax_loss.plot(epochs, history.column("train_loss"), label="train", **style)
    ax_loss.plot(epochs, history.column("test_loss"), label="test", **style)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.plot(epochs, history.column("train_acc"), label="train", **style)
    ax_acc.plot(epochs, history.column("test_acc"), label="test", **style)
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    best = history.best()
    if best is not None:
        ax_acc.annotate(f"{best.test_acc:.4f}", (best.epoch, best.test_acc),
                        textcoords="offset points", xytext=(0, -14), ha="center", fontsize=8)
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
        if epochs:
            # Whole epochs only on the x axis.
            ax.xaxis.get_major_locator().set_params(integer=True)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
