"""The notebooks: each committed ``notebooks/NN_name.ipynb`` is its source ``NN_name.py``
(jupytext percent format) executed, and a fresh run prints the same numbers.

Every ``notebooks/NN_*.py`` is picked up. Text outputs (printed streams and ``text/plain``
results) are compared after the volatile parts are normalised away: timings, memory
addresses, run folders and temporary paths. Pictures are not compared. The numbers are the
same for the same NumPy build on every x86-64 machine with AVX2: the builder runs one BLAS
thread and pins the kernels that OpenBLAS and NumPy would pick per CPU
(``build.portable_numerics``); rebuild with ``python notebooks/build.py NN`` after changing
what a notebook prints.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("jupytext")

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def _builder():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _builder()
SOURCES = BUILD.sources()
IDS = [p.stem for p in SOURCES]

# (pattern, replacement): what may differ between two runs of the same notebook.
VOLATILE = [
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),                              # memory addresses
    (re.compile(r"runs/\d{8}-\d{6}(?:-\d+)?"), "runs/<stamp>"),         # run folders
    (re.compile(r"/tmp/[^\s'\")]+"), "<tmp>"),                           # temporary paths
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?\s?(?:s|ms|µs|us|ns)\b"), "<time>"),
]


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def text_outputs(nb) -> list[str]:
    """One string per code cell: its printed text and plain-text results, normalised."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        stream = None  # the kernel may split one print into several stream messages
        for out in cell.outputs:
            if out.output_type == "stream":
                if out.name != stream:
                    parts.append(f"[{out.name}] ")
                    stream = out.name
                parts.append(out.text)
                continue
            stream = None
            if out.output_type in ("execute_result", "display_data"):
                if "image/png" in out.data or "image/svg+xml" in out.data:
                    continue  # a picture (its text/plain is only "<Figure size ...>")
                if "text/plain" in out.data:
                    parts.append(out.data["text/plain"])
            elif out.output_type == "error":
                parts.append(f"[error] {out.ename}: {out.evalue}")
        cells.append(normalise("".join(parts)))
    return cells


def test_normalise_removes_only_the_volatile_parts() -> None:
    assert normalise("epoch 3  0.02s  | 12 steps in 1.5 ms at 0x7f3a9c") == \
        "epoch 3  <time>  | 12 steps in <time> at 0x…"
    assert normalise("saved runs/20261121-173347-2/ model.npz") == "saved runs/<stamp>/ model.npz"
    assert normalise("acc 0.9778, loss 1e-05") == "acc 0.9778, loss 1e-05"


def _blas_and_loops(env: dict, targets: list[str]) -> list[str]:
    """OpenBLAS's kernel set and whether any of NumPy's ``targets`` is on, in a fresh
    interpreter under ``env``."""
    probe = ("import threadpoolctl\n"
             "from numpy._core._multiarray_umath import __cpu_features__ as f\n"
             "blas = threadpoolctl.threadpool_info()[0]\n"
             f"print(blas['architecture'], any(f.get(t) for t in {targets!r}))")
    out = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **env},
                         capture_output=True, text=True, check=True)
    assert out.stderr == "", out.stderr  # no warning about the names NumPy was given
    return out.stdout.split()


def test_the_kernel_runs_the_pinned_blas_and_numpy_loops() -> None:
    pins = BUILD.portable_numerics()
    if not pins:
        pytest.skip("not an x86-64 machine with AVX2 and FMA: nothing is pinned")
    wide = pins["NPY_DISABLE_CPU_FEATURES"].split()
    assert wide and pins.items() <= BUILD.KERNEL_ENV.items()
    assert _blas_and_loops(BUILD.KERNEL_ENV, wide) == ["Haswell", "False"]
    # the two variables are read by this OpenBLAS and this NumPy (else the pins are moot)
    from numpy._core._multiarray_umath import __cpu_dispatch__

    avx2 = "X86_V3" if "X86_V3" in __cpu_dispatch__ else "AVX2"  # NumPy 2.4's name, or older
    assert _blas_and_loops({"OPENBLAS_CORETYPE": "Sandybridge",
                            "NPY_DISABLE_CPU_FEATURES": avx2},
                           [avx2]) == ["Sandybridge", "False"]


def test_every_source_has_a_notebook_and_every_notebook_a_source() -> None:
    assert SOURCES, "no notebooks/NN_*.py found"
    assert sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) == IDS


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_notebook_is_its_source_executed(source: pathlib.Path) -> None:
    assert BUILD.stale(source) is None, \
        f"{BUILD.stale(source)}: run `python notebooks/build.py {source.stem[:2]}` and commit it"
    committed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{source.stem} was not executed"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


@pytest.mark.slow  # 5-30 s each
@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_fresh_run_reproduces_the_committed_outputs(source: pathlib.Path) -> None:
    committed = text_outputs(nbformat.read(source.with_suffix(".ipynb"), as_version=4))
    fresh = text_outputs(BUILD.execute(BUILD.read_source(source)))  # raises on a failing cell
    assert len(fresh) == len(committed)
    for i, (want, got) in enumerate(zip(committed, fresh)):
        diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                              "committed", "fresh run", lineterm=""))
        assert want == got, f"{source.stem}, code cell {i + 1} prints something else:\n{diff}"
