"""End-to-end tests of the ``chainrule`` command (nn.cli) on the bundled digits data.

Most tests call ``nn.cli.main(argv)`` in-process (it returns the exit status); one runs the
real entry point ``python -m nn.cli`` in a subprocess. No test touches the network or the
user's data directory.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.ops import cases as registry
from nn import cli
from nn.cli import recipes, render

ROOT = pathlib.Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HAVE_DOT = render.dot_available()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """A private $CHAINRULE_DATA, a scratch cwd (default runs/ go there), no network."""
    home = tmp_path / "data_home"
    monkeypatch.setenv("CHAINRULE_DATA", str(home))
    monkeypatch.chdir(tmp_path)

    def no_network(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return home


def one_line_error(err: str, *needles: str) -> None:
    """A user error: exactly one non-empty line on stderr, no traceback, naming the problem."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


def check_run_dir(out: pathlib.Path) -> dict[str, Any]:
    """Every output file is there and valid; returns metrics.json."""
    metrics = json.loads((out / "metrics.json").read_text())
    assert (out / "curves.png").read_bytes().startswith(PNG_SIGNATURE)
    if HAVE_DOT:
        root = ET.parse(out / "graph.svg").getroot()
        assert root.tag.endswith("svg")
    else:
        assert (out / "graph.dot").read_text().lstrip().startswith("digraph")
    assert (out / "model.npz").is_file()
    return metrics


# ------------------------------------------------------------------------------------------
# train


