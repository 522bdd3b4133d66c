"""Tests for nn.training: the fit loop, evaluate, interrupts and the curves plot."""

from __future__ import annotations

import inspect
import json
import math
import pathlib
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from nn.data import DataLoader, TensorDataset
from nn.training import EpochStats, History, evaluate, fit, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def blobs(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated Gaussian blobs in 2-D: any working loop learns them quickly."""
    rng = np.random.default_rng(seed)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    y = rng.integers(0, 3, n)
    x = centres[y] + rng.normal(scale=0.5, size=(n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def setup(epochs_lr: float = 0.05) -> tuple:
    x, y = blobs()
    model = nn.MLP([2, 16, 3])
    opt = optim.Adam(model.parameters(), lr=epochs_lr)
    loader = DataLoader(TensorDataset(ag.tensor(x), ag.tensor(y)), batch_size=16, shuffle=True)
    return model, opt, loader, blobs(60, seed=1)


def test_fit_learns_and_records_every_epoch() -> None:
    model, opt, loader, test = setup()
    seen: list[EpochStats] = []
    lines: list[str] = []
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=4, progress=False,
                  on_epoch=seen.append, log=lines.append)
    assert isinstance(history, History) and not history.interrupted
    assert [e.epoch for e in history.epochs] == [1, 2, 3, 4]
    assert seen == history.epochs
    assert len(lines) == 4 and lines[0].startswith("epoch 1/4") and "test loss" in lines[0]
    assert history.epochs[-1].test_acc >= 0.95
    assert history.epochs[-1].train_loss < history.epochs[0].train_loss
    assert all(0.0 <= e.train_acc <= 1.0 and e.time_s > 0 for e in history.epochs)
    # The figures are plain floats, ready for metrics.json.
    data = json.loads(json.dumps(history.to_dict()))
    assert data["epochs"][2]["epoch"] == 3 and data["interrupted"] is False
    assert history.best().test_acc == max(history.column("test_acc"))


def test_fit_steps_the_scheduler_once_per_epoch() -> None:
    model, opt, loader, test = setup(epochs_lr=0.1)
    sched = optim.lr_scheduler.InverseTimeDecay(opt, decay_rate=1.0)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=3, scheduler=sched,
                  progress=False, log=None)
    # lr recorded is the one the epoch trained with: lr0 / (1 + epoch_index).
    assert history.column("lr") == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_fit_with_progress_bar_runs(capsys: pytest.CaptureFixture[str]) -> None:
    model, opt, loader, test = setup()
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=1, progress=True)
    assert len(history) == 1
    assert "epoch 1/1" in capsys.readouterr().out


class InterruptingLoader:
    """Yields the wrapped loader's batches; raises KeyboardInterrupt at batch ``at`` overall."""

    def __init__(self, loader: DataLoader, at: int) -> None:
        self.loader, self.at, self.count = loader, at, 0

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            self.count += 1
            if self.count == self.at:
                raise KeyboardInterrupt
            yield batch


def test_keyboard_interrupt_returns_the_finished_epochs() -> None:
    model, opt, loader, test = setup()
    per_epoch = len(loader)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    stopper = InterruptingLoader(loader, at=per_epoch + 3)  # mid-way through epoch 2
    history = fit(model, nn.CrossEntropyLoss(), opt, stopper, test, epochs=5, progress=False,
                  log=None)
    assert history.interrupted
    assert [e.epoch for e in history.epochs] == [1]
    assert history.to_dict()["interrupted"] is True
    # The weights trained so far stay in the model.
    after = model.state_dict()
    assert any(not np.array_equal(before[k], after[k]) for k in before)


def test_evaluate_matches_a_manual_computation_and_restores_the_mode() -> None:
    x, y = blobs(50)
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    model.train()
    loss, acc = evaluate(model, x, y, batch_size=7)  # chunks of 7: a short last chunk
    assert model.training
    model.eval()
    with ag.no_grad():
        logits = model(ag.tensor(x))
        expected = nn.CrossEntropyLoss()(logits, ag.tensor(y)).item()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert acc == pytest.approx(float((logits._data.argmax(1) == y).mean()))
    # Tensors are accepted as well as arrays.
    assert evaluate(model, ag.tensor(x), ag.tensor(y)) == pytest.approx((loss, acc), rel=1e-5)
    with pytest.raises(ValueError, match="no examples"):
        evaluate(model, x[:0], y[:0])


def test_plot_history_writes_a_png(tmp_path: pathlib.Path) -> None:
    history = History([EpochStats(i, 1.0 / i, 0.5 + i / 10, 1.2 / i, 0.4 + i / 10, 1e-3, 0.1)
                       for i in (1, 2, 3)])
    plot_history(history, tmp_path / "curves.png", title="blobs")
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG_SIGNATURE)
    # No finished epoch (interrupted in epoch 1) still gives a valid, empty figure.
    plot_history(History(interrupted=True), tmp_path / "empty.png")
    assert (tmp_path / "empty.png").read_bytes().startswith(PNG_SIGNATURE)


