"""Data-parallel scaling: one SimpleCNN SGD step at a fixed global batch, 1 rank vs N.

``python benchmarks/distributed.py [--ranks 2] [--batch 256] [--rounds 3]`` launches
``mpiexec -n 1`` (the plain model, no DDP) and ``mpiexec -n N`` (DistributedDataParallel,
each rank on batch/N samples) of itself, alternately, ``--rounds`` times, every rank
with one BLAS thread; each launch reports the median step time over several repeats
(the slowest rank's, as a barrier closes each repeat). Printed: both medians, the
speed-up, the scaling efficiency T1 / (N·TN), the bytes all-reduced per step and the
time of one blocking all-reduce of those bytes.

Only the standard library loads at module level: the thread env vars must be set
before NumPy starts OpenBLAS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                            "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}


def worker(batch: int, steps: int, repeats: int) -> None:
    """One rank: time ``repeats`` × ``steps`` SGD steps of SimpleCNN on its shard."""
    import numpy as np

    import autograd as ag
    import autograd.distributed as dist
    import nn
    import nn.functional as F
    import optim
    from nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    comm = dist._world()
    ag.manual_seed(0)
    model = nn.SimpleCNN()
    net = DDP(model) if world > 1 else model
    opt = optim.SGD(net.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    n = batch // world
    xs, ys = ag.tensor(x[rank * n:(rank + 1) * n]), ag.tensor(y[rank * n:(rank + 1) * n])

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(net(xs), ys).backward()
        opt.step()

    waits: list[float] = []
    if world > 1:  # time spent at the end of backward waiting for buckets (+ copy back)
        finalize = net._finalize_backward

        def timed_finalize() -> None:
            t0 = time.perf_counter()
            finalize()
            waits.append(time.perf_counter() - t0)

        net._finalize_backward = timed_finalize
    for _ in range(2):
        step()
    waits.clear()
    times = []
    for _ in range(repeats):
        comm.Barrier()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        comm.Barrier()
        times.append((time.perf_counter() - t0) / steps)
    nbytes = sum(b.buffer.nbytes for b in net._buckets) if world > 1 else 0
    buckets = len(net._buckets) if world > 1 else 0
    allreduce = []
    if world > 1:  # the same bytes in one blocking all-reduce, for the communication share
        buf = np.zeros(nbytes // 4, dtype=np.float32)
        for _ in range(20):
            comm.Barrier()
            t0 = time.perf_counter()
            comm.Allreduce(dist._mpi().IN_PLACE, buf)
            allreduce.append(time.perf_counter() - t0)
    if rank == 0:
        print(json.dumps({"world": world, "step_s": statistics.median(times), "all": times,
                          "bytes": nbytes, "buckets": buckets,
                          "allreduce_s": statistics.median(allreduce) if allreduce else 0.0,
                          "wait_s": statistics.median(waits) if waits else 0.0,
                          "params": sum(p.numel() for p in model.parameters())}), flush=True)
    dist.destroy_process_group()


def launch(world: int, batch: int, steps: int, repeats: int) -> dict:
    mpiexec = Path(sys.executable).with_name("mpiexec")
    cmd = [str(mpiexec) if mpiexec.exists() else "mpiexec", "-n", str(world), sys.executable,
           str(Path(__file__).resolve()), "--worker", "--batch", str(batch), "--steps",
           str(steps), "--repeats", str(repeats)]
    env = {**os.environ, **THREADS, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256, help="global batch")
    ap.add_argument("--steps", type=int, default=3, help="steps per timed repeat")
    ap.add_argument("--repeats", type=int, default=5, help="repeats per launch")
    ap.add_argument("--rounds", type=int, default=3, help="1-rank/N-rank launch pairs")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.batch, args.steps, args.repeats)
        return 0
    one, many = [], []
    for _ in range(args.rounds):  # alternated, so drift on the shared machine hits both
        one.append(launch(1, args.batch, args.steps, args.repeats))
        many.append(launch(args.ranks, args.batch, args.steps, args.repeats))
    t1 = statistics.median(t for r in one for t in r["all"])
    tn = statistics.median(t for r in many for t in r["all"])
    info = many[0]
    print(f"SimpleCNN ({info['params']:,} params), global batch {args.batch}, one BLAS "
          f"thread per rank, medians of {args.rounds * args.repeats} repeats of "
          f"{args.steps} steps")
    print(f"  1 rank (no DDP):        {t1 * 1e3:8.1f} ms/step")
    print(f"  {args.ranks} ranks (DDP, b{args.batch // args.ranks} each): {tn * 1e3:8.1f} ms/step")
    print(f"  speed-up {t1 / tn:.2f}x, scaling efficiency T1/(N*TN) = "
          f"{t1 / (args.ranks * tn):.0%}")
    print(f"  all-reduced per step: {info['bytes']:,} bytes in {info['buckets']} buckets; "
          f"one blocking all-reduce of them: {info['allreduce_s'] * 1e3:.2f} ms; "
          f"backward's final wait + copy back: {info['wait_s'] * 1e3:.2f} ms (rank 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
