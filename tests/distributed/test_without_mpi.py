"""What works with no MPI installed, and the engine hooks DDP is built on (no mpiexec)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import autograd.distributed as dist
from autograd.engine import queue_callback

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_import_without_mpi4py() -> None:
    """With mpi4py unimportable, the modules import and init names the extra to install."""
    code = (
        "import sys\n"
        "sys.modules['mpi4py'] = None  # import mpi4py now raises ImportError\n"
        "sys.modules['mpi4py.MPI'] = None\n"
        "import autograd.distributed as dist\n"
        "import nn.parallel\n"
        "assert not dist.is_available() and not dist.is_initialized()\n"
        "try:\n"
        "    dist.init_process_group(backend='mpi')\n"
        "except RuntimeError as e:\n"
        "    assert 'pip install chainrule[mpi]' in str(e), e\n"
        "    print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stdout + res.stderr


def test_errors_before_init() -> None:
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(ag.zeros(2))
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group(backend="carrier-pigeon")
    with pytest.raises(RuntimeError, match="only the 'mpi' backend"):
        dist.init_process_group(backend="nccl")
    from nn import Linear
    from nn.parallel import DistributedDataParallel

    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(Linear(2, 2))


def test_post_accumulate_hook_sees_the_accumulated_grad() -> None:
    """The hook runs once per backward, after .grad holds old + new (a parameter used
    twice included), never under autograd.grad; callbacks run at the end, in order."""
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    log: list = []
    p.register_hook(lambda g: g * 10)  # a pre-hook's change lands before the post hook
    handle = p.register_post_accumulate_grad_hook(lambda t: (
        log.append(("post", t.grad.tolist())),
        queue_callback(lambda: log.append(("end", p.grad.tolist())))))
    (p * p + 3 * p).sum().backward()
    assert log == [("post", [50.0, 70.0]), ("end", [50.0, 70.0])]
    (p * p).sum().backward()
    assert log[2:] == [("post", [70.0, 110.0]), ("end", [70.0, 110.0])]
    ag.grad((p * p).sum(), p)
    assert len(log) == 4
    handle.remove()
    (p * p).sum().backward()
    assert len(log) == 4 and np.array_equal(p.grad._data, [90.0, 150.0])


def test_hook_errors() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="only be installed during backward"):
        queue_callback(lambda: None)


def test_launched_by_mpiexec(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE"):
        monkeypatch.delenv(var, raising=False)
    assert not dist.launched_by_mpiexec()
    monkeypatch.setenv("PMI_SIZE", "2")  # what MPICH's mpiexec sets
    assert dist.launched_by_mpiexec()


def test_sync_batchnorm_on_one_rank_is_batchnorm() -> None:
    """Without a process group SyncBatchNorm is BatchNorm: outputs, input gradients and
    running statistics; convert_sync_batchnorm keeps the parameters and buffers."""
    import nn

    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 3, 4)) * 2 + 1,
                  requires_grad=True)
    bn = nn.Sequential(nn.BatchNorm1d(3), nn.Tanh()).double()
    bn[0].weight._data[...] = [0.5, 2.0, -1.0]
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(3),
                                                                 nn.Tanh()).double())
    sync[0].weight._data[...] = [0.5, 2.0, -1.0]
    assert isinstance(sync[0], nn.SyncBatchNorm)
    y1 = bn(x)
    (y1 * y1).sum().backward()
    g1 = x.grad._data.copy()
    x.grad = None
    y2 = sync(x)
    (y2 * y2).sum().backward()
    np.testing.assert_allclose(y2._data, y1._data, rtol=0, atol=1e-14)
    np.testing.assert_allclose(x.grad._data, g1, rtol=0, atol=1e-13)
    for a, b in zip(sync.state_dict().values(), bn.state_dict().values()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="at least 2D"):
        nn.SyncBatchNorm(3)(ag.zeros(3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.SyncBatchNorm(3)(ag.zeros(1, 3))
