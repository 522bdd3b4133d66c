"""What a plain ``pip install chainrule`` (no extras) can do: ``chainrule train`` and
``chainrule graph`` run, and a missing optional package costs at most one ``note:`` line.

Simulated in a subprocess in which scikit-learn, matplotlib, tqdm and mnist1d cannot be
imported (``sys.modules[name] = None``). ``.ci/run`` does the real thing: it installs the
wheel without extras into a fresh virtual environment and trains one epoch there.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
OPTIONAL = ("sklearn", "matplotlib", "tqdm", "mnist1d")


def _run_without_extras(argv: list[str], cwd: pathlib.Path) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        f"for name in {OPTIONAL!r}:\n"
        "    sys.modules[name] = None\n"
        "from nn.cli import main\n"
        f"status = main({argv!r})\n"
        f"leaked = [m for m in sys.modules if m.split('.')[0] in {OPTIONAL!r} and sys.modules[m]]\n"
        "assert not leaked, leaked\n"
        "sys.exit(status)\n"
    )
    # An empty data home: no cached mnist1d arrays to fall back on.
    env = {**os.environ, "CHAINRULE_DATA": str(cwd / "data")}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def _notes_only(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    for line in stderr.splitlines():
        assert line.startswith("note: ") and "install" in line, stderr


@pytest.mark.slow  # a few seconds: one epoch on the digits
def test_train_one_epoch_without_extras(tmp_path: pathlib.Path) -> None:
    done = _run_without_extras(["train", "--epochs", "1", "--out", "run"], tmp_path)
    assert done.returncode == 0, done.stderr
    _notes_only(done.stderr)
    assert (tmp_path / "run" / "model.npz").stat().st_size > 0
    assert (tmp_path / "run" / "metrics.json").is_file()
    assert "test accuracy  0.8750" in done.stdout  # seed 0, one thread: as in a full install
    assert not (tmp_path / "run" / "curves.png").exists()  # matplotlib is missing


def test_graph_without_extras(tmp_path: pathlib.Path) -> None:
    done = _run_without_extras(["graph", "-o", "g.dot"], tmp_path)
    assert done.returncode == 0, done.stderr
    _notes_only(done.stderr)
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_mnist1d_without_the_package_is_one_line(tmp_path: pathlib.Path) -> None:
    done = _run_without_extras(["train", "--data", "mnist1d", "--epochs", "1"], tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "chainrule train: error: cannot load mnist1d: the mnist1d dataset needs the 'mnist1d' "
        "package (pip install 'chainrule[mnist1d]')"]
