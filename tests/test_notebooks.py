"""The notebooks in notebooks/: each one runs top to bottom without an error, and the
committed .ipynb is what ``notebooks/build.py`` builds, executed, with its outputs.

The same execution is available as ``pytest --nbmake notebooks``; this module exists so that
the suite's ordinary run (``pytest -n 2``, testpaths = tests) executes them too.
"""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def _build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()
NAMES = list(BUILD.NOTEBOOKS)


def test_every_notebook_file_is_built_by_build_py() -> None:
    # a notebook with a jupytext source beside it (<name>.py) is built from that instead
    from_build_py = [p.stem for p in NOTEBOOKS.glob("*.ipynb")
                     if not (NOTEBOOKS / f"{p.stem}.py").exists()]
    assert sorted(from_build_py) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_build_py_and_has_outputs(name: str) -> None:
    committed = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    expected = BUILD.make_notebook(BUILD.NOTEBOOKS[name]())
    assert [(c.cell_type, c.source) for c in committed.cells] == \
        [(c.cell_type, c.source) for c in expected.cells], \
        f"{name}.ipynb is stale: run `python notebooks/build.py {name}` and commit it"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{name}.ipynb was not executed"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    images = [k for c in code for o in c.outputs for k in o.get("data", {})
              if k in ("image/png", "image/svg+xml")]
    assert images, f"{name}.ipynb shows no picture"


@pytest.mark.slow  # 5-15 s each
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError, showing the cell, when one fails
