"""Build each ``notebooks/NN_name.ipynb`` from its source ``NN_name.py``, executed.

    python notebooks/build.py            # all of them
    python notebooks/build.py 02 03      # some (a unique name prefix is enough)
    python notebooks/build.py --check    # only check that every .ipynb matches its .py

The sources are plain Python in jupytext's percent format (``# %%`` starts a code cell,
``# %% [markdown]`` a text cell). This is ``jupytext --to ipynb --execute NN_name.py``, run
so that the outputs are the same on every run: the cells run with ``notebooks/`` as the
working directory, the checkout's packages first on the path, one BLAS thread, a fixed hash
seed, stable cell ids and no timing metadata; and the same on every x86-64 machine with
AVX2 (see :func:`portable_numerics`).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def portable_numerics() -> dict[str, str]:
    """The environment under which the kernel's floating-point results are the same on
    every x86-64 machine with AVX2 and FMA, as read from ``/proc/cpuinfo`` (elsewhere:
    nothing). OpenBLAS picks its kernels for the CPU it starts on, and NumPy its loops,
    each rounding in its own order: notebooks built on one machine printed other digits
    on another (a saturated network's test accuracy 0.467 against 0.653). Pinned:
    OpenBLAS's Haswell kernels (``OPENBLAS_CORETYPE``) and NumPy's loops up to AVX2
    (``NPY_DISABLE_CPU_FEATURES``: its AVX-512 targets, as this NumPy names them)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    line = re.search(r"^flags\s*:(.*)$", cpuinfo, re.MULTILINE)
    if line is None or not {"avx2", "fma"} <= set(line.group(1).split()):
        return {}
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__ as targets
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__ as targets
    wide = [t for t in targets if t.startswith("AVX512") or t == "X86_V4"]
    return {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": " ".join(wide)}


# Set before the kernel starts, so its BLAS starts with one thread too.
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONHASHSEED": "0", **portable_numerics()}


def sources() -> list[Path]:
    """Every notebook source, ``notebooks/NN_*.py``, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook a source describes, without outputs, with stable cell ids."""
    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"  # a rebuild changes only what really changed
        cell.metadata = {}
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "jupytext": {"formats": "ipynb,py:percent"},
    }
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (see the module docstring for the environment)."""
    env = {**os.environ, **KERNEL_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    client.execute(env=env)
    nb.metadata["language_info"] = {"name": "python"}  # no interpreter version in the diff
    return nb


def code_and_text(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(cell type, source) of every cell: what must agree between a .py and its .ipynb."""
    return [(c.cell_type, c.source) for c in nb.cells]


def stale(path: Path) -> str | None:
    """Why ``path``'s .ipynb does not match the source, or None when it does."""
    built = path.with_suffix(".ipynb")
    if not built.exists():
        return f"{built.name} is missing"
    if code_and_text(nbformat.read(built, as_version=4)) != code_and_text(read_source(path)):
        return f"{built.name} does not match {path.name}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="build nothing; exit 1 if an .ipynb does not match its .py")
    args = parser.parse_args(argv)
    everything = sources()
    chosen = []
    for want in args.names or [p.stem for p in everything]:
        hits = [p for p in everything if p.stem.startswith(Path(want).stem)]
        if len(hits) != 1:
            parser.error(f"{want!r} matches {len(hits)} notebooks; choose from "
                         f"{[p.stem for p in everything]}")
        chosen.append(hits[0])
    if args.check:
        problems = [why for why in map(stale, chosen) if why]
        for why in problems:
            print(f"{why}: run python notebooks/build.py", file=sys.stderr)
        return 1 if problems else 0
    for path in chosen:
        nbformat.write(execute(read_source(path)), path.with_suffix(".ipynb"))
        print(f"wrote {path.with_suffix('.ipynb').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
