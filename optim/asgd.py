"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


def _f32(x: float) -> float:
    """``x`` rounded to float32: torch keeps ``eta`` and ``mu`` in float32 tensors."""
    return float(np.float32(x))


class ASGD(Optimizer):
    r"""Averaged SGD, torch's update exactly.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...`` (``η``
    starts at lr, ``μ`` at 1, the average ``a`` at 0)::

        g ← −g                                   (if maximize)
        g ← g + λ·p                              (if weight_decay λ ≠ 0: L2)
        p ← p·(1 − lambd·η) − η·g
        a ← a + μ·(p − a)        (a ← p while μ = 1)
        η ← lr / (1 + lambd·lr·t)^alpha
        μ ← 1 / max(1, t − t0)

    ``a`` (state ``ax``) is the Polyak average of the iterates from step ``t0`` on;
    the parameters themselves follow the decaying-step SGD. As torch, each new ``η``
    and ``μ`` is rounded to float32 (torch makes them with ``torch.as_tensor`` of a
    Python float, also after a checkpoint's load has cast its tensors to float64).

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power of the η decay (default 0.75).
        t0: the step at which averaging starts (default 1e6).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        foreach, differentiable, capturable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``eta``, ``mu`` (numbers) and ``ax`` (a).
    """

    _scalar_state = ("eta", "mu")
    _group_fallbacks = {"capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "weight_decay")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "eta", "mu", "ax")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        lambd, alpha, t0 = float(group["lambd"]), float(group["alpha"]), float(group["t0"])
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["eta"] = _f32(lr)
            state["mu"] = 1.0
            state["ax"] = np.zeros_like(w)
        state["step"] += 1
        step = state["step"]
        d = self._l2_gradient(w, grad, float(group["weight_decay"]),
                              bool(group.get("maximize", False)))
        eta = float(state["eta"])
        w *= 1.0 - lambd * eta
        self._add_scaled(w, d, -eta)
        ax = state["ax"]
        if state["mu"] != 1:
            t = self._scratch(w, 1)
            np.subtract(w, ax, out=t)
            t *= float(state["mu"])
            ax += t
        else:
            ax[...] = w
        r = lr_rounding(group["lr"])  # in float32 from a float32 Tensor lr, as torch
        state["eta"] = _f32(r(lr / r(r(1 + r(r(r(lambd) * lr) * r(step))) ** r(alpha))))
        state["mu"] = _f32(1 / max(1, step - t0))