def test_train_end_to_end(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    built: list[Any] = []
    real_build = recipes.build_model

    def spy(*args: Any, **kwargs: Any) -> Any:
        built.append(real_build(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(recipes, "build_model", spy)
    out = tmp_path / "run"
    status = cli.main(["train", "--epochs", "2", "--batch-size", "64", "--lr", "0.01",
                       "--lr-decay", "0.1", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Traceback" not in captured.err
    assert "epoch 1/2" in captured.out and "epoch 2/2" in captured.out
    assert "test accuracy" in captured.out  # the final table

    metrics = check_run_dir(out)
    settings = metrics["settings"]
    assert settings["model"] == "mlp" and settings["data"] == "digits"
    assert settings["epochs"] == 2 and settings["batch_size"] == 64
    assert settings["optimizer"] == "adam" and settings["lr"] == 0.01
    assert settings["lr_decay"] == 0.1
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2]
    assert metrics["epochs"][1]["lr"] == pytest.approx(0.01 / 1.1)
    assert metrics["interrupted"] is False
    assert metrics["final"]["test_acc"] > 0.8  # two epochs of Adam on digits

    # The saved weights reload into a fresh model and predict exactly as the trained one.
    trained, _ = built[0]
    fresh, _ = real_build("mlp", "digits")
    fresh.load_state_dict(nn.load(out / "model.npz"))
    x = ag.tensor(np.random.default_rng(0).random((20, 64), dtype=np.float32))
    with ag.no_grad():
        np.testing.assert_array_equal(fresh(x).numpy(), trained(x).numpy())


def test_train_cnn_digits(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "cnn"
    assert cli.main(["train", "--model", "cnn", "--epochs", "1", "--batch-size", "128",
                     "--lr", "3e-3", "--out", str(out), "--quiet"]) == 0
    metrics = check_run_dir(out)
    assert metrics["settings"]["model_description"].startswith("SimpleCNN")
    assert nn.load(out / "model.npz")["features.0.weight"].shape == (16, 1, 3, 3)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw", "rmsprop"])
def test_every_optimizer_trains(optimizer: str, tmp_path: pathlib.Path) -> None:
    out = tmp_path / optimizer
    assert cli.main(["train", "--optimizer", optimizer, "--epochs", "2", "--quiet",
                     "--weight-decay", "1e-4", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"]["optimizer"] == optimizer
    # The recipe's lr goes with the recipe's optimizer; another optimizer gets its own lr.
    recipe = recipes.DEFAULTS[("digits", "mlp")]
    expected_lr = recipe.lr if optimizer == recipe.optimizer else recipes.DEFAULT_LR[optimizer]
    assert metrics["settings"]["lr"] == expected_lr
    assert metrics["settings"]["weight_decay"] == 1e-4
    assert metrics["final"]["test_acc"] > 0.5


@pytest.mark.parametrize(("model", "data", "shape"), [
    ("mlp", "digits", (64,)), ("cnn", "digits", (1, 8, 8)),
    ("mlp", "mnist1d", (40,)), ("cnn", "mnist1d", (1, 1, 40)),
    ("mlp", "mnist", (784,)), ("cnn", "mnist", (1, 28, 28)),
])
def test_build_model_fits_each_dataset(model: str, data: str, shape: tuple) -> None:
    net, description = cli.build_model(model, data)
    with ag.no_grad():
        assert net(ag.zeros(3, *shape)).shape == (3, 10)
    assert description


def test_train_cnn_on_mnist1d(tmp_path: pathlib.Path) -> None:
    # Generates MNIST-1D into the private $CHAINRULE_DATA (a few seconds, no network).
    out = tmp_path / "m1d"
    assert cli.main(["train", "--model", "cnn", "--data", "mnist1d", "--epochs", "2",
                     "--quiet", "--out", str(out)]) == 0
    metrics = check_run_dir(out)
    assert metrics["settings"]["optimizer"] == "adamw"
    assert metrics["settings"]["weight_decay"] == 0.05
    assert metrics["final"]["test_acc"] > 0.2  # chance is 0.1


def test_train_default_out_dir_and_quiet(tmp_path: pathlib.Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["train", "--epochs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "epoch 1/1" not in out and "test accuracy" in out
    runs = list((tmp_path / "runs").iterdir())  # cwd is tmp_path
    assert len(runs) == 1
    check_run_dir(runs[0])


def test_train_writes_dot_with_a_note_when_graphviz_is_missing(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(render, "dot_available", lambda: False)
    out = tmp_path / "nodot"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    assert (out / "graph.dot").read_text().lstrip().startswith("digraph")
    assert not (out / "graph.svg").exists()
    assert "dot" in capsys.readouterr().err


def test_keyboard_interrupt_saves_and_exits_130(tmp_path: pathlib.Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    real = recipes.build_optimizer
    steps_per_epoch = -(-1437 // 128)  # digits' training split, batch 128

    def interrupting(*args: Any, **kwargs: Any) -> Any:
        opt = real(*args, **kwargs)
        step, calls = opt.step, [0]

        def step_then_maybe_ctrl_c() -> None:
            calls[0] += 1
            if calls[0] == steps_per_epoch + 2:  # early in epoch 2, as a user's Ctrl-C
                raise KeyboardInterrupt
            step()

        opt.step = step_then_maybe_ctrl_c
        return opt

    monkeypatch.setattr(recipes, "build_optimizer", interrupting)
    out = tmp_path / "stopped"
    status = cli.main(["train", "--epochs", "50", "--batch-size", "128", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 130
    assert "interrupted" in captured.err and "Traceback" not in captured.err
    metrics = check_run_dir(out)
    assert metrics["interrupted"] is True
    assert [e["epoch"] for e in metrics["epochs"]] == [1]
    assert metrics["final"]["epochs_completed"] == 1
    fresh, _ = cli.build_model("mlp", "digits")
    fresh.load_state_dict(nn.load(out / "model.npz"))  # a complete, loadable model


def test_train_via_python_m(tmp_path: pathlib.Path, _isolated: pathlib.Path) -> None:
    out = tmp_path / "sub"
    env = {**os.environ, "CHAINRULE_DATA": str(_isolated),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "nn.cli", "train", "--epochs", "1", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "epoch 1/1" in proc.stdout
    check_run_dir(out)


# ------------------------------------------------------------------------------------------
# errors


def test_unwritable_out(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    status = cli.main(["train", "--epochs", "1", "--out", str(blocker / "run")])
    assert status == 1
    one_line_error(capsys.readouterr().err, "cannot write to --out", "a-file")


@pytest.mark.parametrize(("argv", "needle"), [
    (["train", "--model", "rnn"], "invalid choice: 'rnn'"),
    (["train", "--data", "cifar"], "invalid choice: 'cifar'"),
    (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["train", "--epochs", "0"], "positive integer"),
    (["train", "--lr", "-1"], "positive number"),
    (["train", "--batch-size", "many"], "positive integer"),
    (["train", "--bogus"], "unrecognized arguments"),
    (["fly"], "invalid choice: 'fly'"),
    (["graph", "--model", "transformer"], "invalid choice"),
])
def test_bad_options(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    one_line_error(capsys.readouterr().err, needle, "error:")


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "train" in capsys.readouterr().err


def test_missing_mnist_without_download(tmp_path: pathlib.Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "no-mnist"
    status = cli.main(["train", "--data", "mnist", "--data-dir", str(empty), "--no-download",
                       "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    assert err.startswith("chainrule train: error: cannot load mnist: MNIST files missing")
    assert str(empty) in err and "train-images-idx3-ubyte" in err


def test_missing_mnist_when_download_fails(tmp_path: pathlib.Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # urlopen is patched to fail (no network in tests): the message says where to put files.
    status = cli.main(["train", "--data", "mnist", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "Download failed" in err and "--data-dir" in err


# ------------------------------------------------------------------------------------------
# help


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["graph", "--help"],
                                  ["gradcheck", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: chainrule")
    if argv[0] == "train":
        for option in ("--model", "--data", "--epochs", "--batch-size", "--optimizer", "--lr",
                       "--weight-decay", "--lr-decay", "--seed", "--out", "--quiet"):
            assert option in out
        assert "digits   mlp" in out  # the table of defaults


# ------------------------------------------------------------------------------------------
# graph


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_graph_dot(model: str, tmp_path: pathlib.Path) -> None:
    path = tmp_path / f"{model}.dot"
    assert cli.main(["graph", "--model", model, "-o", str(path)]) == 0
    source = path.read_text()
    assert source.lstrip().startswith("digraph")
    assert "weight" in source


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot program is not installed")
def test_graph_svg_and_png(tmp_path: pathlib.Path) -> None:
    assert cli.main(["graph", "-o", str(tmp_path / "g.svg")]) == 0
    assert ET.parse(tmp_path / "g.svg").getroot().tag.endswith("svg")
    assert cli.main(["graph", "--model", "cnn", "-o", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").read_bytes().startswith(PNG_SIGNATURE)


def test_graph_errors(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["graph", "-o", str(tmp_path / "g.txt")]) == 1
    one_line_error(capsys.readouterr().err, ".svg, .png or .dot")
    monkeypatch.setattr(render, "dot_available", lambda: False)
    assert cli.main(["graph", "-o", str(tmp_path / "g.svg")]) == 1
    one_line_error(capsys.readouterr().err, "'dot' program")
    assert not (tmp_path / "g.svg").exists()
    assert cli.main(["graph", "-o", str(tmp_path / "missing-dir" / "g.dot")]) == 1
    one_line_error(capsys.readouterr().err, "cannot write")


# ------------------------------------------------------------------------------------------
# gradcheck


def test_gradcheck_filter_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--filter", "tanh"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("tanh[matrix]"))
    first, err1, second, err2 = row.split()[1:5]
    assert first == "pass" and second == "pass"
    assert float(err1) < 1e-6 and float(err2) < 1e-6
    assert "passed, 0 failed" in out


class WrongTanh(ag.Function):
    """tanh whose backward forgets the derivative's square: a deliberately broken op."""

    @staticmethod
    def forward(ctx: Any, x: ag.Tensor) -> ag.Tensor:
        y = ag.tensor(np.tanh(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: ag.Tensor) -> ag.Tensor:
        (y,) = ctx.saved_tensors
        return grad * (1 - y)  # should be 1 - y**2


def test_gradcheck_broken_case_fails(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    broken = registry.OpCase("broken_tanh", "wrong-vjp", WrongTanh.apply, ((2, 3),),
                             second_order=False)
    monkeypatch.setattr(registry, "CASES", [*registry.CASES, broken])
    assert cli.main(["gradcheck", "--filter", "broken", "-q"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("broken_tanh"))
    assert row.split()[1] == "FAIL" and float(row.split()[2]) > 1e-3
    assert "1 failed" in out


def test_gradcheck_unknown_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--filter", "no-such-op"]) == 1
    one_line_error(capsys.readouterr().err, "no gradcheck case matches")


def test_max_gradcheck_error_measures_the_jacobian_gap() -> None:
    x = ag.tensor(np.linspace(-1, 1, 5), requires_grad=True)
    assert cli.max_gradcheck_error(ag.tanh, (x,)) < 1e-8
    err = cli.max_gradcheck_error(WrongTanh.apply, (x,))
    y = np.tanh(x._data)
    assert err == pytest.approx(np.max(np.abs((1 - y) - (1 - y**2))), rel=1e-5)
    # Second order: d/dx of v * tanh'(x) = -2 v tanh tanh'.
    v = (ag.tensor(np.ones(5), requires_grad=True),)
    assert cli.max_gradcheck_error(ag.tanh, (x,), grad_outputs=v) < 1e-6


# ------------------------------------------------------------------------------------------
# slow: the advertised default run


@pytest.mark.slow
def test_default_train_reaches_95_percent_on_digits(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "default"
    assert cli.main(["train", "--quiet", "--out", str(out)]) == 0
    metrics = check_run_dir(out)
    assert metrics["final"]["test_acc"] >= 0.95


# ------------------------------------------------------------------------------------------
# checkpoints: resume, signals, overwrite, failed runs, diverged losses (issue 16)

FIGURES = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr")
QUICK = ["--batch-size", "128", "--lr-decay", "0.1", "--quiet"]


def figures(out: pathlib.Path) -> list[tuple]:
    metrics = json.loads((out / "metrics.json").read_text())
    return [tuple(e[k] for k in FIGURES) for e in metrics["epochs"]]


def interrupt_at_step(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """The next run's optimizer raises KeyboardInterrupt at its step number ``at``."""
    real = recipes.build_optimizer

    def interrupting(*args: Any, **kwargs: Any) -> Any:
        opt = real(*args, **kwargs)
        step, calls = opt.step, [0]

        def step_then_maybe_ctrl_c() -> None:
            calls[0] += 1
            if calls[0] == at:
                raise KeyboardInterrupt
            step()

        opt.step = step_then_maybe_ctrl_c
        return opt

    monkeypatch.setattr(recipes, "build_optimizer", interrupting)


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_resume_reproduces_the_uninterrupted_run_exactly(
        optimizer: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opts = [*QUICK, "--optimizer", optimizer]
    full, short, cut = tmp_path / "full", tmp_path / "short", tmp_path / "cut"
    assert cli.main(["train", "--epochs", "4", *opts, "--out", str(full)]) == 0
    # a finished 2-epoch run, continued to 4
    assert cli.main(["train", "--epochs", "2", *opts, "--out", str(short)]) == 0
    assert cli.main(["train", "--resume", str(short), "--epochs", "4", "-q"]) == 0
    # a 4-epoch run stopped by Ctrl-C in the middle of epoch 3, continued
    steps_per_epoch = -(-1437 // 128)
    with monkeypatch.context() as patch:
        interrupt_at_step(patch, 2 * steps_per_epoch + 5)
        assert cli.main(["train", "--epochs", "4", *opts, "--out", str(cut)]) == 130
    assert len(figures(cut)) == 2
    assert cli.main(["train", "--resume", str(cut), "-q"]) == 0  # to the run's own 4 epochs

    expected = figures(full)
    assert len(expected) == 4
    for run in (short, cut):
        assert figures(run) == expected  # loss for loss, bit for bit
        final, resumed = nn.load(full / "model.npz"), nn.load(run / "model.npz")
        for key in final:
            np.testing.assert_array_equal(resumed[key], final[key])
        metrics = json.loads((run / "metrics.json").read_text())
        assert metrics["settings"]["resumed_at"] == [2] and metrics["interrupted"] is False
    ckpt = nn.load(short / "checkpoint.npz")
    assert ckpt["epoch"] == 4 and isinstance(ckpt["optimizer"]["state"], dict)


def test_resume_errors(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(run)]) == 0
    capsys.readouterr()
    assert cli.main(["train", "--resume", str(run)]) == 1
    one_line_error(capsys.readouterr().err, "already done 1 epoch", "--epochs")
    assert cli.main(["train", "--resume", str(run), "--epochs", "3", "--lr", "0.1"]) == 1
    one_line_error(capsys.readouterr().err, "own settings", "--lr")
    assert cli.main(["train", "--resume", str(tmp_path / "nope"), "--epochs", "3"]) == 1
    one_line_error(capsys.readouterr().err, "no such run folder")
    (run / "checkpoint.npz").unlink()
    assert cli.main(["train", "--resume", str(run), "--epochs", "3"]) == 1
    one_line_error(capsys.readouterr().err, "no checkpoint.npz")


@pytest.mark.parametrize(("signame", "status"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_and_sighup_save_like_ctrl_c(signame: str, status: int, tmp_path: pathlib.Path,
                                             _isolated: pathlib.Path) -> None:
    import signal
    import time

    out = tmp_path / "sig"
    env = {**os.environ, "CHAINRULE_DATA": str(_isolated), "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nn.cli", "train", "--epochs", "100000", "--batch-size", "256",
         "--out", str(out)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:  # wait for the first finished epoch
            if line.startswith("epoch") or time.monotonic() > deadline:
                break
        proc.send_signal(getattr(signal, signame))
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == status, stderr
    assert f"stopped by {signame}" in stderr and "Traceback" not in stderr
    metrics = check_run_dir(out)
    assert metrics["interrupted"] is True and len(metrics["epochs"]) >= 1
    # the checkpoint holds the last epoch whose snapshot was complete: that is every epoch,
    # unless the signal landed inside the (sub-millisecond) snapshot of the last one
    ckpt = nn.load(out / "checkpoint.npz")
    assert len(metrics["epochs"]) - 1 <= ckpt["epoch"] <= len(metrics["epochs"])
    assert ckpt["epoch"] >= 1


def test_an_existing_out_is_refused_unless_overwrite(tmp_path: pathlib.Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "taken"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    before = (out / "metrics.json").read_text()
    capsys.readouterr()
    assert cli.main(["train", "--epochs", "2", "--quiet", "--out", str(out)]) == 1
    one_line_error(capsys.readouterr().err, "already exists", "--overwrite")
    assert (out / "metrics.json").read_text() == before
    assert cli.main(["train", "--epochs", "2", "--quiet", "--out", str(out),
                     "--overwrite"]) == 0
    assert len(json.loads((out / "metrics.json").read_text())["epochs"]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()  # an empty folder made beforehand is fine
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(empty)]) == 0


def test_a_failed_run_leaves_no_empty_folder(tmp_path: pathlib.Path) -> None:
    argv = ["train", "--data", "mnist", "--no-download", "--data-dir", str(tmp_path / "none")]
    assert cli.main([*argv, "--out", str(tmp_path / "deep" / "run")]) == 1
    assert not (tmp_path / "deep").exists()
    assert cli.main(argv) == 1  # the default runs/<timestamp> (cwd is tmp_path)
    assert not (tmp_path / "runs").exists()


def test_metrics_stay_valid_json_when_the_loss_diverges(tmp_path: pathlib.Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = recipes.build_optimizer

    def poisoning(*args: Any, **kwargs: Any) -> Any:
        opt = real(*args, **kwargs)
        step = opt.step

        def step_then_nan() -> None:
            step()
            opt.param_groups[0]["params"][0].detach().numpy()[...] = np.nan

        opt.step = step_then_nan
        return opt

    monkeypatch.setattr(recipes, "build_optimizer", poisoning)
    out = tmp_path / "nan"
    with np.errstate(all="ignore"):
        assert cli.main(["train", "--epochs", "2", "--quiet", "--out", str(out)]) == 0

    def no_bare_constants(name: str) -> None:
        raise AssertionError(f"metrics.json holds a bare {name}")

    metrics = json.loads((out / "metrics.json").read_text(), parse_constant=no_bare_constants)
    assert metrics["epochs"][1]["train_loss"] is None  # NaN is written as null
    assert metrics["final"]["test_loss"] is None
    assert metrics["epochs"][1]["epoch"] == 2


# ------------------------------------------------------------------------------------------
# the first ten minutes (issue 21, point 6)


@pytest.mark.parametrize("argv", [[], ["-h"], ["--help"]])
def test_short_help_lists_every_command_with_an_example(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == (2 if not argv else 0)
    captured = capsys.readouterr()
    text = captured.err if not argv else captured.out
    assert text.startswith("usage: chainrule")
    for command in ("train", "graph", "gradcheck"):
        assert f"\n  {command} " in text and f"e.g. chainrule {command}" in text
    assert len(text.splitlines()) < 25  # short


def test_python_m_nn_cli_prints_the_help() -> None:
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "nn.cli", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "e.g. chainrule gradcheck" in proc.stdout


def test_graph_of_a_trained_run_with_drawing_options(tmp_path: pathlib.Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(run)]) == 0
    plain, folded = tmp_path / "plain.dot", tmp_path / "folded.dot"
    assert cli.main(["graph", "--load", str(run / "model.npz"), "-o", str(plain)]) == 0
    assert "trained" in capsys.readouterr().out
    assert cli.main(["graph", "--load", str(run), "--collapse", "--direction", "LR",
                     "--max-nodes", "4", "-o", str(folded)]) == 0
    source, small = plain.read_text(), folded.read_text()
    assert "rankdir=LR" in small and "rankdir=LR" not in source
    assert small.count("->") < source.count("->")
    # the trained weights are drawn: --load gives a different graph from a fresh model
    fresh = tmp_path / "fresh.dot"
    assert cli.main(["graph", "-o", str(fresh)]) == 0
    assert fresh.read_text() != source


def test_graph_load_errors(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    lone = tmp_path / "lone.npz"
    nn.save(nn.Linear(2, 2), lone)
    assert cli.main(["graph", "--load", str(lone), "-o", str(tmp_path / "g.dot")]) == 1
    one_line_error(capsys.readouterr().err, "no metrics.json")
    assert cli.main(["graph", "--max-nodes", "1"]) == 2
    one_line_error(capsys.readouterr().err, "at least 2")
    assert cli.main(["graph", "--direction", "up"]) == 2
    one_line_error(capsys.readouterr().err, "invalid choice")


def test_gradcheck_quiet_prints_one_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--filter", "tanh", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "passed, 0 failed" in lines[0]


def test_a_skipped_second_order_case_says_why(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    skipped = registry.OpCase("skippy", "a", ag.tanh, ((3,),), second_order=False,
                              extra={"why": "a kink at every input"})
    silent = registry.OpCase("skippy", "b", ag.tanh, ((3,),), second_order=False)
    monkeypatch.setattr(registry, "CASES", [*registry.CASES, skipped, silent])
    assert cli.main(["gradcheck", "--filter", "skippy"]) == 0
    out = capsys.readouterr().out
    row_a = next(line for line in out.splitlines() if line.startswith("skippy[a]"))
    row_b = next(line for line in out.splitlines() if line.startswith("skippy[b]"))
    assert "skip" in row_a and "a kink at every input" in row_a
    assert "second_order=False" in row_b
    assert "2 second order skipped" in out
