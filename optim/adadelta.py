"""Adadelta (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags


class Adadelta(Optimizer):
    r"""Adadelta, torch's update exactly.

    For each parameter ``p`` with gradient ``g`` (``ρ`` = rho; ``v`` and ``u`` start
    at zero)::

        g ← −g                                  (if maximize)
        g ← g + λ·p                             (if weight_decay λ ≠ 0: L2)
        v ← ρ·v + (1 − ρ)·g²
        Δ = √(u + eps) / √(v + eps) · g
        u ← ρ·u + (1 − ρ)·Δ²
        p ← p − lr·Δ

    The step's units come from the running average of past updates ``u``, so no
    learning rate is needed in principle (``lr`` scales it, default 1).

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: the factor of Δ (default 1.0).
        rho: the averages' coefficient ρ in [0, 1] (default 0.9).
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        foreach, capturable, differentiable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``square_avg`` (v), ``acc_delta`` (u).
    """

    _group_fallbacks = {"capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "eps", "weight_decay")
        if "rho" in group and not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']} (must be in [0, 1])")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg", "acc_delta")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        rho = float(group["rho"])
        eps = float(group["eps"])
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["square_avg"] = np.zeros_like(w)
            state["acc_delta"] = np.zeros_like(w)
        state["step"] += 1
        d = self._l2_gradient(w, grad, float(group["weight_decay"]),
                              bool(group.get("maximize", False)))
        v, u = state["square_avg"], state["acc_delta"]
        t = self._scratch(w, 1)
        a = self._scratch(w, 2)
        self._ema_square(v, d, rho, t)
        np.add(v, eps, out=a)
        np.sqrt(a, out=a)  # std = √(v + eps)
        np.add(u, eps, out=t)
        np.sqrt(t, out=t)
        t /= a
        t *= d  # Δ
        self._ema_square(u, t, rho, a)
        t *= -lr
        w += t
