"""Command line for the benchmark suite: ``python -m benchmarks`` or ``python benchmarks/run.py``.

Only the standard library is imported at module level: the thread-count
environment variables must be set before NumPy (and its OpenBLAS) is loaded,
which happens inside ``main`` after the arguments are parsed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import itertools
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` and the packages importable
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
GROUPS: tuple[str, ...] = (
    "per-op",
    "mlp",
    "cnn",
    "deep-chain",
    "scale-batch",
    "scale-depth",
    "memory",
)
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
LR = 0.01


@dataclass(frozen=True)
class Plan:
    """How much to measure. ``QUICK`` finishes in under 3 minutes on 2 cores."""

    repeats: int  # repeats for the per-op, MLP and CNN workloads
    warmup: int
    target_rep_s: float  # each repeat loops the step until about this long
    chain_links: int
    deep_links: int
    deep_repeats: int
    deep_warmup: int
    batch_sizes: tuple[int, ...]
    depths: tuple[int, ...]
    scale_repeats: int
    mem_steps: int = 50


FULL = Plan(
    repeats=30,
    warmup=3,
    target_rep_s=0.1,
    chain_links=1000,
    deep_links=100_000,
    deep_repeats=5,
    deep_warmup=1,
    batch_sizes=(32, 64, 128, 256, 512, 1024),
    depths=(2, 4, 8, 16),
    scale_repeats=12,
)
QUICK = Plan(
    repeats=9,
    warmup=1,
    target_rep_s=0.04,
    chain_links=1000,
    deep_links=100_000,
    deep_repeats=3,
    deep_warmup=0,
    batch_sizes=(32, 256, 1024),
    depths=(2, 8, 16),
    scale_repeats=5,
)


def set_thread_env(n: int) -> None:
    """Pin BLAS/OpenMP pools through the environment; only effective before NumPy loads."""
    if "numpy" in sys.modules:
        print(
            "note: numpy already imported; thread env vars come too late, "
            "threadpoolctl will still apply the limit"
        )
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(n)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The CLI; see benchmarks/README.md."""
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="chainrule vs hand-written NumPy vs PyTorch eager (CPU).",
    )
    ap.add_argument("--quick", action="store_true", help="fewer repeats and sizes (< 3 min)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/torch threads (1)")
    ap.add_argument("--only", default="", help=f"comma list of: {','.join(GROUPS)}")
    ap.add_argument(
        "--engines",
        default="numpy,torch,chainrule",
        help="comma list of engines to run (default all three)",
    )
    ap.add_argument("--json", type=Path, default=RESULTS_DIR / "latest.json")
    ap.add_argument("--png", type=Path, default=RESULTS_DIR / "ratios.png")
    ap.add_argument("--md", type=Path, default=RESULTS_DIR / "latest.md")
    ap.add_argument("--repeats", type=int, default=0, help="override the repeat count")
    ap.add_argument(
        "--disable-gc",
        action="store_true",
        help="switch the cyclic GC off inside each timed repeat",
    )
    ap.add_argument(
        "--stock-malloc",
        action="store_true",
        help="leave glibc's allocator thresholds alone (default: tuned, see README)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="only check NumPy (and chainrule) gradients against PyTorch",
    )
    args = ap.parse_args(argv)
    args.only = [g.strip() for g in args.only.split(",") if g.strip()] or list(GROUPS)
    bad = [g for g in args.only if g not in GROUPS]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {', '.join(GROUPS)}")
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.threads < 1:
        ap.error("--threads must be >= 1")
    return args


# --------------------------------------------------------------------------- workloads


