"""The one GPU check of issue 14: run on a machine with an NVIDIA GPU, CuPy and (for the
timings) PyTorch with CUDA. A few minutes; prints a Markdown report for
``benchmarks/README.md`` (and writes it to ``--out``).

1. The op registry (autograd's and nn's cases) on CuPy in float64: every case's first and
   second derivatives on the GPU equal the CPU's (the CPU's are checked against finite
   differences by the test suite), and ``gradcheck``/``gradgradcheck`` pass on the GPU for
   every case; the cases holding a host constant raise torch's same-device error.
2. The digits MLP and CNN train 50 steps on CPU and GPU from the same weights on the same
   batches: the losses agree to 1e-10 (relative) in float64 and to 1e-4 in float32
   (different summation orders in cuBLAS/cuDNN-free CuPy kernels and OpenBLAS).
3. Host synchronisations per training step: the step runs under
   ``cupyx.allow_synchronize(False)`` (CuPy raises on any device-to-host wait) but for
   cross-entropy's label range check (one read, kept for torch's out-of-range error), the
   loss is read after it: "the label check only" when nothing raises, else the first
   place that waits.
4. Step times (forward, backward, SGD step) on the GPU: MLP 784-256-128-10 at batch 1024
   and SimpleCNN (1x28x28) at batch 256, against PyTorch CUDA on the same card, medians
   of ``--repeats`` after warm-up, each timed between two device synchronisations.

    python benchmarks/gpu_check.py [--steps 50] [--repeats 30] [--out gpu_check.md]
    python benchmarks/gpu_check.py --device double   # dry run of 1 and 2 on the CPU
                                                     # (the test-only device double)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import traceback
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import optim  # noqa: E402
from autograd.ops.cases import CASES  # noqa: E402


def _sync() -> None:
    ag.cuda.synchronize()


# -- 1. the registry ----------------------------------------------------------------------
def _host_constant_raises(case: Any, device: str) -> None:
    inputs = [t.detach().to(device).requires_grad_(True) for t in case.inputs()]
    try:
        case.fn(*inputs)
    except RuntimeError as err:
        if "same device" in str(err):
            return
        raise
    raise AssertionError("a host constant met a device input without torch's error")


def _case_on_device(case: Any, device: str) -> None:
    """The case's values and gradients on ``device`` equal the CPU's; gradcheck and
    gradgradcheck pass there. A layer case's module goes there too (its buffers)."""
    from tests.autograd.test_device_double import _grads, _host

    on_cpu = _grads(case, "cpu")
    module = getattr(case.fn, "module", None)
    ag.set_default_device(device)
    try:
        if module is not None:
            module.to(device)
        on_dev = _grads(case, device)
        inputs = [t.detach().to(device).requires_grad_(True) for t in case.inputs()]
        ag.gradcheck(case.fn, inputs, atol=case.atol, rtol=case.rtol)
        if case.second_order:
            ag.gradgradcheck(case.fn, inputs, atol=case.atol, rtol=case.rtol)
    finally:
        ag.set_default_device(None)
        if module is not None:
            module.cpu()
    for a, b in zip(on_cpu, on_dev, strict=True):
        if (a is None) != (b is None):
            raise AssertionError("a gradient is None on one device only")
        if a is not None:
            np.testing.assert_allclose(_host(b), _host(a), rtol=1e-9, atol=1e-11)


def registry_on_gpu(lines: list[str], device: str = "cuda") -> None:
    import nn.cases  # noqa: F401 - registers the nn cases
    from tests.autograd.test_device_double import HOST_CONSTANT

    ok, raised, failed = 0, 0, []
    t0 = time.perf_counter()
    for case in CASES:
        try:
            if case.id in HOST_CONSTANT:
                _host_constant_raises(case, device)
                raised += 1
            else:
                _case_on_device(case, device)
                ok += 1
        except Exception as err:  # noqa: BLE001 - every failure is reported by case
            failed.append(f"{case.id}: {type(err).__name__}: {str(err).splitlines()[0][:120]}")
    lines += [f"## Op registry on {device} (float64, first and second order)", "",
              f"{ok} cases equal to the CPU's and pass gradcheck/gradgradcheck on {device}, "
              f"{raised} host-constant cases raise torch's same-device error, "
              f"{len(failed)} fail ({time.perf_counter() - t0:.0f} s).", ""]
    lines += [f"- {f}" for f in failed] + ([""] if failed else [])


