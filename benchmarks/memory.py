"""Peak memory of 50 training steps, one child process per (engine, network, mode).

A fresh process per measurement is the only way to get a clean high-water mark:
``ru_maxrss`` never goes down, and one engine's freed-but-cached memory would
otherwise be charged to the next. Two modes, each its own child:

* ``rss``: resident set size. Baseline = current RSS after imports, model and
  batch are built; peak = the process high-water mark (``VmHWM``; see
  ``peak_rss`` for why not ``ru_maxrss`` alone); the training increment is
  peak - baseline. Sees everything (torch's allocator included).
* ``trace``: ``tracemalloc``, started right after setup. NumPy reports its
  array buffers to tracemalloc, so for NumPy-based engines (hand NumPy and
  chainrule) this is an exact byte count of the step's working memory, free of
  allocator and page noise. Not run for torch, whose tensors it cannot see.
  A separate child because tracemalloc's own bookkeeping would inflate RSS.

Which figure is compared (the README's "peak memory" row and the ≤ 1.1× target):
the traced peak, the step's working memory. It is what an engine's design decides
(saved activations, gradient buffers, the optimizer's temporaries), it is exact, and
it scales with the model and the batch. The peak RSS is reported beside it with its
own ratio, but not held to the target: on top of the same working memory it carries
constants that a hand-written script does not have, so on the small MLP it measures
mostly the library's size, not the step. Measured for the MLP child (2026-12-07):
``import autograd, nn, optim`` adds 3.8 MB RSS (~100 modules, 3.1 MB of Python
objects; 7.0 MB before the viz, data, save/load and scheduler modules were made
lazy), and building ``nn.MLP`` (torch's random init, drawn in float64, then replaced
by ``load_state_dict``) leaves 2.3 MB in the allocator, partly reused by the steps.

Growth: after step 10 and after the last step, ``gc.collect()`` then read the
current RSS / traced bytes; a difference means memory is retained per step.

``python -m benchmarks.memory`` measures every (network, engine) and prints the
table; ``python -m benchmarks.memory --engine numpy --net mlp --mode rss`` measures
one case in this process (a JSON line; the children run that).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parent.parent
FLAT_TRACE_MB = 1.0  # exact byte counts: more than 1 MiB retained over 40 steps is a leak
FLAT_RSS_MB = 4.0  # RSS moves by allocator arenas and pages, so allow some slack
MAX_MEM_RATIO = 1.1  # on the traced peak (see the module docstring)


# --------------------------------------------------------------------------- child side


def current_rss() -> int:
    """Current resident set size in bytes (Linux /proc; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss()


def peak_rss() -> int:
    """This process's high-water RSS in bytes.

    Linux: ``VmHWM`` from /proc/self/status. ``ru_maxrss`` is not usable there
    for a child: the kernel carries the parent's high-water mark across
    fork+exec, so every child of a parent that had loaded torch reported the
    parent's ~650 MB. ``ru_maxrss`` (KiB on Linux, bytes on macOS) stays as the
    fallback and is recorded in the JSON as ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return ru_maxrss()


def ru_maxrss() -> int:
    """getrusage(RUSAGE_SELF).ru_maxrss in bytes (KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _make_step(engine_name: str, net: str) -> Callable[[], object]:
    from benchmarks import numpy_ref
    from benchmarks.engines import load_engine

    engine = load_engine(engine_name)
    if net == "mlp":
        params = numpy_ref.init_mlp(numpy_ref.MLP_SIZES)
        x, y = numpy_ref.make_batch((128, 784))
        return engine.mlp_step(params, x, y, 0.01)
    params = numpy_ref.init_cnn()
    x, y = numpy_ref.make_batch((64, 3, 32, 32))
    return engine.cnn_step(params, x, y, 0.01)


def measure(engine_name: str, net: str, steps: int, mode: str, threads: int) -> dict:
    """Run ``steps`` training steps in this process and return the memory figures (bytes)."""
    import tracemalloc

    from benchmarks.harness import pin_threads

    step = _make_step(engine_name, net)
    _limiter = pin_threads(threads)  # noqa: F841  (kept alive: the limit lasts while it lives)
    gc.collect()
    if mode == "trace":
        tracemalloc.start()
    base = current_rss()
    marks: dict[int, tuple[int, int]] = {}
    check_at = {min(10, steps), steps}
    for i in range(1, steps + 1):
        step()
        if i in check_at:
            gc.collect()
            traced = tracemalloc.get_traced_memory()[0] if mode == "trace" else 0
            marks[i] = (current_rss(), traced)
    out = {
        "base_rss": base,
        "peak_rss": peak_rss(),
        "ru_maxrss": ru_maxrss(),
        "rss_early": marks[min(10, steps)][0],
        "rss_late": marks[steps][0],
    }
    if mode == "trace":
        out["trace_peak"] = tracemalloc.get_traced_memory()[1]
        out["trace_early"] = marks[min(10, steps)][1]
        out["trace_late"] = marks[steps][1]
        tracemalloc.stop()
    return out


def _child_main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="peak memory of training steps: without --engine, every (network, "
        "engine) in its own child process and the table; with it, one measurement (JSON)")
    ap.add_argument("--engine", help="measure this engine in this process (a child's job)")
    ap.add_argument("--engines", default="numpy,torch,chainrule",
                    help="comma list for the table (default numpy,torch,chainrule)")
    ap.add_argument("--net", choices=("mlp", "cnn"), default="mlp")
    ap.add_argument("--nets", default="mlp,cnn", help="comma list for the table")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--mode", choices=("rss", "trace"), default="rss")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    if a.engine:
        print(json.dumps(measure(a.engine, a.net, a.steps, a.mode, a.threads)))
        return
    results = measure_all(a.engines.split(","), a.nets.split(","), a.steps, a.threads)
    print(memory_table(results))


# --------------------------------------------------------------------------- parent side


@dataclass
class MemoryResult:
    """Memory of ``steps`` training steps of ``net`` for one engine, in MiB."""

    workload: str
    engine: str
    steps: int
    peak_rss_mb: float | None = None
    ru_maxrss_mb: float | None = None  # as the kernel reports it (inherits the parent's peak)
    train_rss_mb: float | None = None  # peak RSS - RSS after setup
    rss_growth_mb: float | None = None  # RSS after last step - after step 10
    trace_peak_mb: float | None = None  # tracemalloc peak during training (NumPy buffers)
    trace_growth_mb: float | None = None
    error: str = ""

    @property
    def working_mb(self) -> float | None:
        """The figure compared across engines: tracemalloc peak if known, else RSS increment."""
        return self.trace_peak_mb if self.trace_peak_mb is not None else self.train_rss_mb

    @property
    def flat(self) -> bool | None:
        """True when nothing is retained from step 10 to the last step."""
        if self.trace_growth_mb is not None:
            return self.trace_growth_mb <= FLAT_TRACE_MB
        if self.rss_growth_mb is not None:
            return self.rss_growth_mb <= FLAT_RSS_MB
        return None


def _run_child(
    engine: str, net: str, steps: int, mode: str, threads: int, env: dict[str, str]
) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "--engine",
        engine,
        "--net",
        net,
        "--steps",
        str(steps),
        "--mode",
        mode,
        "--threads",
        str(threads),
    ]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise RuntimeError(f"child exited {proc.returncode}: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_all(
    engines: Sequence[str], nets: Sequence[str], steps: int, threads: int
) -> list[MemoryResult]:
    """One rss child per (net, engine), plus one trace child for NumPy-based engines."""
    env = dict(os.environ)
    # the child must find this checkout's packages whatever the caller's cwd was
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    out: list[MemoryResult] = []
    for net in nets:
        label = f"{'MLP' if net == 'mlp' else 'SimpleCNN'} {steps} steps"
        for eng in engines:
            res = MemoryResult(label, eng, steps)
            try:
                rss = _run_child(eng, net, steps, "rss", threads, env)
                res.peak_rss_mb = rss["peak_rss"] / MiB
                res.ru_maxrss_mb = rss["ru_maxrss"] / MiB
                res.train_rss_mb = max(rss["peak_rss"] - rss["base_rss"], 0) / MiB
                res.rss_growth_mb = (rss["rss_late"] - rss["rss_early"]) / MiB
                if eng != "torch":
                    tr = _run_child(eng, net, steps, "trace", threads, env)
                    res.trace_peak_mb = tr["trace_peak"] / MiB
                    res.trace_growth_mb = (tr["trace_late"] - tr["trace_early"]) / MiB
            except (
                RuntimeError,
                subprocess.TimeoutExpired,
                json.JSONDecodeError,
                KeyError,
                IndexError,
            ) as exc:
                res.error = str(exc)
            out.append(res)
    return out


