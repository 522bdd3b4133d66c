"""Measurement machinery: thread pinning, interleaved timing, results, table, JSON, chart.

Method, in short (the README has the reasons):

* Threads are pinned before anything is timed: the OMP/MKL/OPENBLAS env vars are
  set by ``run.py`` before NumPy loads, then ``pin_threads`` applies
  ``threadpoolctl.threadpool_limits`` to every BLAS/OpenMP pool already loaded
  (NumPy's OpenBLAS, torch's libgomp) and calls ``torch.set_num_threads``.
* All engines of one workload are timed in the same process, interleaved
  (A B C, B C A, C A B, ...), after a warm-up, so drift on a shared, noisy
  machine (other jobs, frequency changes) hits every engine alike; rotating the
  order also spreads any "runs right after X" cache effect evenly.
  (``time_chain_in_processes`` is the other way, one engine per process, kept for
  ``op_overhead.py --pair --separate``; the README says why it is not the default.)
* Each repeat times ``number`` back-to-back calls with ``time.perf_counter``
  (``number`` calibrated so a repeat lasts ~``target_rep_s``) and records the
  per-call mean; we report the median over repeats (robust to outliers from
  the noisy machine) plus min and max.
* The allocator is put in a fixed, reuse-everything state first (``tune_malloc``)
  so no engine's timings depend on another's frees; ``--stock-malloc`` skips it.
* ``gc.collect()`` runs before every repeat, outside the timed region, so one
  engine's garbage is never collected on another engine's clock. The cyclic
  GC stays *enabled* inside a repeat by default: an engine whose graphs form
  reference cycles really does pay for collecting them during training, and
  hiding that would flatter it. ``disable_gc=True`` (``--disable-gc``) turns it
  off inside repeats to isolate pure compute cost.
"""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.engines import DISPLAY_NAMES

# --------------------------------------------------------------------------- threads


def pin_threads(n: int) -> object | None:
    """Limit every native thread pool loaded so far to ``n`` threads.

    Call after all engines are imported (threadpoolctl only sees libraries that
    are already loaded). Returns the threadpoolctl limiter, which must be kept
    alive for the duration of the run, or None when threadpoolctl is missing
    (then only the env vars set by run.py apply).
    """
    limiter = None
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=n)
    except ImportError:
        print("note: threadpoolctl not installed; relying on OMP/MKL/OPENBLAS env vars only")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)
    return limiter


def tune_malloc() -> str:
    """Make glibc keep freed memory for reuse instead of returning it to the OS.

    Stock glibc gives large freed blocks back (munmap, heap trimming) and adapts
    its mmap threshold to the history of frees. Two consequences for a training
    step that allocates tens of MB of fresh arrays: (1) page faults and kernel
    page zeroing every step, ~1/3 of the hand-written NumPy CNN step on the
    reference machine (32 ms -> 20 ms), and (2) in one interleaved process the
    cost of engine A depends on what engine B freed just before (the NumPy CNN
    measured 23 ms next to torch, 32 ms alone). Fixing the thresholds (1 GiB
    trim, the maximal 32 MiB mmap threshold) makes every engine run from a warm,
    reused heap and decouples them. It applies process-wide, to all engines
    alike; ``--stock-malloc`` measures with stock settings. Returns a status line.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
        ok = libc.mallopt(m_trim_threshold, 1 << 30) and libc.mallopt(m_mmap_threshold, 32 << 20)
    except (OSError, AttributeError):
        ok = 0
    if not ok:
        return "allocator: mallopt unavailable (not glibc?); default allocator"
    return "allocator: glibc mallopt, trim threshold 1 GiB, mmap threshold 32 MiB"


def thread_report() -> list[str]:
    """One line per native thread pool: library, API and its current thread count."""
    lines: list[str] = []
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lib = Path(pool.get("filepath", "?")).name
            lines.append(f"{pool.get('internal_api')} ({lib}): {pool.get('num_threads')} threads")
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        lines.append(f"torch intra-op: {torch.get_num_threads()} threads")
    return lines


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Per-call times in seconds, one per repeat (each the mean of ``number`` calls)."""

    samples: list[float]
    number: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def _timed_rep(fn: Callable[[], object], number: int, disable_gc: bool) -> float:
    gc.collect()  # outside the clock: start every repeat with no pending garbage
    if disable_gc:
        gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        t1 = time.perf_counter()
    finally:
        if disable_gc:
            gc.enable()
    return (t1 - t0) / number


