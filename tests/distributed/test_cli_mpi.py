"""``mpiexec -n 2 chainrule train``: two ranks train the one-process run, data-parallel.

Each test starts ``mpiexec -n 2 python -m nn.cli train ...`` on loopback with a timeout
(one BLAS thread per rank), as test_ddp.py does. The CLI trains in float32, so the two
runs agree to float32 rounding, not bit for bit: the sums of a global batch are taken in
another order (two shards, then the all-reduce). Measured on the digits MLP over 2
epochs: losses within 6e-8 (relative 1e-7), parameters within 4e-6; the tests allow
1e-5 relative on losses and 1e-4 on parameters, and ask for equal accuracies. One test
runs the CLI with a float64 model and data (cli_float64.py) and asks for 1e-10.
Without mpi4py these tests are skipped locally, and fail in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
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

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
TRAIN = [sys.executable, "-m", "nn.cli", "train"]


def _launcher(n: int) -> list[str]:
    return [str(MPIEXEC) if MPIEXEC.exists() else "mpiexec", "-n", str(n)]


def train(args: list[str], cwd: pathlib.Path, ranks: int = 1,
          timeout: float = 120) -> subprocess.CompletedProcess:
    """``chainrule train ARGS`` in ``cwd``, on one process or under ``mpiexec -n ranks``."""
    cmd = (_launcher(ranks) if ranks > 1 else []) + TRAIN + args
    return subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def metrics(run: pathlib.Path) -> dict:
    return json.loads((run / "metrics.json").read_text())


def assert_same_figures(got: dict, want: dict) -> None:
    """Per-epoch and final figures: losses to float32 rounding, accuracies equal."""
    assert [e["epoch"] for e in got["epochs"]] == [e["epoch"] for e in want["epochs"]]
    for g, w in [*zip(got["epochs"], want["epochs"]), (got["final"], want["final"])]:
        for key in ("train_loss", "test_loss"):
            if key in w:
                assert g[key] == pytest.approx(w[key], rel=1e-5), (key, g, w)
        for key in ("train_acc", "test_acc"):
            if key in w:
                assert g[key] == w[key], (key, g, w)


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The reference: 2 epochs of the digits MLP (batch 32) on one process."""
    cwd = tmp_path_factory.mktemp("one")
    res = train(["--epochs", "2", "--out", "run", "-q"], cwd)
    assert res.returncode == 0, res.stdout + res.stderr
    return cwd / "run"


@pytest.mark.slow
def test_two_ranks_reproduce_the_one_process_run(one_process: pathlib.Path,
                                                 tmp_path: pathlib.Path) -> None:
    """Same per-epoch losses and accuracies as one process (1,437 rows in batches of 32:
    the last batch of 29 is split 14/15 with scaled losses), one run folder (no --out:
    runs/<timestamp>, made by rank 0 alone), rank 0 alone prints, model.npz has the
    plain model's keys."""
    res = train(["--epochs", "2"], tmp_path, ranks=2)
    assert res.returncode == 0, res.stdout + res.stderr
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1, folders
    run = folders[0]
    got = metrics(run)
    assert_same_figures(got, metrics(one_process))
    assert got["final"]["ranks"] == 2
    lines = res.stdout.splitlines()
    assert sum(line.startswith("training MLP") for line in lines) == 1, res.stdout
    assert sum(line.startswith("epoch ") for line in lines) == 2, res.stdout
    assert sum("test accuracy" in line for line in lines) == 1, res.stdout
    with np.load(run / "model.npz") as a, np.load(one_process / "model.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for k in b.files:
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=1e-4, err_msg=k)


@pytest.mark.slow
@pytest.mark.parametrize(("model", "batch"), [("mlp", "256"), ("cnn", "32")])
def test_float64_two_ranks_give_the_one_process_figures(model: str, batch: str,
                                                        tmp_path: pathlib.Path) -> None:
    """With a float64 model and data (cli_float64.py) rounding no longer hides a wrong
    split: 2 ranks give the one-process figures and parameters to 1e-10. The last
    batches (1,437 = 5·256 + 157, 44·32 + 29) have odd lengths: split 78/79 and 14/15
    with scaled losses."""
    want, got = _float64_runs(tmp_path, ["--model", model, "--epochs", "2", "--batch-size",
                                         batch, "-q"])
    for g, w in [*zip(got["epochs"], want["epochs"]), (got["final"], want["final"])]:
        for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
            if key in w:
                assert abs(g[key] - w[key]) <= 1e-10, (key, g, w)
    with np.load(tmp_path / "two" / "model.npz") as a, \
            np.load(tmp_path / "one" / "model.npz") as b:
        assert b["0.weight" if model == "mlp" else b.files[0]].dtype == np.float64
        for k in b.files:
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=1e-10, err_msg=k)