def memory_table(results: Sequence[MemoryResult]) -> str:
    """Markdown: peak RSS and its ratio, training increment, traced peak, growth, the
    working-memory ratio (traced peaks; training ΔRSS for an engine without one) and
    the targets, which apply to the working-memory ratio."""
    from benchmarks.engines import DISPLAY_NAMES

    def f(v: float | None, signed: bool = False) -> str:
        if v is None:
            return "—"
        return f"{v:+.1f} MB" if signed else f"{v:.1f} MB"

    def ratio(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}×"

    lines = [
        "| workload | engine | peak RSS | ×NumPy | training ΔRSS "
        "| NumPy-side peak (tracemalloc) | growth step 10→last | ×NumPy "
        f"| target ≤{MAX_MEM_RATIO}× NumPy | target flat |",
        "|---|---|---:|---:|---:|---:|---:|---:|:---:|:---:|",
    ]
    for r in results:
        eng = DISPLAY_NAMES.get(r.engine, r.engine)
        if r.error:
            lines.append(f"| {r.workload} | {eng} | — | | {r.error} | | | | | |")
            continue
        base = next(
            (
                b
                for b in results
                if b.workload == r.workload and b.engine == "numpy" and not b.error
            ),
            None,
        )
        q = q_rss = None
        if base is not None and r.peak_rss_mb is not None and base.peak_rss_mb:
            q_rss = r.peak_rss_mb / base.peak_rss_mb
        if base is not None and r.working_mb is not None and base.working_mb:
            # compare like with like: traced bytes when both have them, else RSS increments
            if (r.trace_peak_mb is None) == (base.trace_peak_mb is None):
                q = r.working_mb / base.working_mb
            elif base.train_rss_mb and r.train_rss_mb is not None:
                q = r.train_rss_mb / base.train_rss_mb
        growth = r.trace_growth_mb if r.trace_growth_mb is not None else r.rss_growth_mb
        growth_txt = f"{f(growth, signed=True)} ({'flat' if r.flat else 'GROWS'})"
        t_ratio = t_flat = ""
        if r.engine == "chainrule":
            t_ratio = "n/a" if q is None else ("PASS" if q <= MAX_MEM_RATIO else "FAIL")
            t_flat = "PASS" if r.flat else "FAIL"
        lines.append(
            f"| {r.workload} | {eng} | {f(r.peak_rss_mb)} | {ratio(q_rss)} "
            f"| {f(r.train_rss_mb)} | {f(r.trace_peak_mb)} | {growth_txt} | {ratio(q)} "
            f"| {t_ratio} | {t_flat} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    _child_main()
