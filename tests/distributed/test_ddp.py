"""autograd.distributed and nn.parallel.DistributedDataParallel under ``mpiexec -n 2``.

Each test starts ``mpiexec -n 2 python workers.py <case>`` on loopback with a timeout;
the ranks check themselves (see workers.py) and a failed check aborts the job. Without
mpi4py these tests are skipped locally, and fail in CI (CI=true), which installs the
``mpi`` extra.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKERS = pathlib.Path(__file__).with_name("workers.py")
MPIEXEC = pathlib.Path(sys.executable).with_name("mpiexec")


def _mpi_ready() -> bool:
    try:
        import mpi4py  # noqa: F401 - only whether it is there (this does not start MPI)
    except ImportError:
        return False
    return True


if not _mpi_ready():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI installs the mpi extra (pip install -e .[mpi]); mpi4py is missing")
    pytest.skip("mpi4py is not installed (pip install chainrule[mpi])", allow_module_level=True)


def run_ranks(case: str, n: int = 2, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run ``case`` of workers.py on ``n`` ranks; one BLAS thread each (2 cores here)."""
    launcher = str(MPIEXEC) if MPIEXEC.exists() else "mpiexec"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run([launcher, "-n", str(n), sys.executable, str(WORKERS), case],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("case", ["api", "trajectory", "no_sync", "unused", "syncbn"])
def test_two_ranks(case: str) -> None:
    """api: collectives in place, torch's errors; trajectory: 20 SGD steps on 2 ranks
    match 1 process on the full batch (float64, 1e-12) from different initial weights;
    no_sync: accumulated gradient = full-batch gradient; unused: unused parameters;
    syncbn: SyncBatchNorm on 2 shards = BatchNorm on the global batch."""
    res = run_ranks(case)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{case}: ok on 2 ranks" in res.stdout


def test_a_rank_that_raises_ends_the_job() -> None:
    """Rank 1 raises while rank 0 waits in barrier(): the excepthook installed by
    init_process_group aborts every rank, so the job ends at once and non-zero (without
    it rank 0 would wait forever)."""
    start = time.perf_counter()
    res = run_ranks("crash", timeout=60)
    took = time.perf_counter() - start
    assert res.returncode != 0
    assert "rank 1 fails on purpose" in res.stderr
    assert took < 30, f"the job took {took:.1f}s to end"


def test_one_rank_without_mpiexec() -> None:
    """A script started plainly is a job of one rank (MPI singleton), DDP included."""
    code = (
        "import autograd as ag, autograd.distributed as dist, nn\n"
        "from nn.parallel import DistributedDataParallel as DDP\n"
        "dist.init_process_group('mpi')\n"
        "assert (dist.get_rank(), dist.get_world_size()) == (0, 1)\n"
        "m = DDP(nn.Linear(3, 2))\n"
        "x = ag.ones(4, 3)\n"
        "m(x).sum().backward()\n"
        "assert m.module.weight.grad.tolist() == [[4.0] * 3] * 2\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stdout + res.stderr
