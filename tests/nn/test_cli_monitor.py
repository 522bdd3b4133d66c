"""``chainrule train --monitor`` writes the Monitor's four views (issue 20)."""

from __future__ import annotations

import pathlib

import pytest

from nn import cli


def test_train_monitor_writes_monitor_png(tmp_path: pathlib.Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--monitor", "--out", str(out)]) == 0
    data = (out / "monitor.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert "monitor.png" in capsys.readouterr().out  # listed with the files saved
    assert (out / "checkpoint.npz").exists()


def test_train_without_monitor_writes_no_monitor_png(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    assert not (out / "monitor.png").exists()
