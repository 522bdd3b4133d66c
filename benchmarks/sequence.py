"""Sequence-model training steps, chainrule beside PyTorch CPU eager, same weights.

Two workloads, one training step each (forward, loss, backward, optimizer step):

* ``gru``: the MNIST-1D paper's GRU (bidirectional GRU(1, 6) over 40 steps, Linear(480,
  10)), cross-entropy, Adam lr 1e-2, batch 100;
* ``gpt``: a nanoGPT-sized character transformer (vocab 65, block 64, 4 layers, 4 heads,
  128-dim, pre-LayerNorm blocks with causal self-attention and a tanh-GELU MLP),
  cross-entropy over all 64 positions, AdamW lr 1e-3, batch 12.

The chainrule models are ``nn.modules.seq_models``' classes; the torch twins have the same
parameter names, so the chainrule state_dict loads into them. One BLAS / torch thread
each; engines interleaved (order rotated every repeat) in one process; medians of the
per-step means, by wall clock and by CPU time (``time.process_time``: the fairer clock
on a shared machine). Run: ``python -m benchmarks.sequence [--repeats N] [--only gru,gpt]
[--stock-malloc]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from benchmarks.harness import tune_malloc  # noqa: E402
from nn import functional as F  # noqa: E402
from nn.modules.seq_models import MNIST1DGRU, CharTransformer  # noqa: E402


def _chainrule_gru(x: np.ndarray, y: np.ndarray) -> tuple[Callable, dict]:
    ag.manual_seed(0)
    model = MNIST1DGRU()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = ag.tensor(x), ag.tensor(y)

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(xt), yt).backward()
        opt.step()

    return step, model.state_dict()


def _chainrule_gpt(x: np.ndarray, y: np.ndarray) -> tuple[Callable, dict]:
    ag.manual_seed(0)
    model = CharTransformer(65, 64, n_layer=4, n_head=4, n_embd=128)
    opt = optim.AdamW(model.parameters(), lr=1e-3)

    def step() -> None:
        opt.zero_grad()
        logits = model(x)
        F.cross_entropy(logits.reshape(-1, 65), y.reshape(-1)).backward()
        opt.step()

    return step, model.state_dict()


def _torch_models():  # noqa: ANN202 - torch is optional, imported here only
    import torch

    class GRU(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = torch.nn.GRU(1, 6, batch_first=True, bidirectional=True)
            self.linear = torch.nn.Linear(480, 10)

        def forward(self, x):  # noqa: ANN001, ANN202
            h, _ = self.gru(x.view(x.shape[0], -1, 1))
            return self.linear(h.reshape(h.shape[0], -1))

    class Block(torch.nn.Module):
        def __init__(self, d: int, h: int) -> None:
            super().__init__()
            self.ln_1 = torch.nn.LayerNorm(d)
            self.attn = torch.nn.MultiheadAttention(d, h, batch_first=True)
            self.ln_2 = torch.nn.LayerNorm(d)
            self.fc = torch.nn.Linear(d, 4 * d)
            self.proj = torch.nn.Linear(4 * d, d)

        def forward(self, x):  # noqa: ANN001, ANN202
            t = x.shape[1]
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
            h = self.ln_1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, is_causal=True, need_weights=False)[0]
            return x + self.proj(torch.nn.functional.gelu(self.fc(self.ln_2(x)),
                                                          approximate="tanh"))

    class GPT(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wte = torch.nn.Embedding(65, 128)
            self.wpe = torch.nn.Embedding(64, 128)
            self.blocks = torch.nn.ModuleList([Block(128, 4) for _ in range(4)])
            self.ln_f = torch.nn.LayerNorm(128)
            self.head = torch.nn.Linear(128, 65)

        def forward(self, idx):  # noqa: ANN001, ANN202
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for b in self.blocks:
                x = b(x)
            return self.head(self.ln_f(x))

    return torch, GRU, GPT


def _torch_step(kind: str, state: dict, x: np.ndarray, y: np.ndarray) -> Callable:
    torch, GRU, GPT = _torch_models()
    torch.set_num_threads(1)
    model = GRU() if kind == "gru" else GPT()
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if kind == "gru":
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)

        def loss():  # noqa: ANN202
            return torch.nn.functional.cross_entropy(model(xt), yt)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

        def loss():  # noqa: ANN202
            return torch.nn.functional.cross_entropy(model(xt).reshape(-1, 65), yt.reshape(-1))

    def step() -> None:
        opt.zero_grad()
        loss().backward()
        opt.step()

    return step


def _data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    if kind == "gru":
        return rng.standard_normal((100, 40)).astype(np.float32), rng.integers(0, 10, 100)
    tokens = rng.integers(0, 65, (12, 65))
    return tokens[:, :-1].copy(), tokens[:, 1:].copy()


def measure(kind: str, repeats: int, number: int) -> dict[str, dict[str, list[float]]]:
    """Per-step seconds (one mean per repeat) of each engine, interleaved: wall time and
    this process's CPU time (user + system: one thread each, so a loaded machine's time
    slicing does not count, page faults and cache misses do)."""
    x, y = _data(kind)
    ours, state = (_chainrule_gru if kind == "gru" else _chainrule_gpt)(x, y)
    steps = {"chainrule": ours}
    try:
        steps["torch"] = _torch_step(kind, state, x, y)
    except ImportError:
        print("note: torch not installed; chainrule only")
    for f in steps.values():  # warm-up
        for _ in range(3):
            f()
    times: dict[str, dict[str, list[float]]] = {c: {k: [] for k in steps} for c in CLOCKS}
    names = list(steps)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(number):
                steps[name]()
            times["wall"][name].append((time.perf_counter() - t0) / number)
            times["cpu"][name].append((time.process_time() - c0) / number)
    return times


CLOCKS = ("wall", "cpu")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--only", default="gru,gpt")
    p.add_argument("--stock-malloc", action="store_true",
                   help="leave glibc's allocator thresholds alone (default: tuned, as "
                        "benchmarks.run; see benchmarks/README.md, Method)")
    args = p.parse_args(argv)
    # before any workload allocates; process-wide, so both engines alike
    allocator = "allocator: stock glibc settings" if args.stock_malloc else tune_malloc()
    print(allocator, flush=True)
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=1)
    except ImportError:
        limiter = None
    rows = []
    for kind in args.only.split(","):
        by_clock = measure(kind, args.repeats, 20 if kind == "gru" else 5)
        for clock in CLOCKS:
            times = by_clock[clock]
            med = {k: statistics.median(v) for k, v in times.items()}
            ratio = med["chainrule"] / med["torch"] if "torch" in med else float("nan")
            rows.append((f"{kind} {clock}", med, ratio, times))
    print(f"{'workload':<10} {'chainrule ms':>13} {'torch ms':>10} {'× torch':>8}   "
          f"(medians of {args.repeats} interleaved repeats, 1 thread)")
    for label, med, ratio, times in rows:
        spread = " ".join(f"{k} [{min(v) * 1e3:.1f}, {max(v) * 1e3:.1f}]"
                          for k, v in times.items())
        ours, theirs = med["chainrule"] * 1e3, med.get("torch", float("nan")) * 1e3
        print(f"{label:<10} {ours:>13.2f} {theirs:>10.2f} {ratio:>8.2f}   min/max: {spread}")
    del limiter
    return 0


if __name__ == "__main__":
    sys.exit(main())