def time_interleaved(
    fns: Mapping[str, Callable[[], object]],
    *,
    repeats: int,
    warmup: int = 2,
    target_rep_s: float = 0.05,
    disable_gc: bool = False,
) -> tuple[dict[str, Timing], dict[str, str]]:
    """Time several engines' closures of one workload, interleaved.

    fns: {engine name: zero-argument closure}. Each closure runs ``warmup`` times
    (interleaved too), then ``repeats`` rounds follow, each timing every engine
    once, rotating the starting engine each round. A repeat loops the closure
    ``number`` times, calibrated from the last warm-up call to last about
    ``target_rep_s``; ``target_rep_s <= 0`` means one call per repeat, and then
    ``warmup=0`` is allowed (for calls that are long on their own). Returns
    ({engine: Timing}, {engine: error message}) -- an engine that raises is
    dropped, not fatal.
    """
    errors: dict[str, str] = {}
    live = dict(fns)
    last_call: dict[str, float] = dict.fromkeys(live, 0.0)
    n_warm = warmup if target_rep_s <= 0 else max(warmup, 1)  # calibration needs one call
    for _ in range(n_warm):
        for name, fn in list(live.items()):
            try:
                t0 = time.perf_counter()
                fn()
                last_call[name] = time.perf_counter() - t0
            except Exception as exc:  # an engine failing must not stop the others
                errors[name] = f"{type(exc).__name__}: {exc}"
                del live[name]
    numbers = {
        name: 1 if target_rep_s <= 0 else max(1, round(target_rep_s / max(last_call[name], 1e-9)))
        for name in live
    }
    samples: dict[str, list[float]] = {name: [] for name in live}
    names = list(live)
    for r in range(repeats):
        k = r % len(names) if names else 0
        for name in names[k:] + names[:k]:
            if name not in live:
                continue
            try:
                samples[name].append(_timed_rep(live[name], numbers[name], disable_gc))
            except Exception as exc:
                errors[name] = f"{type(exc).__name__}: {exc}"
                del live[name]
    timings = {n: Timing(samples[n], numbers[n]) for n in live if samples[n]}
    return timings, errors


CHILD_SCRIPT = Path(__file__).resolve().parent / "op_overhead.py"
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def time_chain_in_processes(
    names: Sequence[str],
    links: int,
    *,
    repeats: int,
    warmup: int = 1,
    threads: int = 1,
    stock_malloc: bool = False,
    disable_gc: bool = False,
) -> tuple[dict[str, Timing], dict[str, Timing], dict[str, str]]:
    """The chain workload (``links`` links, forward + backward) with every call in a fresh
    process that holds one engine only.

    Why: a full collection of the cyclic GC traverses every GC-tracked object of the
    process, and the 100,000-link chain triggers several; in one process with PyTorch
    loaded, chainrule's collections also walk torch's Python objects, which no chainrule
    user's process holds (PyTorch keeps its graph in C++ and pays nothing of the kind).
    Here each engine runs where it would run. Per repeat one child per engine,
    the order alternating (A B, B A, ...): ``op_overhead.py --child`` loads that engine,
    pins the threads, tunes the allocator as the parent does (unless ``stock_malloc``),
    runs ``warmup`` untimed calls (a fresh heap's first call pays its page faults),
    ``gc.collect()``, then times one call. Returns ({engine: wall-time Timing},
    {engine: CPU-time Timing}, {engine: error}).
    """
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, str] = {}
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, str(threads))}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            if name in errors:
                continue
            cmd = [sys.executable, str(CHILD_SCRIPT), "--child", name, "--length", str(links),
                   "--warmup", str(warmup), "--threads", str(threads)]
            cmd += ["--stock-malloc"] * stock_malloc + ["--disable-gc"] * disable_gc
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            lines = proc.stdout.strip().splitlines()
            if proc.returncode != 0 or not lines:
                tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                errors[name] = f"child process failed ({proc.returncode}): {tail}"
                continue
            got = json.loads(lines[-1])
            wall[name].append(got["wall"])
            cpu[name].append(got["cpu"])
    return ({n: Timing(v, 1) for n, v in wall.items() if v and n not in errors},
            {n: Timing(v, 1) for n, v in cpu.items() if v and n not in errors}, errors)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Target:
    """Pass when engine time / ``baseline`` time <= ``max_ratio``."""

    baseline: str
    max_ratio: float


