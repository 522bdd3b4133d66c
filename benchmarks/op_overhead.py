"""The engine's own cost per op: a chain of elementwise ops on a tiny tensor.

``x = (x * 1.01 + 0.01).tanh()`` repeated ``--length`` times (3 ops each) on a
shape-(16,) float32 tensor, forward and backward, in microseconds per op. On
16 elements the NumPy kernels cost almost nothing, so this measures the
bookkeeping: recording the graph and running the backward. The same chain in
plain NumPy (forward only, and forward plus the hand-derived backward) and, when
installed, PyTorch CPU eager run in the same process, interleaved (A B C A B C…),
one thread each, and the medians are compared.

    python benchmarks/op_overhead.py [--length 1000] [--repeats 30]

``--pair`` measures issue 22's two engine-cost targets and nothing else: chainrule
against PyTorch on ``run.py``'s chain workloads (the same adapters, the same input), a
1000-link chain (µs per op) and a 100,000-link chain (seconds per fwd+bwd), the two
engines alternating call by call (A B, B A, ...), ``gc.collect()`` before each call and
the cyclic GC on inside it (as ``harness``), one BLAS thread, the allocator as ``run.py``
sets it. Medians of CPU time (``time.process_time``: on a shared machine it counts this
process's work, not the time other jobs take the core) and of wall time. With
``--separate`` the 100,000-link chain runs instead in a fresh process per call holding
one engine (``harness.time_chain_in_processes``; benchmarks/README.md, Method, has the
figures both ways and why the default stays one process):

    python benchmarks/op_overhead.py --pair [--repeats 15] [--deep-repeats 5] [--separate]

``--split`` times chainrule's ``--length``-link chain in parts, the cyclic GC on as in
``--pair`` (with PyTorch imported, when installed, as there: its objects are what a full
collection walks most): forward, backward and freeing the graph, each in CPU µs per op,
and the time and count of full (generation 2) and young collections (``gc.callbacks``):

    python benchmarks/op_overhead.py --split --length 100000 --repeats 3

``--child ENGINE`` is that fresh process: it times one call of the ``--length``-link chain
after ``--warmup`` calls, and prints ``{"cpu": s, "wall": s}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy loads: one BLAS thread per engine

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def chainrule_chain(n: int) -> Callable[[], None]:
    import autograd as ag  # here, not above: a --child process loads its one engine only

    def run() -> None:
        x0 = ag.tensor(np.ones(16, dtype=np.float32), requires_grad=True)
        x = x0
        for _ in range(n):
            x = (x * 1.01 + 0.01).tanh()
        x.sum().backward()
    return run


def numpy_forward(n: int) -> Callable[[], None]:
    def run() -> None:
        x = np.ones(16, dtype=np.float32)
        for _ in range(n):
            x = np.tanh(x * 1.01 + 0.01)
    return run


def numpy_forward_backward(n: int) -> Callable[[], None]:
    """The textbook version: keep each tanh output, then dx = g·(1 − y²)·1.01 backwards."""
    def run() -> None:
        x = np.ones(16, dtype=np.float32)
        ys = []
        for _ in range(n):
            x = np.tanh(x * 1.01 + 0.01)
            ys.append(x)
        g = np.ones(16, dtype=np.float32)
        for y in reversed(ys):
            g = g * (1 - y * y) * 1.01
    return run


def torch_chain(n: int) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def run() -> None:
        x0 = torch.ones(16, requires_grad=True)
        x = x0
        for _ in range(n):
            x = (x * 1.01 + 0.01).tanh()
        x.sum().backward()
    return run


def measure(engines: dict[str, Callable[[], None]], repeats: int) -> dict[str, list[float]]:
    """Interleave the engines (A B C A B C …) after a warm-up; seconds per run."""
    for fn in engines.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(repeats):
        for name, fn in engines.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return times


def child(engine: str, links: int, warmup: int, threads: int, stock_malloc: bool,
          disable_gc: bool) -> dict[str, float]:
    """``--child``: one engine alone in this process (see the module docstring)."""
    from benchmarks.engines import load_engine
    from benchmarks.harness import pin_threads, tune_malloc

    eng = load_engine(engine)
    _limiter = pin_threads(threads)  # noqa: F841  (the limit holds while this lives)
    if not stock_malloc:
        tune_malloc()
    x16 = np.random.default_rng(2).standard_normal(16).astype(np.float32)  # as run.py
    fn = eng.chain(x16, links, True)
    for _ in range(warmup):
        fn()
    gc.collect()
    if disable_gc:
        gc.disable()
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return {"cpu": time.process_time() - c0, "wall": time.perf_counter() - w0}


def pair(repeats: int, deep_repeats: int, short: int = 1000, deep: int = 100_000,
         separate: bool = False) -> dict[str, dict[str, float]]:
    """chainrule / PyTorch on the short and the deep chain (see the module docstring).
    Returns {workload: {"cpu": ratio, "wall": ratio, "chainrule cpu": s, "torch cpu": s}}."""
    from benchmarks.chainrule_ref import ChainruleEngine
    from benchmarks.harness import pin_threads, time_chain_in_processes, tune_malloc
    from benchmarks.numpy_ref import LINK_OPS
    from benchmarks.torch_ref import TorchEngine

    engines = (ChainruleEngine(), TorchEngine())
    _limiter = pin_threads(1)  # noqa: F841  (the limit holds while this lives)
    print(tune_malloc())
    x16 = np.random.default_rng(2).standard_normal(16).astype(np.float32)  # as run.py
    out = {}
    for links, reps, number in ((short, repeats, 10), (deep, deep_repeats, 1)):
        if links == deep and separate:
            walls, cpus, errors = time_chain_in_processes(
                [e.name for e in engines], links, repeats=reps)
            if errors:
                raise RuntimeError(f"deep chain: {errors}")
            cpu = {k: t.samples for k, t in cpus.items()}
            wall = {k: t.samples for k, t in walls.items()}
        else:
            cpu, wall = _in_process(engines, x16, links, reps, number)
        med_c = {k: statistics.median(v) for k, v in cpu.items()}
        med_w = {k: statistics.median(v) for k, v in wall.items()}
        where = "a process per call" if links == deep and separate else "one process"
        key = f"{links}-link chain fwd+bwd"
        out[key] = {"cpu": med_c["chainrule"] / med_c["torch"],
                    "wall": med_w["chainrule"] / med_w["torch"],
                    "chainrule cpu": med_c["chainrule"], "torch cpu": med_c["torch"]}
        unit, scale = ("µs/op", 1e6 / (links * LINK_OPS)) if links == short else ("s", 1.0)
        print(f"{key} ({reps} alternating runs, {where}, median): chainrule "
              f"{med_c['chainrule'] * scale:.3f} {unit} CPU ({med_w['chainrule'] * scale:.3f} "
              f"wall), PyTorch {med_c['torch'] * scale:.3f} CPU ({med_w['torch'] * scale:.3f} "
              f"wall): {out[key]['cpu']:.2f}x PyTorch CPU, {out[key]['wall']:.2f}x wall",
              flush=True)
    return out


def _in_process(engines: tuple, x16: np.ndarray, links: int, reps: int,
                number: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Both engines in this process, alternating call by call: ({name: CPU s}, {name: wall s})."""
    fns = [(e.name, e.chain(x16, links, True)) for e in engines]
    for _, fn in fns:
        fn()  # warm-up (the deep chain's too: first-call allocation is not the engine)
    cpu: dict[str, list[float]] = {name: [] for name, _ in fns}
    wall: dict[str, list[float]] = {name: [] for name, _ in fns}
    for r in range(reps):
        for name, fn in fns if r % 2 == 0 else fns[::-1]:
            gc.collect()
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(number):
                fn()
            cpu[name].append((time.process_time() - c0) / number)
            wall[name].append((time.perf_counter() - w0) / number)
    return cpu, wall


