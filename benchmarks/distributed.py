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


# SimpleCNN's float32 buckets at the defaults: Linear 2048→128 and 128→10 (the first,
# 1 MiB bucket), then both convolutions.
SIMPLECNN_BUCKETS = [1_054_248, 20_352]


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


# The ring all-reduce cost model (Patarasuk & Yuan; what MPICH and NCCL use for large
# messages): a bucket of S bytes over N ranks sends 2(N-1)/N·S bytes per link in
# 2(N-1) steps, each paying the link latency α: t = 2(N-1)/N · S/β + 2(N-1)·α.
LINKS = {"10 Gb/s Ethernet (α = 20 µs)": (10e9 / 8, 20e-6),
         "100 Gb/s InfiniBand (α = 3 µs)": (100e9 / 8, 3e-6)}


def ring_allreduce_s(nbytes: int, ranks: int, bandwidth: float, latency: float) -> float:
    if ranks == 1:
        return 0.0
    return 2 * (ranks - 1) / ranks * nbytes / bandwidth + 2 * (ranks - 1) * latency


def paper(buckets: list[int], per_sample_s: float, fixed_s: float, batch: int) -> None:
    """Step time at global batch ``batch`` on N machines (one rank each): compute
    ``fixed + per_sample · batch/N`` plus the buckets' all-reduce, with no overlap
    (an upper bound: bucket 0, the fully connected layers, may hide under the conv
    backward)."""
    t1 = fixed_s + per_sample_s * batch
    print(f"cost model: compute {fixed_s * 1e3:.2f} ms + {per_sample_s * 1e3:.3f} ms/sample per "
          f"rank (T1 = {t1 * 1e3:.1f} ms at b{batch}); buckets {buckets} bytes")
    for link, (bw, lat) in LINKS.items():
        for n in (2, 8, 16, 32, 64, 128):
            comm = sum(ring_allreduce_s(b, n, bw, lat) for b in buckets)
            tn = fixed_s + per_sample_s * batch / n + comm
            print(f"  {link:32s} N={n:3d}: b{batch // n:3d}/rank, comm {comm * 1e3:6.2f} ms, "
                  f"step {tn * 1e3:6.2f} ms, speed-up {t1 / tn:5.1f}x, "
                  f"efficiency {t1 / (n * tn):4.0%}")


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
    ap.add_argument("--paper", nargs=2, type=float, metavar=("FIXED_MS", "MS_PER_SAMPLE"),
                    help="only print the cost model for these compute figures")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.paper:
        paper(SIMPLECNN_BUCKETS, args.paper[1] / 1e3, args.paper[0] / 1e3, args.batch)
        return 0
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
