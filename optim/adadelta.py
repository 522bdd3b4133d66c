"""Adadelta (Zeiler, 2012): steps scaled by the ratio of RMS past updates to RMS gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags


class Adadelta(Optimizer):
    r"""Adadelta, torch's update exactly.

    For each parameter ``p`` with gradient ``g`` (``ρ`` = rho; ``v`` and ``u`` start
    at zero)::

        g ← −g                                (if maximize)
        g ← g + λ·p                           (if weight_decay λ ≠ 0: L2)
        v ← ρ·v + (1 − ρ)·g²                  (square_avg)
        Δ = √(u + eps) / √(v + eps) · g
        u ← ρ·u + (1 − ρ)·Δ²                  (acc_delta)
        p ← p − lr·Δ

    The step needs no learning rate of its own (torch's default lr = 1 applies Δ as
    it is): its units are those of the parameter, RMS[Δ] over RMS[g].

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: coefficient scaling Δ (default 1.0).
        rho: decay of the running averages, in [0, 1] (default 0.9).
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        foreach, capturable, differentiable: torch's implementation choices, accepted
            as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``square_avg`` (v), ``acc_delta`` (u).
    """

    _group_fallbacks = {"capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        capturable=capturable, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "eps", "weight_decay")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg", "acc_delta")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        # Python floats keep a float32 parameter in float32 (see Adam).
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
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
        # torch's addcmul_(g, g, value=1 − ρ): (value·g)·g
        v *= rho
        np.multiply(d, 1.0 - rho, out=t)
        t *= d
        v += t
        delta = self._scratch(w, 2)
        np.add(u, eps, out=delta)
        np.sqrt(delta, out=delta)
        np.add(v, eps, out=t)
        np.sqrt(t, out=t)
        delta /= t
        delta *= d
        u *= rho
        np.multiply(delta, 1.0 - rho, out=t)
        t *= delta
        u += t
        delta *= -lr
        w += delta
