"""A foreign ``autograd`` (HIPS autograd, same import name) is reported in one line.

Simulated in a subprocess: a temporary directory holding a stand-in ``autograd`` package
comes first on ``sys.path``, before this checkout, as HIPS's copy in site-packages comes
before an editable install; a second stand-in also holds chainrule's own modules beside it,
as after ``pip install autograd`` over chainrule's wheel.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import autograd

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(code: str, fake_root: pathlib.Path, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake_root), str(ROOT)])}
    # cwd outside the checkout: `python -c` puts the working directory first on sys.path.
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(params=["shadowed", "overwritten"])
def fake_root(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> pathlib.Path:
    package = tmp_path / "site" / "autograd"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Stand-in for HIPS autograd."""\n'
                                         "def grad(fun):\n    return fun\n")
    if request.param == "overwritten":
        shutil.copy(ROOT / "autograd" / "engine.py", package / "engine.py")
    return tmp_path / "site"


def test_chainrules_autograd_carries_the_marker() -> None:
    assert autograd.__chainrule__ is True


@pytest.mark.parametrize("module", ["nn", "optim", "nn.functional"])
def test_import_raises_one_line_import_error(module: str, fake_root: pathlib.Path,
                                             tmp_path: pathlib.Path) -> None:
    code = ("try:\n"
            f"    import {module}\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
            "else:\n"
            "    print('imported')\n")
    done = _run(code, fake_root, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    line = lines[0]
    assert "is not chainrule's" in line and str(fake_root / "autograd") in line
    assert "virtual environment" in line
    if module == "optim":  # optim's own three-line check (optim does not import nn)
        return
    if (fake_root / "autograd" / "engine.py").exists():
        assert "was installed over chainrule's autograd/" in line
    else:
        assert "comes before chainrule's on sys.path" in line


def test_command_prints_the_line_not_a_traceback(fake_root: pathlib.Path,
                                                 tmp_path: pathlib.Path) -> None:
    # What the `chainrule` console script runs (argv[0] is the script's path).
    code = ("import sys\nsys.argv[0] = '/venv/bin/chainrule'\n"
            "from nn.cli import main\nsys.exit(main(['--version']))\n")
    done = _run(code, fake_root, tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("chainrule: error: the 'autograd' imported from ")


def test_command_runs_with_chainrules_autograd(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code = ("import sys\nsys.argv[0] = '/venv/bin/chainrule'\n"
            "from nn.cli import main\nsys.exit(main(['--version']))\n")
    done = _run(code, empty, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("chainrule ")