def test_epoch_summary_line() -> None:
    stats = EpochStats(3, 0.12345, 0.9, 0.2, 0.95, 1e-3, 1.25)
    line = stats.summary(20)
    assert line.startswith("epoch  3/20") and "0.1235" in line and "1.25s" in line
    assert not math.isnan(stats.train_loss)


def test_fit_continues_a_history_from_start_epoch() -> None:
    ag.manual_seed(0)
    model, opt, loader, test = setup()
    first = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=2, progress=False,
                log=None)
    lines: list[str] = []
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=4, progress=False,
                  log=lines.append, start_epoch=2, history=first)
    assert [e.epoch for e in history.epochs] == [1, 2, 3, 4]
    assert history.epochs[:2] == first.epochs and len(first) == 2  # the given one is kept
    assert lines[0].startswith("epoch 3/4") and len(lines) == 2


def test_an_interrupt_in_on_epoch_ends_training_cleanly() -> None:
    model, opt, loader, test = setup()
    seen: list[EpochStats] = []
    lines: list[str] = []

    def stop_in_epoch_2(stats: EpochStats) -> None:
        seen.append(stats)
        if stats.epoch == 2:
            raise KeyboardInterrupt

    history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=5, progress=False,
                  on_epoch=stop_in_epoch_2, log=lines.append)
    assert history.interrupted and [e.epoch for e in history.epochs] == [1, 2]
    # on_epoch runs before the line is logged: a logged epoch has had its on_epoch
    assert len(lines) == 1 and lines[0].startswith("epoch 1/5")


def test_an_interrupt_between_epochs_is_caught_too() -> None:
    """A signal handler runs where the loop jumps back to its next epoch: a Ctrl-C or
    SIGTERM raised exactly there (here by a trace function, at the loop's line after epoch
    1) must be caught like one inside an epoch (it once escaped fit, leaving nothing saved)."""
    model, opt, loader, test = setup()
    code = fit.__code__
    source, first = inspect.getsourcelines(fit)
    loop_line = next(n for n, text in enumerate(source, first)
                     if text.strip().startswith("for epoch in"))
    lines: list[str] = []

    def tracer(frame, event, arg):  # noqa: ANN001, ANN202
        if frame.f_code is not code:
            return None
        if event == "line" and frame.f_lineno == loop_line and lines:
            sys.settrace(None)
            raise KeyboardInterrupt
        return tracer

    sys.settrace(tracer)
    try:
        history = fit(model, nn.CrossEntropyLoss(), opt, loader, test, epochs=5,
                      progress=False, log=lines.append)
    except KeyboardInterrupt:  # not re-raised: that would end the whole pytest session
        pytest.fail("the interrupt between epochs escaped fit")
    finally:
        sys.settrace(None)
    assert history.interrupted and [e.epoch for e in history.epochs] == [1]