def _run_workloads(engines: Sequence[Any], plan: Plan, args: argparse.Namespace) -> list[Any]:
    """Time every selected workload; returns harness.Result rows in table order."""
    import numpy as np

    from benchmarks import numpy_ref as npr
    from benchmarks.harness import Target, results_from_timings, time_interleaved

    repeats = args.repeats or plan.repeats
    results: list[Any] = []

    def timed(
        workload: str,
        make: Callable[[Any], Callable[[], object]],
        *,
        reps: int,
        warmup: int | None = None,
        target_s: float | None = None,
        **common: Any,
    ) -> None:
        fns: dict[str, Callable[[], object]] = {}
        errors: dict[str, str] = {}
        for eng in engines:
            try:
                fns[eng.name] = make(eng)
            except Exception as exc:  # a missing API in one engine must not stop the others
                errors[eng.name] = f"{type(exc).__name__}: {exc}"
        timings, run_errors = time_interleaved(
            fns,
            repeats=reps,
            warmup=plan.warmup if warmup is None else warmup,
            target_rep_s=plan.target_rep_s if target_s is None else target_s,
            disable_gc=args.disable_gc,
        )
        rows = results_from_timings(workload, timings, {**errors, **run_errors}, **common)
        results.extend(rows)
        for r in rows:
            shown = "failed: " + r.error if r.median is None else f"{r.median * 1e3:.3f} ms"
            print(f"  {workload:<42} {r.engine:<10} {shown}", flush=True)

    x16 = np.random.default_rng(2).standard_normal(16).astype(np.float32)
    mlp_params = npr.init_mlp(npr.MLP_SIZES)
    mlp_x, mlp_y = npr.make_batch((128, 784))

    if "per-op" in args.only:
        n = plan.chain_links
        ops = n * npr.LINK_OPS
        timed(
            f"op chain {n} links fwd, (16,)",
            lambda e: e.chain(x16, n, False),
            reps=repeats,
            per=ops,
            per_label="/op",
        )
        timed(
            f"op chain {n} links fwd+bwd, (16,)",
            lambda e: e.chain(x16, n, True),
            reps=repeats,
            per=ops,
            per_label="/op",
            targets=(Target("torch", 1.0),),
        )
    if "mlp" in args.only:
        timed(
            "MLP step 784-256-128-10, b128",
            lambda e: e.mlp_step(mlp_params, mlp_x, mlp_y, LR),
            reps=repeats,
            targets=(Target("numpy", 1.10),),
        )
    if "cnn" in args.only:
        cnn_params = npr.init_cnn()
        cnn_x, cnn_y = npr.make_batch((64, 3, 32, 32))
        timed(
            "SimpleCNN step, b64 3×32×32",
            lambda e: e.cnn_step(cnn_params, cnn_x, cnn_y, LR),
            reps=repeats,
            targets=(Target("numpy", 1.25), Target("torch", 2.0)),
        )
    if "deep-chain" in args.only:
        n = plan.deep_links
        # one call is already 3 x 10^5 graph ops: one call per repeat, little or no warm-up
        timed(
            f"deep chain {n // 1000}k links fwd+bwd",
            lambda e: e.chain(x16, n, True),
            reps=plan.deep_repeats,
            warmup=plan.deep_warmup,
            target_s=0.0,
            targets=(Target("torch", 1.0),),
        )
    if "scale-batch" in args.only:
        for b in plan.batch_sizes:
            xb, yb = npr.make_batch((b, 784))
            timed(
                f"MLP step b{b}",
                lambda e, xb=xb, yb=yb: e.mlp_step(mlp_params, xb, yb, LR),
                reps=plan.scale_repeats,
                series="MLP 784-256-128-10 vs batch",
                size=b,
            )
    if "scale-depth" in args.only:
        for d in plan.depths:
            params = npr.init_mlp([784] + [256] * d + [10])
            timed(
                f"MLP step {d}×256 hidden, b128",
                lambda e, p=params: e.mlp_step(p, mlp_x, mlp_y, LR),
                reps=plan.scale_repeats,
                series="MLP b128 vs hidden layers (width 256)",
                size=d,
            )
    return results


# --------------------------------------------------------------------------- check


def run_check(engine_names: Sequence[str]) -> int:
    """Gradient check: NumPy vs PyTorch autograd; chainrule vs NumPy when it loads.

    Each engine gets the same weights and batch in float64 (tolerance 1e-10) and
    float32 (1e-5, max abs error over max abs value). An engine that hands back
    float32 gradients for float64 input is judged at the float32 tolerance.
    """
    import numpy as np

    from benchmarks import numpy_ref as npr
    from benchmarks.engines import load_engines

    tol = {"float64": 1e-10, "float32": 1e-5}
    engines, skipped = load_engines([n for n in engine_names if n != "numpy"])
    for reason in skipped.values():
        print("skip:", reason)
    if not engines:
        print("nothing to compare the NumPy reference with")
        return 1
    ok = True
    ref = npr.NumpyEngine()
    for eng in engines:
        for (dtype_name, dtype), net in itertools.product(
            (("float64", np.float64), ("float32", np.float32)), ("mlp", "cnn")
        ):
            try:
                ((err, got),) = npr.compare_engines(ref, eng, dtype, nets=(net,)).values()
            except Exception as exc:  # report and go on: one missing op must not hide the rest
                msg = f"{type(exc).__name__}: {exc}"
                print(f"{eng.name:<10} vs numpy  {dtype_name}  {net}: FAILED to run ({msg})")
                ok = False
                continue
            limit = tol.get(got, tol["float32"])
            good = err <= limit
            ok &= good
            note = "" if got == dtype_name else f" (computed in {got})"
            print(
                f"{eng.name:<10} vs numpy  {dtype_name}  {net}: max rel err {err:.2e} "
                f"(tol {limit:.0e}){note} {'OK' if good else 'MISMATCH'}"
            )
    return 0 if ok else 1


