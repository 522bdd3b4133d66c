"""The benchmark networks in chainrule, written only against its public API.

The API used (PyTorch-style): ``autograd.tensor``, ``Tensor.backward/.sum/.tanh``,
``.numpy()``/``.item()`` and ``.grad`` (Tensor); ``nn.MLP``, ``nn.SimpleCNN``
(fallback ``nn.Sequential`` of ``nn.Linear``/``nn.Tanh`` for the MLP),
``nn.functional.cross_entropy``, ``optim.SGD``, ``Module.parameters``,
``state_dict`` and ``load_state_dict``. Nothing private, so the benchmark
measures what a user gets.

The packages are imported lazily by ``ChainruleEngine()``; if they are missing
or incomplete the constructor raises and ``benchmarks.engines`` reports the
engine as skipped instead of crashing the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

Params = list[np.ndarray]


def _natural_key(text: str) -> list[Any]:
    """'10.weight' sorts after '2.weight' (plain string order would not)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _param_order(keys: Sequence[str]) -> list[list[str]]:
    """Candidate orders of state_dict keys matching numpy_ref's [W1, b1, W2, b2, ...].

    The first candidate is the dict's own order (registration order, as in
    PyTorch); the second groups by module prefix in natural order with weight
    before bias, in case the dict comes out sorted.
    """
    prefixes: dict[str, list[str]] = {}
    for k in keys:
        prefixes.setdefault(k.rsplit(".", 1)[0], []).append(k)
    rank = {"weight": 0, "bias": 1}
    grouped = [
        k
        for prefix in sorted(prefixes, key=_natural_key)
        for k in sorted(prefixes[prefix], key=lambda k: rank.get(k.rsplit(".", 1)[-1], 2))
    ]
    return [list(keys), grouped]


class ChainruleEngine:
    """Benchmark adapter for chainrule; raises ImportError/AttributeError if unavailable."""

    name = "chainrule"

    def __init__(self) -> None:
        import autograd as ag
        import nn
        import optim
        from nn import functional as F  # `from` form: ruff sorts it the same before/after it exists

        self.ag: ModuleType = ag
        self.nn: ModuleType = nn
        self.F: ModuleType = F
        self.optim: ModuleType = optim
        missing = [
            f"{mod.__name__}.{attr}"
            for mod, attr in ((ag, "tensor"), (F, "cross_entropy"), (optim, "SGD"))
            if not hasattr(mod, attr)
        ]
        if missing:
            raise AttributeError("chainrule API not there yet: " + ", ".join(missing))

    def version(self) -> str:
        """Installed chainrule version (from package metadata), or 'checkout'."""
        from importlib import metadata

        try:
            return metadata.version("chainrule")
        except metadata.PackageNotFoundError:
            return "checkout"

    # ---------------------------------------------------------------- helpers

    def _tensor(self, arr: np.ndarray, requires_grad: bool = False) -> Any:
        if not requires_grad:
            return self.ag.tensor(arr)
        try:
            return self.ag.tensor(arr, requires_grad=True)
        except TypeError:  # an API that flags leaves afterwards, PyTorch's other spelling
            return self.ag.tensor(arr).requires_grad_()

    def _build(self, net: str, params: Params) -> Any:
        nn = self.nn
        if net == "cnn":
            model = nn.SimpleCNN()
        else:
            sizes = [params[0].shape[1]] + [w.shape[0] for w in params[0::2]]
            if hasattr(nn, "MLP"):
                model = nn.MLP(sizes)
            else:
                layers: list[Any] = []
                for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                    layers.append(nn.Linear(fan_in, fan_out))
                    if i < len(sizes) - 2:
                        layers.append(nn.Tanh())
                model = nn.Sequential(*layers)
        self._load(model, params)
        return model

    def _load(self, model: Any, params: Params) -> None:
        """Load numpy_ref's parameter list through the public state_dict API."""
        state = model.state_dict()
        shapes = {k: np.shape(v) for k, v in state.items()}
        for order in _param_order(list(state)):
            if len(order) == len(params) and all(
                shapes[k] == p.shape for k, p in zip(order, params)
            ):
                model.load_state_dict({k: p.copy() for k, p in zip(order, params)})
                return
        raise ValueError(f"cannot map {len(params)} reference arrays onto state_dict {shapes}")

    def _step(self, net: str, params: Params, x: np.ndarray, y: np.ndarray, lr: float):
        F = self.F
        model = self._build(net, params)
        opt = self.optim.SGD(model.parameters(), lr=lr)
        xt, yt = self._tensor(x), self._tensor(y)  # converted once, as for torch

        def step() -> Any:
            opt.zero_grad()
            loss = F.cross_entropy(model(xt), yt)
            loss.backward()
            opt.step()
            return loss

        return step

    # ---------------------------------------------------------------- engine API

    def mlp_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one MLP SGD step; x (m, in), y (m,)."""
        return self._step("mlp", params, x, y, lr)

    def cnn_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one SimpleCNN SGD step; x (N, 3, 32, 32), y (N,)."""
        if not hasattr(self.nn, "SimpleCNN"):
            raise AttributeError("chainrule API not there yet: nn.SimpleCNN")
        return self._step("cnn", params, x, y, lr)

    def chain(self, x0: np.ndarray, n_links: int, backward: bool) -> Callable[[], object]:
        """x <- (x * 1.01 + 0.01).tanh() n_links times on a leaf that requires grad."""
        src = x0.copy()

        def run() -> Any:
            leaf = self._tensor(src, requires_grad=True)
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
        """Loss and parameter gradients (registration order) as NumPy arrays."""
        model = self._build(net, params)
        loss = self.F.cross_entropy(model(self._tensor(x)), self._tensor(y))
        loss.backward()
        grads = [np.array(p.grad.numpy()) for p in model.parameters()]
        return loss.item(), grads
