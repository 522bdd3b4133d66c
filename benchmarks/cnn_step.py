"""The SimpleCNN SGD step (batch 64, 3×32×32), interleaved, CPU-time medians.

``python -m benchmarks.cnn_step [--against DIR] [--rounds 30] [--inner 3]``

Runs chainrule (this checkout), PyTorch eager and the hand-written NumPy step in one
process, and with ``--against DIR`` also the chainrule of another checkout (e.g. a
``git archive`` of the branch point): same weights, same batch, one BLAS/torch thread,
the harness's tuned allocator. Each round runs every variant ``inner`` steps, the order
rotated every round, ``gc.collect()`` between them outside the clock. Reported: medians
over rounds of the per-step CPU time (``time.process_time``, which other jobs on a
shared machine do not inflate the way they do wall-clock time) and of the wall time.

Two chainrule checkouts share one process by keeping each one's ``autograd``/``nn``/
``optim`` modules apart: before each variant runs, its own modules are put back into
``sys.modules``, so a lazy import inside a step resolves to the same checkout.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from benchmarks import numpy_ref  # noqa: E402
from benchmarks.harness import pin_threads, tune_malloc  # noqa: E402

PACKAGES = ("autograd", "nn", "optim")


def _ours(name: str) -> bool:
    return name.split(".", 1)[0] in PACKAGES


def _chainrule_step(root: str | None, params, x, y) -> tuple[Callable[[], object], dict]:
    """A chainrule step closure from ``root`` (None: the importable checkout) and the
    modules it runs on. Leaves ``sys.modules`` without any chainrule module."""
    for name in [m for m in sys.modules if _ours(m)]:
        del sys.modules[name]
    if root is not None:
        sys.path.insert(0, root)
    try:
        from benchmarks.chainrule_ref import ChainruleEngine

        step = ChainruleEngine().cnn_step(params, x, y, 0.01)
        step()  # the first step runs the lazy imports
    finally:
        if root is not None:
            sys.path.remove(root)
    modules = {m: mod for m, mod in sys.modules.items() if _ours(m)}
    for name in modules:
        del sys.modules[name]
    return step, modules


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", metavar="DIR", help="another checkout's root ('before')")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--inner", type=int, default=3, help="steps per variant per round")
    args = ap.parse_args()
    print(tune_malloc())
    params = numpy_ref.init_cnn()
    x, y = numpy_ref.make_batch((64, 3, 32, 32))
    from benchmarks.engines import load_engine

    variants: dict[str, tuple[Callable[[], object], dict]] = {}
    if args.against:
        variants["before"] = _chainrule_step(os.path.abspath(args.against), params, x, y)
    variants["chainrule"] = _chainrule_step(None, params, x, y)
    variants["torch"] = (load_engine("torch").cnn_step(params, x, y, 0.01), {})
    variants["numpy"] = (load_engine("numpy").cnn_step(params, x, y, 0.01), {})
    limiter = pin_threads(1)  # noqa: F841 (kept alive for the run)
    names = list(variants)
    cpu: dict[str, list[float]] = {n: [] for n in names}
    wall: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.rounds + 1):  # round 0 warms up
        for n in names[r % len(names):] + names[:r % len(names)]:
            step, modules = variants[n]
            sys.modules.update(modules)
            gc.collect()
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.inner):
                step()
            c1, w1 = time.process_time(), time.perf_counter()
            for name in modules:
                del sys.modules[name]
            if r:
                cpu[n].append((c1 - c0) / args.inner)
                wall[n].append((w1 - w0) / args.inner)
    med = {n: statistics.median(v) * 1e3 for n, v in cpu.items()}
    wmed = {n: statistics.median(v) * 1e3 for n, v in wall.items()}
    print(f"SimpleCNN step, b64 3x32x32: {args.rounds} rounds x {args.inner} steps, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':10s} {'CPU ms':>8s} {'÷torch':>7s} {'÷numpy':>7s} | {'wall ms':>8s} "
          f"{'÷torch':>7s} {'÷numpy':>7s}")
    for n in names:
        print(f"{n:10s} {med[n]:8.2f} {med[n] / med['torch']:7.3f} {med[n] / med['numpy']:7.3f}"
              f" | {wmed[n]:8.2f} {wmed[n] / wmed['torch']:7.3f} {wmed[n] / wmed['numpy']:7.3f}")


if __name__ == "__main__":
    main()