# --------------------------------------------------------------------------- report


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _meta(
    args: argparse.Namespace,
    engines: Sequence[Any],
    skipped: dict[str, str],
    thread_lines: list[str],
) -> dict[str, Any]:
    return {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "cpu": f"{_cpu_model()} ({os.cpu_count()} logical cores)",
        "python": platform.python_version(),
        "engines": {e.name: e.version() for e in engines},
        "skipped": skipped,
        "threads": args.threads,
        "thread_pools": thread_lines,
        "mode": "quick" if args.quick else "full",
        "gc_in_timed_region": "disabled" if args.disable_gc else "enabled",
    }


def render_markdown(meta: dict[str, Any], results: Sequence[Any], memory: Sequence[Any]) -> str:
    """The full report: setup, main table, scaling fits, memory, skipped engines."""
    from benchmarks.harness import markdown_table, scaling_table
    from benchmarks.memory import memory_table

    out = [
        f"### chainrule benchmarks — {meta['date']} ({meta['mode']})",
        "",
        f"CPU: {meta['cpu']}; Python {meta['python']}; threads: {meta['threads']} "
        f"({'; '.join(meta['thread_pools'])}); GC inside timed repeats: "
        f"{meta['gc_in_timed_region']}; {meta['allocator']}.",
        "Engines: " + ", ".join(f"{k} {v}" for k, v in meta["engines"].items()) + ".",
        "",
    ]
    main_rows = [r for r in results if r.series is None]
    if main_rows:
        out += [markdown_table(main_rows), ""]
    scale_rows = [r for r in results if r.series is not None]
    if scale_rows:
        out += [
            "Scaling (time ≈ a + b·size; R² near 1 = linear):",
            "",
            scaling_table(scale_rows),
            "",
            markdown_table(scale_rows),
            "",
        ]
    if memory:
        out += [
            f"Memory ({memory[0].steps} training steps, one child process per engine):",
            "",
            memory_table(memory),
            "",
        ]
    for name, reason in meta["skipped"].items():
        out.append(f"- skipped {name}: {reason}")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, pin threads, run the selected workloads, print and save the report."""
    args = parse_args(argv)
    set_thread_env(args.threads)  # before the first numpy import below

    if args.check:
        return run_check(args.engines)

    from benchmarks.engines import load_engines
    from benchmarks.harness import (
        dump_json,
        pin_threads,
        plot_ratios,
        thread_report,
        tune_malloc,
    )
    from benchmarks.memory import measure_all

    engines, skipped = load_engines(args.engines)  # imports torch, so before pinning
    for reason in skipped.values():
        print("skip:", reason, flush=True)
    _limiter = pin_threads(args.threads)  # noqa: F841  (limit holds while this lives)
    thread_lines = thread_report()
    print("threads:", "; ".join(thread_lines), flush=True)
    # before any workload allocates: see harness.tune_malloc for why this is the default
    allocator = "allocator: stock glibc settings" if args.stock_malloc else tune_malloc()
    print(allocator, flush=True)

    plan = QUICK if args.quick else FULL
    results = _run_workloads(engines, plan, args)
    memory = []
    if "memory" in args.only:
        print("  memory: one child process per engine and network ...", flush=True)
        memory = measure_all(
            [e.name for e in engines], ["mlp", "cnn"], plan.mem_steps, args.threads
        )

    meta = _meta(args, engines, skipped, thread_lines)
    meta["allocator"] = allocator
    report = render_markdown(meta, results, memory)
    print()
    print(report)
    args.md.parent.mkdir(parents=True, exist_ok=True)
    args.md.write_text(report)
    dump_json(args.json, meta, results, memory)
    print(f"markdown written to {args.md}; JSON written to {args.json}")
    if results:
        print(plot_ratios(args.png, [r for r in results if r.series is None] or results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
