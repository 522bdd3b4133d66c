"""The README's PyTorch-style snippet runs as printed and trains (with one BLAS thread)."""

from __future__ import annotations

import pathlib
import re

import pytest

import autograd as ag

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _snippet() -> str:
    text = README.read_text()
    section = text[text.index("## PyTorch-style code"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow  # 20 epochs on the digits: a few seconds
def test_pytorch_style_snippet_runs_and_learns(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the snippet saves model.pt in the working folder
    code = _snippet()
    assert "ag.set_num_threads(1)" in code
    before = ag.get_num_threads()
    namespace: dict = {}
    try:
        exec(compile(code, str(README), "exec"), namespace)
        assert ag.get_num_threads() == 1
    finally:
        ag.set_num_threads(before)
    model, data = namespace["model"], namespace["data"]
    with ag.no_grad():
        logits = model(ag.tensor(data.x_test)).numpy()
    assert (logits.argmax(1) == data.y_test).mean() > 0.95
    saved = ag.load(tmp_path / "model.pt")
    assert list(saved) == list(model.state_dict())