# -- 2. and 3. digits training, CPU against GPU --------------------------------------------
def _digits(dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    from nn.datasets import load_digits

    split = load_digits()
    x = np.asarray(split.x_train, dtype=dtype)
    return x, np.asarray(split.y_train, dtype=np.int64)


def _model(kind: str) -> Any:
    return nn.MLP([64, 128, 64, 10], activation=nn.ReLU) if kind == "mlp" \
        else nn.SimpleCNN(1, 10, 8)


def _train(kind: str, device: str, dtype: Any, state: dict, steps: int, batch: int = 64
           ) -> list[float]:
    x, y = _digits(dtype)
    if kind == "cnn":
        x = x.reshape(-1, 1, 8, 8)
    else:
        x = x.reshape(len(x), -1)
    model = _model(kind)
    model.load_state_dict(state)
    model.to(device, dtype)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for s in range(steps):
        lo = (s * batch) % (len(x) - batch)
        xb = ag.tensor(x[lo:lo + batch], device=device)
        yb = ag.tensor(y[lo:lo + batch], device=device)
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def training_on_gpu(lines: list[str], steps: int, device: str = "cuda") -> None:
    lines += [f"## Digits, {steps} SGD steps on cpu and {device} from the same weights", "",
              "| model | dtype | max relative loss difference | tolerance | verdict |",
              "|---|---|---|---|---|"]
    for kind in ("mlp", "cnn"):
        ag.manual_seed(0)
        state = _model(kind).state_dict()
        for dtype, tol in ((np.float64, 1e-10), (np.float32, 1e-4)):
            cpu = np.array(_train(kind, "cpu", dtype, state, steps))
            gpu = np.array(_train(kind, device, dtype, state, steps))
            rel = float(np.max(np.abs(gpu - cpu) / np.abs(cpu)))
            lines.append(f"| {kind} | {np.dtype(dtype).name} | {rel:.2e} | {tol:g} | "
                         f"{'ok' if rel <= tol else 'FAIL'} |")
    lines.append("")


def syncs_per_step(lines: list[str]) -> None:
    import cupyx

    import nn.functional as nnf

    lines += ["## Host synchronisations per training step", ""]
    label_check, reads = nnf._class_targets, []

    def counted(*args: Any, **kwargs: Any) -> Any:  # the one read allowed inside a step
        reads.append(1)
        with cupyx.allow_synchronize(True):
            return label_check(*args, **kwargs)
    for kind, shape in (("mlp", (256, 784)), ("cnn", (64, 1, 28, 28))):
        model = (nn.MLP([784, 256, 128, 10], activation=nn.ReLU) if kind == "mlp"
                 else nn.SimpleCNN(1, 10, 28)).cuda()
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = ag.randn(*shape, device="cuda")
        y = ag.randint(0, 10, (shape[0],), device="cuda")
        for _ in range(2):  # warm-up: CuPy compiles its kernels on first use
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        _sync()
        reads.clear()
        nnf._class_targets = counted
        try:
            with cupyx.allow_synchronize(False):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
            loss.item()
            verdict = (f"{len(reads)} inside the step (cross-entropy's label range check); "
                       "the loss read after it (`loss.item()`)")
        except Exception:  # noqa: BLE001 - CuPy's DeviceSynchronized names the place
            where = traceback.format_exc().strip().splitlines()[-3:]
            verdict = ("more than the label check; first other wait at: "
                       + " / ".join(w.strip() for w in where))
        finally:
            nnf._class_targets = label_check
        lines.append(f"- {kind}: {verdict}")
    lines.append("")


# -- 4. step times against PyTorch CUDA ----------------------------------------------------
def _time(step: Any, repeats: int) -> float:
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _chainrule_step(kind: str, batch: int) -> Any:
    model = (nn.MLP([784, 256, 128, 10], activation=nn.ReLU) if kind == "mlp"
             else nn.SimpleCNN(1, 10, 28)).cuda()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    shape = (batch, 784) if kind == "mlp" else (batch, 1, 28, 28)
    x, y = ag.randn(*shape, device="cuda"), ag.randint(0, 10, (batch,), device="cuda")

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        _sync()
    return step


def _torch_step(kind: str, batch: int) -> Any:
    import torch

    tnn = torch.nn
    if kind == "mlp":
        model = tnn.Sequential(tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128),
                               tnn.ReLU(), tnn.Linear(128, 10))
        x = torch.randn(batch, 784)
    else:
        model = tnn.Sequential(
            tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
            tnn.Linear(32 * 7 * 7, 128), tnn.ReLU(), tnn.Linear(128, 10))
        x = torch.randn(batch, 1, 28, 28)
    model, x = model.cuda(), x.cuda()
    y = torch.randint(0, 10, (batch,), device="cuda")
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        torch.cuda.synchronize()
    return step


