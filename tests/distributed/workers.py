"""What each rank runs under ``mpiexec -n 2`` (started by test_ddp.py):
``python tests/distributed/workers.py <case>``. A failed check raises, which (through
init_process_group's excepthook) aborts the job with a non-zero exit."""

from __future__ import annotations

import sys

import numpy as np

import autograd as ag
import autograd.distributed as dist
import nn
import nn.functional as F
import optim
from nn.parallel import DistributedDataParallel as DDP

GLOBAL_BATCH = 64


def _data(seed: int = 123) -> tuple[ag.Tensor, ag.Tensor]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((GLOBAL_BATCH, 20))
    y = rng.integers(0, 3, GLOBAL_BATCH)
    return ag.tensor(x), ag.tensor(y)


def _mlp(seed: int) -> nn.Module:
    """float64 MLP whose 600x300 layer (1.4 MB) fills torch's 1 MiB first bucket, so
    with a small bucket_cap_mb the gradients travel in several buckets."""
    ag.manual_seed(seed)
    return nn.MLP([20, 600, 300, 3]).double()


def _shard(t: ag.Tensor, rank: int, world: int, part: int = 0, parts: int = 1) -> ag.Tensor:
    """Rank ``rank``'s equal shard (micro-batch ``part`` of ``parts``) of a global batch."""
    n = t.shape[0] // (world * parts)
    start = (rank * parts + part) * n
    return t[start:start + n]


def _same_on_all_ranks(arrays: list[np.ndarray]) -> bool:
    everyone = dist._world().allgather([a.copy() for a in arrays])
    return all(np.array_equal(a, b) for other in everyone for a, b in zip(arrays, other))


def trajectory() -> None:
    """20 SGD steps: 2 ranks on equal shards follow 1 process on the full batch."""
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y = _data()
    ref = _mlp(seed=0)
    ref_opt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    model = _mlp(seed=rank)  # different initial weights per rank: DDP broadcasts rank 0's
    before = [p._data.copy() for p in model.parameters()]
    assert not _same_on_all_ranks(before), "ranks should start from different weights"
    ddp = DDP(model, bucket_cap_mb=0.004)
    assert len(ddp._buckets) >= 3, len(ddp._buckets)
    assert _same_on_all_ranks([p._data for p in model.parameters()])
    for p, q in zip(model.parameters(), ref.parameters()):
        assert np.array_equal(p._data, q._data)
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    xs, ys = _shard(x, rank, world), _shard(y, rank, world)
    for step in range(20):
        ref_opt.zero_grad()
        ref_loss = F.cross_entropy(ref(x), y)
        ref_loss.backward()
        ref_opt.step()
        opt.zero_grad()
        loss = F.cross_entropy(ddp(xs), ys)
        loss.backward()
        opt.step()
        global_loss = ag.tensor(loss.detach().numpy().copy())
        dist.all_reduce(global_loss, op=dist.ReduceOp.AVG)
        diff = abs(global_loss.item() - ref_loss.item())
        assert diff <= 1e-12, f"step {step}: loss differs by {diff}"
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        err = np.max(np.abs(p._data - q._data))
        assert err <= 1e-12, f"{name} differs from the one-process run by {err}"
    assert _same_on_all_ranks([p._data for p in model.parameters()])
    assert list(ddp.state_dict())[0] == "module.0.weight", list(ddp.state_dict())[:2]


def no_sync() -> None:
    """Two micro-batches per rank, the first under no_sync: the accumulated .grad is the
    full-batch gradient on every rank, for every variant of the reducer."""
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y = _data(7)
    ref = _mlp(seed=0)
    F.cross_entropy(ref(x), y).backward()
    for kwargs in ({}, {"bucket_cap_mb": 0.004}, {"gradient_as_bucket_view": True},
                   {"find_unused_parameters": True}):
        model = _mlp(seed=0)
        ddp = DDP(model, **kwargs)
        for _round in range(2):  # twice: .grad reset to None, then zeroed in place
            if _round == 0:
                model.zero_grad()
            else:
                for p in model.parameters():
                    p.grad._data[...] = 0
            with ddp.no_sync():
                loss = F.cross_entropy(ddp(_shard(x, rank, world, 0, 2)),
                                       _shard(y, rank, world, 0, 2)) / 2
                loss.backward()
            local = [p.grad._data.copy() for p in model.parameters()]
            assert not _same_on_all_ranks(local), "no_sync must not average"
            loss = F.cross_entropy(ddp(_shard(x, rank, world, 1, 2)),
                                   _shard(y, rank, world, 1, 2)) / 2
            with ag.no_grad():  # an evaluation forward in between changes nothing
                ddp(x)
            loss.backward()
            for (name, p), q in zip(model.named_parameters(), ref.parameters()):
                err = np.max(np.abs(p.grad._data - q.grad._data))
                assert err <= 1e-13, f"{kwargs} {name}: gradient differs by {err}"
            assert _same_on_all_ranks([p.grad._data for p in model.parameters()])


