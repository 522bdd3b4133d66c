"""What ``ag.viz.Monitor`` adds to a digits-MLP step, counted rather than timed: the
instructions, data-cache misses and instruction-cache misses of Valgrind's cachegrind,
which are the same from run to run (timings on a shared machine move by a few percent
between runs, the size of the differences worth finding; see ``benchmarks/monitor.py``).

The training loop of ``benchmarks/monitor.py`` (bare step: ``nn.MLP([64, 128, 64, 10])``,
tanh, batch 32, Adam, every step recorded) runs in child processes under ``valgrind
--tool=cachegrind --cache-sim=yes``, plain and watched, for two numbers of steps; the
difference between the two counts, divided by the steps between them, is what one step
costs, without the imports and the setup. ``PYTHONHASHSEED=0`` in the children: with
random string hashes the dicts' layouts move the counts by up to ~6% of the Monitor's.

Shown per step: the plain step's instructions, and for each watched variant the
instructions, first-level data-cache misses (D1) and instruction-cache misses (I1) it
adds, then the functions it adds most instructions to. The simulated caches are the
host's first level and last level. The time ratio is larger than all three (the Monitor:
+5.6% of the instructions, +7.0% of the D1 and +2.5% of the I1 misses, +8 to +10% of the
time, depending on the CPU): its instructions run slower than the training step's own,
cold after each step.

Needs ``valgrind`` (``apt-get install valgrind``); ~2 minutes a variant on 2 cores.
Run: ``python -m benchmarks.monitor_instructions [--against FILE] [--sample N]``.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(variant: str, steps: int, sample: int | None) -> None:
    """The training loop itself (run under cachegrind): ``benchmarks/monitor.py``'s."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import autograd as ag
    import nn
    from benchmarks.monitor import _monitor_class, block, digits_batches, setup
    from nn.datasets import load_digits

    monitor_class = {"plain": None, "monitor": ag.viz.Monitor}.get(variant)
    if monitor_class is None and variant != "plain":
        monitor_class = _monitor_class(variant)
    block(*setup(monitor_class, sample), nn.CrossEntropyLoss(),
          digits_batches(load_digits()), steps, 0)


def _counts(path: Path) -> tuple[list[str], dict[str, list[int]]]:
    """The events of a cachegrind output file and, per function, their counts (summed
    over its lines)."""
    lines = path.read_text().splitlines()
    events = next(line.split()[1:] for line in lines if line.startswith("events:"))
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0] * len(events))
    fn = "?"
    for line in lines:
        if line.startswith("fn="):
            fn = line[3:]
        elif line[:1].isdigit():
            acc = per[fn]
            for i, value in enumerate(line.split()[1:]):
                acc[i] += int(value)
    return events, per


def _per_step(short: tuple, long: tuple, steps: int) -> dict[str, dict[str, float]]:
    """Per function and event, (long - short) / steps."""
    events, a_counts = short
    _, b_counts = long
    zero = [0] * len(events)
    return {fn: {e: (b_counts.get(fn, zero)[i] - a_counts.get(fn, zero)[i]) / steps
                 for i, e in enumerate(events)}
            for fn in set(a_counts) | set(b_counts)}


def _total(per: dict[str, dict[str, float]], *events: str) -> float:
    return sum(v[e] for v in per.values() for e in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", metavar="FILE", default=None,
                        help="also count the Monitor of this monitor.py (another revision)")
    parser.add_argument("--sample", type=int, default=None, help="Monitor(sample=...)")
    parser.add_argument("--steps", default="64,320",
                        help="the two step counts whose difference is counted")
    parser.add_argument("--top", type=int, default=12, help="functions shown per variant")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "STEPS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]), args.sample)
        return
    if shutil.which("valgrind") is None:
        sys.exit("monitor_instructions: needs valgrind (apt-get install valgrind)")
    short, long = (int(n) for n in args.steps.split(","))
    variants = ["plain", "monitor"] + ([os.path.abspath(args.against)] if args.against else [])
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for v, variant in enumerate(variants):
            for steps in (short, long):
                out = Path(tmp) / f"cg.{v}.{steps}"
                cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=yes",
                       f"--cachegrind-out-file={out}", sys.executable, "-m",
                       "benchmarks.monitor_instructions", "--child", variant, str(steps)]
                if args.sample is not None:
                    cmd += ["--sample", str(args.sample)]
                jobs.append((v, steps, out, cmd))
        width = os.cpu_count() or 1
        for i in range(0, len(jobs), width):  # as many children at once as cores
            running = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE) for *_, cmd in jobs[i:i + width]]
            for p in running:
                _, err = p.communicate()
                if p.returncode:
                    sys.exit(f"monitor_instructions: a child failed:\n{err.decode()[-2000:]}")
        counts = {(v, steps): _counts(out) for v, steps, out, _ in jobs}
    per = [_per_step(counts[v, short], counts[v, long], long - short)
           for v in range(len(variants))]
    plain = per[0]
    print(f"digits MLP 64-128-64-10 (tanh), batch 32, Adam, every step recorded; cachegrind, "
          f"per step (steps {short} to {long})")
    print(f"  plain step: {_total(plain, 'Ir'):,.0f} instructions, "
          f"{_total(plain, 'D1mr', 'D1mw'):,.0f} D1 misses, {_total(plain, 'I1mr'):,.0f} I1 misses")
    for name, watched in zip(variants[1:], per[1:]):
        extra = {fn: {e: watched.get(fn, {}).get(e, 0.0) - plain.get(fn, {}).get(e, 0.0)
                      for e in ("Ir", "D1mr", "D1mw", "I1mr")}
                 for fn in set(watched) | set(plain)}
        ir = _total(extra, "Ir")
        print(f"\n  {os.path.basename(name)}: +{ir:,.0f} instructions "
              f"(+{100 * ir / _total(plain, 'Ir'):.1f}%), "
              f"+{_total(extra, 'D1mr', 'D1mw'):,.0f} D1 misses, "
              f"+{_total(extra, 'I1mr'):,.0f} I1 misses")
        print(f"  {'instructions':>14} {'D1 misses':>10} {'I1 misses':>10}  function")
        for fn, e in sorted(extra.items(), key=lambda kv: -abs(kv[1]["Ir"]))[:args.top]:
            print(f"  {e['Ir']:14,.0f} {e['D1mr'] + e['D1mw']:10,.0f} {e['I1mr']:10,.0f}  "
                  f"{fn.split(':')[-1][:60]}")


if __name__ == "__main__":
    main()
