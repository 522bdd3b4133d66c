"""Scratch benchmark for ``autograd.functional`` against ``torch.autograd.functional``.

Times, side by side on the same float64 inputs and one BLAS thread:

* ``jacobian`` of softmax, n = 10 and n = 100 (n backward passes: one per output);
* ``hessian`` of a small MLP's loss (2→16→1 tanh, all 65 parameters as one flat vector,
  so a 65×65 Hessian: one create_graph backward, then 65 backward passes through it);
* ``hvp`` on the same loss (three backward passes);
* the forward-mode ``jacobian`` (double-vjp trick, one pass per input) of softmax n = 100.

Medians of ``--repeats`` timed repeats, each the mean of a calibrated number of calls.
torch is optional: without it its column reads "-". Run:
``python -m benchmarks.functional`` (from the repository root).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402
from autograd import functional as AF  # noqa: E402

try:
    import torch
    from torch.autograd import functional as TF
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is optional
    torch = None


def median_time(fn: Callable[[], object], repeats: int, target_s: float = 0.05) -> float:
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int(target_s / one))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def mlp_loss_factory(lib, X: np.ndarray, y: np.ndarray, sizes=(2, 16, 1)):
    """loss(θ) of a tanh MLP whose parameters are the flat vector θ (as lib's tensors)."""
    T = (lambda a: ag.tensor(a)) if lib == "ag" else (lambda a: torch.tensor(a))
    Xt, yt = T(X), T(y)
    shapes = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        shapes += [(o, i), (o,)]

    def loss(theta):
        k, h = 0, Xt
        for layer in range(len(sizes) - 1):
            (o, i), _ = shapes[2 * layer], shapes[2 * layer + 1]
            W = theta[k:k + o * i].reshape(o, i)
            k += o * i
            b = theta[k:k + o]
            k += o
            h = h @ W.T + b
            if layer < len(sizes) - 2:
                h = h.tanh()
        return ((h.reshape(-1) - yt) ** 2).mean()

    n_params = sum(int(np.prod(s)) for s in shapes)
    return loss, n_params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []

    def ag_softmax(u):
        return ag.softmax(u, 0)

    def torch_softmax(u):
        return torch.softmax(u, 0)

    for n in (10, 100):
        z = rng.standard_normal(n)
        rows.append((f"jacobian softmax n={n}",
                     lambda z=z: AF.jacobian(ag_softmax, ag.tensor(z)),
                     (lambda z=z: TF.jacobian(torch_softmax, torch.tensor(z)))
                     if torch else None))
    z = rng.standard_normal(100)
    rows.append(("jacobian softmax n=100 forward-mode",
                 lambda: AF.jacobian(ag_softmax, ag.tensor(z),
                                     vectorize=True, strategy="forward-mode"),
                 (lambda: TF.jacobian(torch_softmax, torch.tensor(z),
                                      vectorize=True, strategy="forward-mode"))
                 if torch else None))

    X = rng.standard_normal((64, 2))
    y = np.sin(X[:, 0]) * X[:, 1]
    loss_ag, n_params = mlp_loss_factory("ag", X, y)
    theta = rng.standard_normal(n_params) * 0.5
    v = rng.standard_normal(n_params)
    if torch:
        loss_t, _ = mlp_loss_factory("torch", X, y)
    rows.append((f"hessian MLP loss ({n_params} params)",
                 lambda: AF.hessian(loss_ag, ag.tensor(theta)),
                 (lambda: TF.hessian(loss_t, torch.tensor(theta))) if torch else None))
    rows.append((f"hvp MLP loss ({n_params} params)",
                 lambda: AF.hvp(loss_ag, ag.tensor(theta), ag.tensor(v)),
                 (lambda: TF.hvp(loss_t, torch.tensor(theta), torch.tensor(v)))
                 if torch else None))

    # the two engines must agree before their times mean anything
    if torch:
        for name, a, t in rows:
            ra, rt = a(), t()
            ra = ra[1] if isinstance(ra, tuple) else ra
            rt = rt[1] if isinstance(rt, tuple) else rt
            np.testing.assert_allclose(ra.numpy(), rt.detach().numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=name)

    print(f"{'case':42s} {'chainrule':>12s} {'torch':>12s} {'ratio':>7s}")
    for name, a, t in rows:
        ta = median_time(a, args.repeats)
        tt = median_time(t, args.repeats) if t else None
        ratio = f"{ta / tt:6.2f}x" if tt else "-"
        tts = f"{tt * 1e3:9.3f} ms" if tt else "-"
        print(f"{name:42s} {ta * 1e3:9.3f} ms {tts:>12s} {ratio:>7s}")


if __name__ == "__main__":
    main()
