"""The adapter a program runs through: ``lib.torch``, ``lib.nn``, ``lib.F``, ``lib.optim``,
``lib.data`` are torch's modules or chainrule's (``autograd``, ``nn``, ``nn.functional``,
``optim``, ``nn.data``); ``lib.rng`` a NumPy generator, so that every random start
(weights, batches) is drawn once with NumPy and loaded into either library."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np


class Lib(SimpleNamespace):
    """torch/chainrule modules plus NumPy-drawn starting values."""

    def __init__(self, torch: Any, nn: Any, F: Any, optim: Any, data: Any, seed: int) -> None:
        super().__init__(torch=torch, nn=nn, F=F, optim=optim, data=data,
                         rng=np.random.default_rng(seed))

    def randn(self, *shape: int) -> Any:
        """torch.randn(shape) in float32, drawn by NumPy."""
        return self.torch.tensor(self.rng.standard_normal(shape).astype(np.float32))

    def randint(self, high: int, shape: tuple[int, ...]) -> Any:
        """torch.randint(0, high, shape) (int64), drawn by NumPy."""
        return self.torch.tensor(self.rng.integers(0, high, shape))

    def load(self, module: Any, scale: float = 0.5) -> Any:
        """Overwrite every parameter of ``module`` (in named_parameters order) with
        U(-scale, scale)/sqrt(fan) draws; norm weights (1-d named weight) near 1."""
        torch = self.torch
        with torch.no_grad():
            for name, p in module.named_parameters():
                shape = tuple(p.shape)
                fan = shape[-1] if len(shape) > 1 else 1
                a = self.rng.uniform(-scale, scale, shape) / np.sqrt(fan)
                if len(shape) == 1 and name.endswith("weight"):
                    a = 1.0 + a
                p.copy_(torch.tensor(a.astype(np.float32)))
        return module


def as_list(t: Any) -> Any:
    """A tensor's values as nested Python lists (float64 for comparisons)."""
    return np.asarray(t.detach().numpy(), dtype=np.float64).tolist()


def state_list(a: Any) -> Any:
    """An optimizer-state or state_dict value as lists: torch holds Tensors there,
    chainrule's contract NumPy arrays; np.asarray reads both."""
    return np.asarray(a, dtype=np.float64).tolist()


def differences(want: Any, got: Any, path: str = "", rtol: float = 1e-4,
                atol: float = 1e-5) -> list[str]:
    """Where ``got`` (chainrule's record) differs from ``want`` (torch's): numbers and
    nested lists within rtol/atol, everything else (bools, strings, ints of samples) equal."""
    out: list[str] = []
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: torch gave a dict, we {got!r:.80}"]
        for k in want:
            if k not in got:
                out.append(f"{path}.{k}: missing")
            else:
                out += differences(want[k], got[k], f"{path}.{k}", rtol, atol)
    elif isinstance(want, (list, float, int)) and not isinstance(want, bool):
        try:
            x, y = np.asarray(want, float), np.asarray(got, float)
        except (TypeError, ValueError):  # names, ragged lists: equal as they are
            return [] if want == got else [f"{path}: torch {want!r:.80} ours {got!r:.80}"]
        if x.shape != y.shape:
            out.append(f"{path}: shape {x.shape} (torch) vs {y.shape}")
        elif not np.allclose(y, x, rtol=rtol, atol=atol, equal_nan=True):
            out.append(f"{path}: max |diff| {np.abs(x - y).max():.3g}; torch {str(want)[:60]}"
                       f" ours {str(got)[:60]}")
    elif want != got:
        out.append(f"{path}: torch {want!r} ours {got!r}")
    return out