def split(links: int, repeats: int) -> dict[str, float]:
    """``--split``: medians of forward, backward, freeing (µs/op) and of GC time (s)."""
    import autograd as ag
    try:
        import torch  # noqa: F401  (only loaded: the process --pair measures in)
    except ImportError:
        pass
    gc_time = {"full s": 0.0, "full count": 0, "young s": 0.0}
    started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
            return
        full = info["generation"] == 2
        gc_time["full s" if full else "young s"] += time.process_time() - started[0]
        gc_time["full count"] += full

    x16 = np.random.default_rng(2).standard_normal(16).astype(np.float32)  # as run.py
    rows: list[dict[str, float]] = []
    gc.callbacks.append(on_gc)
    try:
        for r in range(repeats + 1):  # the first call warms up
            gc.collect()
            gc_time.update({"full s": 0.0, "full count": 0, "young s": 0.0})
            c0 = time.process_time()
            leaf = ag.tensor(x16.copy(), requires_grad=True)
            x = leaf
            for _ in range(links):
                x = (x * 1.01 + 0.01).tanh()
            c1 = time.process_time()
            x = x.sum()
            x.backward()
            c2 = time.process_time()
            del x  # the graph's last reference
            c3 = time.process_time()
            if r:
                per_op = 1e6 / (3 * links)
                rows.append({"forward": (c1 - c0) * per_op, "backward": (c2 - c1) * per_op,
                             "free": (c3 - c2) * per_op, "total s": c3 - c0, **gc_time})
    finally:
        gc.callbacks.remove(on_gc)
    med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
    print(f"{links}-link chain, {repeats} runs, median CPU: forward {med['forward']:.3f}, "
          f"backward {med['backward']:.3f}, free {med['free']:.3f} µs/op; total "
          f"{med['total s']:.3f} s, of which full collections {med['full s']:.3f} s "
          f"(x{med['full count']:g}), young {med['young s']:.3f} s")
    return med


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--length", type=int, default=1000, help="chain iterations (3 ops each)")
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--pair", action="store_true",
                   help="chainrule vs PyTorch only: the 1000- and 100,000-link chains")
    p.add_argument("--deep-repeats", type=int, default=5, help="--pair: deep-chain runs")
    p.add_argument("--separate", action="store_true",
                   help="--pair: the deep chain in a fresh process per call and engine")
    p.add_argument("--split", action="store_true",
                   help="chainrule's chain: forward, backward, freeing and GC apart")
    p.add_argument("--child", metavar="ENGINE", help="time one chain call of ENGINE alone")
    p.add_argument("--warmup", type=int, default=1, help="--child: untimed calls first")
    p.add_argument("--threads", type=int, default=1, help="--child: BLAS/torch threads")
    p.add_argument("--stock-malloc", action="store_true", help="--child: glibc as it is")
    p.add_argument("--disable-gc", action="store_true", help="--child: no cyclic GC")
    args = p.parse_args(argv)
    if args.child:
        got = child(args.child, args.length, args.warmup, args.threads, args.stock_malloc,
                    args.disable_gc)
        print(json.dumps(got))
        return got
    if args.split:
        return split(args.length, args.repeats)
    if args.pair:
        return pair(args.repeats, args.deep_repeats, separate=args.separate)
    n, ops = args.length, 3 * args.length
    engines = {"chainrule fwd+bwd": chainrule_chain(n), "numpy fwd": numpy_forward(n),
               "numpy fwd+bwd (by hand)": numpy_forward_backward(n)}
    t = torch_chain(n)
    if t is not None:
        engines["pytorch fwd+bwd"] = t
    else:
        print("PyTorch not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
    times = measure(engines, args.repeats)
    med = {k: statistics.median(v) / ops * 1e6 for k, v in times.items()}
    print(f"{ops}-op chain on a (16,) float32 tensor, {args.repeats} interleaved runs, "
          f"1 thread, median µs per op:")
    print("| engine | µs/op (median) | min–max | vs numpy fwd+bwd | vs pytorch |")
    print("|---|---:|---:|---:|---:|")
    for k, v in times.items():
        lo, hi = min(v) / ops * 1e6, max(v) / ops * 1e6
        ref = med["numpy fwd+bwd (by hand)"]
        vs_t = f"{med[k] / med['pytorch fwd+bwd']:.2f}x" if t is not None else "—"
        print(f"| {k} | {med[k]:.2f} | {lo:.2f}–{hi:.2f} | {med[k] / ref:.2f}x | {vs_t} |")
    return med


if __name__ == "__main__":
    main()
