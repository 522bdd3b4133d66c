"""The benchmark networks in PyTorch eager mode (CPU), the mature-engine yardstick.

Importing this module imports torch, so only ``benchmarks.engines`` (behind a
try/except) and the gradient check import it; nothing outside ``benchmarks/``
ever does. Weights come in as the NumPy parameter lists of ``numpy_ref`` (same
order, same PyTorch layout) and are copied into ``nn.Linear``/``nn.Conv2d``, so
all engines start from identical weights and do identical arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

Params = list[np.ndarray]


def build_mlp(sizes: Sequence[int]) -> nn.Sequential:
    """Linear-Tanh-...-Linear (logits out) for ``sizes`` = [in, hidden..., out]."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def build_cnn() -> nn.Sequential:
    """SimpleCNN, input (N, 3, 32, 32) -> logits (N, 10); 268,650 parameters."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2048, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def load_params(model: nn.Module, params: Sequence[np.ndarray]) -> nn.Module:
    """Copy ``params`` (registration order) into ``model``; dtype follows the arrays."""
    model_params = list(model.parameters())
    if len(model_params) != len(params):
        raise ValueError(f"model has {len(model_params)} parameters, got {len(params)} arrays")
    model.to(torch.from_numpy(np.asarray(params[0])).dtype)
    with torch.no_grad():
        for p, arr in zip(model_params, params):
            if tuple(p.shape) != arr.shape:
                raise ValueError(f"shape mismatch {tuple(p.shape)} vs {arr.shape}")
            p.copy_(torch.from_numpy(np.ascontiguousarray(arr)))
    return model


def _model(net: str, params: Sequence[np.ndarray]) -> nn.Module:
    if net == "cnn":
        return load_params(build_cnn(), params)
    sizes = [params[0].shape[1]] + [w.shape[0] for w in params[0::2]]
    return load_params(build_mlp(sizes), params)


class TorchEngine:
    """Benchmark adapter for PyTorch eager: nn.Sequential + F.cross_entropy + optim.SGD."""

    name = "torch"

    def version(self) -> str:
        """torch version string."""
        return torch.__version__

    def _step(self, net: str, params: Params, x: np.ndarray, y: np.ndarray, lr: float):
        model = _model(net, params)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        # from_numpy shares memory; the batch is converted once, outside the timed step,
        # exactly as for chainrule (a data loader would hand over tensors).
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def step() -> torch.Tensor:
            opt.zero_grad()
            loss = F.cross_entropy(model(xt), yt)
            loss.backward()
            opt.step()
            return loss

        return step

    def mlp_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one MLP SGD step; x (m, in), y (m,)."""
        return self._step("mlp", params, x, y, lr)

    def cnn_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one SimpleCNN SGD step; x (N, 3, 32, 32), y (N,)."""
        return self._step("cnn", params, x, y, lr)

    def chain(self, x0: np.ndarray, n_links: int, backward: bool) -> Callable[[], object]:
        """x <- (x * 1.01 + 0.01).tanh() n_links times on a leaf that requires grad.

        The forward-only variant still records the graph (the leaf requires grad):
        that recording is the per-op overhead a training forward pays.
        """
        src = torch.from_numpy(x0.copy())

        def run() -> torch.Tensor:
            leaf = src.clone().requires_grad_(True)
            x = leaf
            for _ in range(n_links):
                x = (x * 1.01 + 0.01).tanh()
            if backward:
                x.sum().backward()
                return leaf.grad
            return x

        return run

    def loss_and_grads(
        self, net: str, params: Params, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, Params]:
        """Loss and parameter gradients via autograd, as NumPy arrays (no update)."""
        model = _model(net, params)
        loss = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        return float(loss.detach()), [p.grad.numpy().copy() for p in model.parameters()]