def syncbn() -> None:
    """SyncBatchNorm on 2 shards = BatchNorm on the global batch (training, 5 SGD steps,
    running statistics, then eval), for (N, C) and (N, C, H, W) inputs."""
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(5)
    for shape, bn in (((GLOBAL_BATCH, 6), nn.BatchNorm1d), ((8, 6, 3, 3), nn.BatchNorm2d)):
        x = ag.tensor(rng.standard_normal(shape) * 3 + 1)
        target = ag.tensor(rng.standard_normal(shape))

        def build(bn: type = bn) -> nn.Module:
            ag.manual_seed(1)
            return nn.Sequential(bn(6), nn.Tanh(), bn(6, momentum=None)).double()

        ref = build()
        model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(build()))
        assert type(model.module[0]).__name__ == "SyncBatchNorm"
        pairs = ((ref, ref), (model, model.module))
        opts = [optim.SGD(m.parameters(), lr=0.5) for m, _ in pairs]
        for _step in range(5):
            for (m, _), opt, inp, tgt in zip(pairs, opts, (x, _shard(x, rank, world)),
                                             (target, _shard(target, rank, world))):
                opt.zero_grad()
                loss = ((m(inp) - tgt) ** 2).mean()
                loss.backward()
                opt.step()
        for (name, a), b in zip(model.module.state_dict().items(), ref.state_dict().values()):
            err = np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, float)))
            assert err <= 1e-12, f"{shape} {name} differs by {err}"
        model.eval()
        ref.eval()
        y = model(_shard(x, rank, world))._data
        assert np.max(np.abs(y - _shard(ref(x), rank, world)._data)) <= 1e-12


def unused() -> None:
    """A parameter unused in the loss: a clear error, or with find_unused_parameters=True
    the others are averaged and the unused one keeps its .grad (None)."""
    rank, world = dist.get_rank(), dist.get_world_size()

    class TwoHeads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(4, 4).double()
            self.spare = nn.Linear(4, 4).double()

        def forward(self, x: ag.Tensor) -> ag.Tensor:
            return self.body(x)

    x = ag.tensor(np.full((2, 4), float(rank + 1)))
    ddp = DDP(TwoHeads(), find_unused_parameters=True)
    ddp(x).sum().backward()
    assert ddp.module.spare.weight.grad is None
    expect = np.full((4, 4), 2 * (1 + world) / 2)  # rows summed, averaged over ranks
    assert np.array_equal(ddp.module.body.weight.grad._data, expect)
    strict = DDP(TwoHeads())
    try:
        strict(x).sum().backward()
    except RuntimeError as e:
        assert "find_unused_parameters=True" in str(e) and "spare.weight" in str(e), e
    else:
        raise AssertionError("an unused parameter must raise without find_unused_parameters")


def api() -> None:
    """Collectives and errors, checked on every rank."""
    rank, world = dist.get_rank(), dist.get_world_size()
    try:
        dist.init_process_group("mpi")
    except ValueError as e:
        assert "twice" in str(e)
    else:
        raise AssertionError("init twice must raise")
    assert dist.is_initialized() and dist.get_backend() == "mpi"
    assert dist.launched_by_mpiexec()
    t = ag.tensor(np.arange(4.0) + rank)
    buf = t._data
    dist.all_reduce(t)
    assert t._data is buf and np.array_equal(buf, 2 * np.arange(4.0) + 1)  # in place
    for op, want in ((dist.ReduceOp.PRODUCT, [0.0, 2.0]), (dist.ReduceOp.MIN, [0.0, 1.0]),
                     (dist.ReduceOp.MAX, [1.0, 2.0]), (dist.ReduceOp.AVG, [0.5, 1.5])):
        t = ag.tensor([float(rank), rank + 1.0])
        work = dist.all_reduce(t, op=op, async_op=True)
        assert work.wait() is True and work.is_completed()
        assert t.tolist() == want, (op, t.tolist())
    t = ag.tensor([float(rank)] * 3)
    dist.broadcast(t, src=1)
    assert t.tolist() == [1.0] * 3
    out = [ag.zeros(2, dtype=np.int64) for _ in range(world)]
    dist.all_gather(out, ag.tensor(np.array([rank, 10 * rank])))
    assert [o.tolist() for o in out] == [[r, 10 * r] for r in range(world)]
    objs = [rank, "x"]
    dist.broadcast_object_list(objs, src=0)
    assert objs == [0, "x"]
    dist.barrier()
    for call, exc in ((lambda: dist.broadcast(ag.zeros(2), src=world), ValueError),
                      (lambda: dist.all_reduce(ag.zeros((2, 2)).transpose(0, 1)), RuntimeError),
                      (lambda: dist.all_reduce(ag.zeros(2), op="sum"), TypeError),
                      (lambda: dist.all_gather([ag.zeros(2)], ag.zeros(2)), ValueError)):
        try:
            call()
        except exc:
            pass
        else:
            raise AssertionError(f"expected {exc.__name__}")
    dist.destroy_process_group()
    assert not dist.is_initialized()
    try:
        dist.get_rank()
    except ValueError as e:
        assert "Default process group has not been initialized" in str(e)
    else:
        raise AssertionError("get_rank after destroy must raise")
    dist.init_process_group("mpi")


def crash() -> None:
    """Rank 1 raises while rank 0 waits in a collective: the job must end, not hang."""
    if dist.get_rank() == 1:
        raise ValueError("rank 1 fails on purpose")
    dist.barrier()


if __name__ == "__main__":
    try:
        dist.get_world_size()
    except ValueError as e:
        assert "Default process group has not been initialized" in str(e)
    else:
        raise AssertionError("a collective before init must raise")
    dist.init_process_group(backend="mpi")
    globals()[sys.argv[1]]()
    dist.barrier()
    if dist.get_rank() == 0:
        print(f"{sys.argv[1]}: ok on {dist.get_world_size()} ranks", flush=True)
    dist.destroy_process_group()