@dataclass
class Result:
    """One (workload, engine) measurement. Times are seconds per call.

    ``per`` divides times for display (the per-op workloads show µs per op);
    ``series``/``size`` place the row on a scaling curve; ``targets`` apply
    to the chainrule row; ``error`` marks a failed or skipped engine.
    """

    workload: str
    engine: str
    median: float | None = None
    min: float | None = None
    max: float | None = None
    repeats: int = 0
    number: int = 0
    per: int = 1
    per_label: str = ""
    series: str | None = None
    size: float | None = None
    targets: tuple[Target, ...] = ()
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def results_from_timings(
    workload: str,
    timings: Mapping[str, Timing],
    errors: Mapping[str, str],
    **common: Any,
) -> list[Result]:
    """Result rows for one workload; ``common`` sets per/series/size/targets on every row."""
    rows = [
        Result(
            workload,
            name,
            median=t.median,
            min=min(t.samples),
            max=max(t.samples),
            repeats=len(t.samples),
            number=t.number,
            **common,
        )
        for name, t in timings.items()
    ]
    rows += [Result(workload, name, error=msg, **common) for name, msg in errors.items()]
    return rows


def _fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def _display(r: Result, s: float) -> str:
    return f"{_fmt_time(s / r.per)}{r.per_label}"


def ratio(results: Sequence[Result], r: Result, baseline: str) -> float | None:
    """r's median over the median of ``baseline`` on the same workload (None if absent)."""
    for b in results:
        if b.workload == r.workload and b.engine == baseline and b.median and r.median:
            return r.median / b.median
    return None


def target_verdicts(results: Sequence[Result], r: Result) -> dict[str, str]:
    """{baseline: 'PASS ≤1.10' / 'FAIL ≤1.10' / 'n/a ≤1.10'} for a chainrule row."""
    out: dict[str, str] = {}
    if r.engine != "chainrule":
        return out
    for t in r.targets:
        q = ratio(results, r, t.baseline)
        verdict = "n/a" if q is None else ("PASS" if q <= t.max_ratio else "FAIL")
        out[t.baseline] = f"{verdict} ≤{t.max_ratio:.2f}×"
    return out


def markdown_table(results: Sequence[Result]) -> str:
    """Markdown rows: workload, engine, median, min–max, ratios and target verdicts."""
    head = (
        "| workload | engine | median | min–max | ×NumPy | ×PyTorch "
        "| target vs NumPy | target vs PyTorch |\n"
        "|---|---|---:|---:|---:|---:|:---:|:---:|"
    )
    lines = [head]
    for r in results:
        eng = DISPLAY_NAMES.get(r.engine, r.engine)
        verdicts = target_verdicts(results, r)
        tn, tt = verdicts.get("numpy", ""), verdicts.get("torch", "")
        if r.median is None:
            lines.append(f"| {r.workload} | {eng} | — | {r.error} | | | {tn} | {tt} |")
            continue
        assert r.min is not None and r.max is not None
        rn, rt = ratio(results, r, "numpy"), ratio(results, r, "torch")
        lines.append(
            f"| {r.workload} | {eng} | {_display(r, r.median)} "
            f"| {_fmt_time(r.min / r.per)}–{_fmt_time(r.max / r.per)} "
            f"| {'—' if rn is None else f'{rn:.2f}×'} | {'—' if rt is None else f'{rt:.2f}×'} "
            f"| {tn} | {tt} |"
        )
    return "\n".join(lines)


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x. Returns (a, b, R²); R² near 1 means linear growth."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    r2 = 1.0 - ss_res / ss_tot if ss_tot else 1.0
    return a, b, r2