def timings(lines: list[str], repeats: int) -> None:
    import cupy

    name = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    lines += [f"## Step times on {name} (median of {repeats}, ms)", "",
              "| workload | chainrule (CuPy) | PyTorch CUDA | chainrule ÷ PyTorch |",
              "|---|---|---|---|"]
    for kind, batch in (("mlp", 1024), ("cnn", 256)):
        ours = _time(_chainrule_step(kind, batch), repeats)
        try:
            theirs = _time(_torch_step(kind, batch), repeats)
            ratio = f"{ours / theirs:.1f}x"
            theirs_s = f"{theirs:.2f}"
        except Exception as err:  # noqa: BLE001 - PyTorch is optional
            theirs_s, ratio = f"n/a ({type(err).__name__})", "—"
        label = "MLP 784-256-128-10, batch 1024" if kind == "mlp" else "SimpleCNN, batch 256"
        lines.append(f"| {label} | {ours:.2f} | {theirs_s} | {ratio} |")
    lines.append("")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--out", default=None, help="also write the report to this file")
    p.add_argument("--skip-registry", action="store_true")
    p.add_argument("--device", default="cuda", choices=("cuda", "double"),
                   help="double: a dry run of the registry and training parts on the CPU "
                        "through the test-only device double (no CuPy needed)")
    args = p.parse_args(argv)
    if args.device == "double":
        from tests import devicedouble

        devicedouble.register()
        lines = ["# chainrule on the device double (benchmarks/gpu_check.py --device double)", ""]
        parts = [lambda: training_on_gpu(lines, args.steps, "double")]
        if not args.skip_registry:
            parts.append(lambda: registry_on_gpu(lines, "double"))
        return _report(lines, parts, args.out)
    if not ag.cuda.is_available():
        print("no GPU: CuPy is missing or sees no device (pip install 'chainrule[cuda]')")
        return 2
    lines = ["# chainrule on the GPU (benchmarks/gpu_check.py)", ""]
    parts = [lambda: timings(lines, args.repeats), lambda: syncs_per_step(lines),
             lambda: training_on_gpu(lines, args.steps)]
    if not args.skip_registry:
        parts.append(lambda: registry_on_gpu(lines))
    return _report(lines, parts, args.out)


def _report(lines: list[str], parts: list, out: str | None) -> int:
    """Run the parts in order, printing (and writing to ``out``) the report as it grows."""
    printed = 0
    for part in parts:  # the cheapest figures first: a time limit still leaves them
        try:
            part()
        except Exception:  # noqa: BLE001 - report and go on to the next part
            lines += ["```", traceback.format_exc().strip(), "```", ""]
        print("\n".join(lines[printed:]), flush=True)
        printed = len(lines)
        if out:
            with open(out, "w") as f:
                f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