def _float64_runs(tmp_path: pathlib.Path, args: list[str],
                  two_ranks_args: list[str] = ()) -> tuple[dict, dict]:
    """cli_float64.py ARGS on one process (--out one) and on 2 ranks (--out two)."""
    script = [sys.executable, str(ROOT / "tests" / "distributed" / "cli_float64.py")]
    for out, launcher, extra in (("one", [], []), ("two", _launcher(2), two_ranks_args)):
        res = subprocess.run(launcher + script + args + [*extra, "--out", out], cwd=tmp_path,
                             env=ENV, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
    return metrics(tmp_path / "one"), metrics(tmp_path / "two")


@pytest.mark.slow
def test_sync_bn_reproduces_batchnorm_on_the_global_batch(tmp_path: pathlib.Path) -> None:
    """An MLP with BatchNorm1d (float64): with --sync-bn, 2 ranks give the one-process
    figures and parameters, running statistics included (SyncBatchNorm computes the
    variance in two passes, BatchNorm in one: 1e-9 rather than 1e-12); model.npz holds
    BatchNorm's state_dict keys."""
    want, got = _float64_runs(tmp_path, ["--bn-model", "--epochs", "2", "--batch-size", "256",
                                         "-q"], ["--sync-bn"])
    for g, w in [*zip(got["epochs"], want["epochs"]), (got["final"], want["final"])]:
        for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
            if key in w:
                assert abs(g[key] - w[key]) <= 1e-9, (key, g, w)
    with np.load(tmp_path / "two" / "model.npz") as a, \
            np.load(tmp_path / "one" / "model.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        assert "2.running_var" in b.files
        for k in b.files:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-8, atol=1e-9, err_msg=k)


@pytest.mark.slow
def test_per_rank_batchnorm_figures_are_the_saved_models(tmp_path: pathlib.Path) -> None:
    """Without --sync-bn each rank normalises with its own shard's statistics (so the run
    differs from one process), but evaluation uses rank 0's running statistics, which
    model.npz holds: the last epoch's and the final test loss are those of the saved
    model on the whole test set."""
    import autograd as ag
    import nn
    from nn import datasets
    from nn.training import evaluate

    _, got = _float64_runs(tmp_path, ["--bn-model", "--epochs", "2", "--batch-size", "64",
                                      "-q"])
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
                          nn.Linear(32, 10)).double()
    model.load_state_dict(nn.load(tmp_path / "two" / "model.npz"))
    split = datasets.load_dataset("digits")
    loss, acc = evaluate(model, ag.tensor(split.x_test.astype(np.float64)), split.y_test)
    assert abs(got["final"]["test_loss"] - loss) <= 1e-12
    assert got["final"]["test_acc"] == acc
    assert abs(got["epochs"][-1]["test_loss"] - loss) <= 1e-12


def test_batch_not_divisible_by_the_ranks_is_one_line(tmp_path: pathlib.Path) -> None:
    res = train(["--epochs", "1", "--batch-size", "33", "--out", "run"], tmp_path, ranks=2,
                timeout=60)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.strip() == (
        "chainrule train: error: the batch size 33 does not divide by the 2 ranks of "
        "mpiexec; pass a multiple of 2 as --batch-size (the global batch, split over the "
        "ranks)")
    assert res.stdout == ""
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_resume_on_two_ranks(one_process: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """One epoch on 2 ranks, then --resume to 2 epochs on 2 ranks: the 2-epoch run's
    figures; a resume error (nothing left to do) is rank 0's one line."""
    res = train(["--epochs", "1", "--out", "run", "-q"], tmp_path, ranks=2)
    assert res.returncode == 0, res.stdout + res.stderr
    res = train(["--resume", "run", "--epochs", "2", "-q"], tmp_path, ranks=2)
    assert res.returncode == 0, res.stdout + res.stderr
    assert_same_figures(metrics(tmp_path / "run"), metrics(one_process))
    res = train(["--resume", "run"], tmp_path, ranks=2, timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0, res.stderr
    assert "has already done 2 epochs" in res.stderr


@pytest.mark.slow
def test_sigterm_stops_every_rank_and_saves(tmp_path: pathlib.Path) -> None:
    """SIGTERM to mpiexec (which forwards it to every rank) after the first epoch: all
    ranks stop at the same step, rank 0 saves, the job exits 143, the run resumes."""
    cmd = _launcher(2) + TRAIN + ["--epochs", "200", "--out", "run"]
    with subprocess.Popen(cmd, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            for line in proc.stdout:
                if line.startswith("epoch "):
                    proc.send_signal(signal.SIGTERM)
                    break
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 143, out + err
    assert "stopped by SIGTERM after" in err
    got = metrics(tmp_path / "run")
    assert got["interrupted"] is True
    done = len(got["epochs"])
    assert 1 <= done < 200
    res = train(["--resume", "run", "--epochs", str(done + 1), "-q"], tmp_path, ranks=2)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(metrics(tmp_path / "run")["epochs"]) == done + 1


def test_under_mpiexec_without_mpi4py_is_one_line(tmp_path: pathlib.Path) -> None:
    """A launcher's environment but no mpi4py: rank 0 says what to install, in one line;
    the other ranks leave quietly, with the same status."""
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "from nn.cli import main\n"
            "sys.exit(main(['train', '--epochs', '1', '--out', 'run']))\n")
    for rank, expected in (("0", "pip install chainrule[mpi]"), ("1", "")):
        env = {**ENV, "PMI_SIZE": "2", "PMI_RANK": rank}
        res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 1, res.stderr
        assert res.stderr.count("\n") == (1 if expected else 0), res.stderr
        assert expected in res.stderr
    assert not (tmp_path / "run").exists()
