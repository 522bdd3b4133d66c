"""The sequence models in the ``chainrule`` command: a short GRU run on MNIST-1D writes the
gradient-through-time plot, the transformer trains on addition and names and ``chainrule
sample`` reads the run back; the text datasets are what they claim."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from nn import cli
from nn.datasets_text import addition_task, bigram_loss, names_task

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _scratch(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data_home"))
    monkeypatch.chdir(tmp_path)


def test_addition_task_encodes_reversed_sums_and_holds_pairs_out() -> None:
    t = addition_task()
    assert t.x_train.shape == (9500, 6) and t.x_test.shape == (500, 6)
    seq = np.concatenate([t.x_test, t.y_test[:, -1:]], 1)
    a, b = seq[:, 0] * 10 + seq[:, 1], seq[:, 2] * 10 + seq[:, 3]
    c = seq[:, 4] + 10 * seq[:, 5] + 100 * seq[:, 6]
    np.testing.assert_array_equal(a + b, c)
    assert np.all(t.y_test[:, :3] == -1) and np.all(t.y_test[:, 3:] >= 0)
    pairs = {tuple(r) for r in t.x_train[:, :4]}
    assert not pairs & {tuple(r) for r in t.x_test[:, :4]}
    assert len(pairs) == 9500


def test_names_task_and_bigram_baseline() -> None:
    t = names_task()
    assert t.itos[0] == "." and t.vocab_size == 27
    assert len(t.x_train) + len(t.x_test) == t.info["num_names"] > 5000
    first = "".join(t.itos[i] for i in t.x_train[0, 1:] if i)
    assert first.isalpha() and t.y_train[0, len(first)] == 0
    train, test = bigram_loss(t)
    assert 2.0 < train < test < np.log(27)  # better than uniform, worse than itself on train


def test_gru_run_writes_gradient_through_time(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "gru"
    rc = cli.main(["train", "--model", "gru", "--data", "mnist1d", "--epochs", "1",
                   "--batch-size", "400", "--quiet", "--out", str(out)])
    assert rc == 0
    assert (out / "grad_through_time.png").read_bytes().startswith(PNG)
    settings = json.loads((out / "metrics.json").read_text())["settings"]
    assert settings["optimizer"] == "adam" and settings["lr"] == 1e-2


@pytest.mark.parametrize("data", ["addition", "names"])
def test_transformer_trains_and_samples(data: str, tmp_path: pathlib.Path, capsys) -> None:
    out = tmp_path / data
    rc = cli.main(["train", "--model", "transformer", "--data", data, "--epochs", "1",
                   "--batch-size", "500", "--quiet", "--out", str(out)])
    assert rc == 0
    metrics = json.loads((out / "metrics.json").read_text())
    first = metrics["epochs"][0]
    assert first["test_loss"] < np.log(10 if data == "addition" else 27)  # it learned
    assert (out / "attention.png").read_bytes().startswith(PNG)
    capsys.readouterr()
    assert cli.main(["sample", str(out), "-n", "5", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    if data == "addition":
        assert all(" + " in line and " = " in line for line in lines)
    else:
        assert (out / "samples.txt").is_file()
        assert all(set(line) <= set("abcdefghijklmnopqrstuvwxyz") for line in lines)


def test_bad_pairs_and_runs_are_one_line_errors(tmp_path: pathlib.Path, capsys) -> None:
    assert cli.main(["train", "--model", "gru", "--data", "digits"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot train on --data digits" in err and "Traceback" not in err
    assert cli.main(["sample", str(tmp_path / "nowhere")]) == cli.EXIT_ERROR
    assert "cannot read the run" in capsys.readouterr().err