def scaling_table(results: Sequence[Result]) -> str:
    """Per (series, engine): the medians along the curve and a linear fit time ≈ a + b·size."""
    series = sorted({r.series for r in results if r.series and r.median is not None})
    if not series:
        return ""
    lines = [
        "| series | engine | median per size | fixed cost a | per-unit cost b | R² |",
        "|---|---|---|---:|---:|---:|",
    ]
    for s in series:
        for eng in dict.fromkeys(r.engine for r in results if r.series == s):
            pts = sorted(
                (r.size, r.median)
                for r in results
                if r.series == s and r.engine == eng and r.median is not None and r.size is not None
            )
            if len(pts) < 2:
                continue
            a, b, r2 = linear_fit([p[0] for p in pts], [p[1] for p in pts])
            curve = ", ".join(f"{p[0]:g}: {_fmt_time(p[1])}" for p in pts)
            lines.append(
                f"| {s} | {DISPLAY_NAMES.get(eng, eng)} | {curve} "
                f"| {_fmt_time(abs(a)) if a >= 0 else '-' + _fmt_time(-a)} "
                f"| {_fmt_time(b)} | {r2:.4f} |"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- outputs


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def dump_json(
    path: Path, meta: Mapping[str, Any], results: Sequence[Result], memory: Sequence[Any] = ()
) -> None:
    """Write {"meta": ..., "results": [...], "memory": [...]} to ``path`` (dirs created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": dict(meta),
        "results": [
            {
                **asdict(r),
                "ratio_numpy": ratio(results, r, "numpy"),
                "ratio_torch": ratio(results, r, "torch"),
                "targets": [asdict(t) for t in r.targets],
                "verdicts": target_verdicts(results, r),
            }
            for r in results
        ],
        "memory": [asdict(m) for m in memory],
    }
    path.write_text(json.dumps(_jsonable(payload), indent=2, ensure_ascii=False) + "\n")


def plot_ratios(path: Path, results: Sequence[Result]) -> str:
    """Bar chart (log scale) of every engine's ratio to NumPy and to PyTorch, per workload.

    Returns a status line; matplotlib missing is a message, not an error.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: never needs a display
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return "matplotlib not installed; skipping the PNG chart"
    workloads = list(dict.fromkeys(r.workload for r in results if r.median is not None))
    engines = list(dict.fromkeys(r.engine for r in results if r.median is not None))
    if not workloads:
        return "nothing measured; no chart"
    fig, axes = plt.subplots(2, 1, figsize=(max(8.0, 0.9 * len(workloads) + 3), 9), sharex=True)
    width = 0.8 / max(len(engines), 1)
    for ax, baseline in zip(axes, ("numpy", "torch")):
        for i, eng in enumerate(engines):
            vals = []
            for w in workloads:
                row = next((r for r in results if r.workload == w and r.engine == eng), None)
                q = ratio(results, row, baseline) if row is not None else None
                vals.append(q if q is not None else float("nan"))
            xs = [j + (i - (len(engines) - 1) / 2) * width for j in range(len(workloads))]
            ax.bar(xs, vals, width, label=DISPLAY_NAMES.get(eng, eng))
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_ylabel(f"time / {DISPLAY_NAMES[baseline]} (log)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(axis="y", which="both", alpha=0.3)
        ratio_fmt = FuncFormatter(lambda v, _pos: f"{v:g}×")
        ax.yaxis.set_major_formatter(ratio_fmt)
        ax.yaxis.set_minor_formatter(ratio_fmt)
    axes[-1].set_xticks(range(len(workloads)))
    axes[-1].set_xticklabels(workloads, rotation=35, ha="right", fontsize=8)
    axes[0].set_title("chainrule benchmarks: ratio of median step time (lower is faster)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")  # keeps the outside legend
    plt.close(fig)
    return f"chart written to {path}"
