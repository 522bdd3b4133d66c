"""RAdam (Liu et al.): Adam with the variance of its adaptive step rectified."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor
from optim.adam import _validate_adam
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


class RAdam(Optimizer):
    r"""RAdam, torch's update exactly.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``
    (``m``, ``v`` start at zero)::

        g ← −g                                  (if maximize)
        p ← p·(1 − lr·λ)  if decoupled_weight_decay  else  g ← g + λ·p
        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        m̂ = m / (1 − β1ᵗ)
        ρ∞ = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
        if ρ_t > 5:
            r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
            p ← p − lr · m̂ · √(1 − β2ᵗ)/(√v + eps) · r
        else:
            p ← p − lr · m̂                      (SGD with momentum while v is unreliable)

    ``ρ_t`` is the length of the approximated simple moving average; the
    rectification ``r`` makes the variance of the adaptive step consistent.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay λ ≥ 0 (default 0).
        decoupled_weight_decay: decay the weights as AdamW instead of L2.
        foreach, capturable, differentiable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    _group_fallbacks = {"capturable": False, "decoupled_weight_decay": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        _validate_adam(group)

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        maximize = bool(group.get("maximize", False))
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        step = state["step"]

        if group.get("decoupled_weight_decay", False):
            if weight_decay != 0.0:
                r = lr_rounding(group["lr"])  # float32 from a float32 Tensor lr, as torch
                w *= r(1.0 - r(lr * r(weight_decay)))
            d = self._l2_gradient(w, grad, 0.0, maximize)
        else:
            d = self._l2_gradient(w, grad, weight_decay, maximize)

        m, v = state["exp_avg"], state["exp_avg_sq"]
        t = self._scratch(w, 1)
        u = self._scratch(w, 2)
        self._lerp(m, d, 1.0 - beta1, t)
        self._ema_square(v, d, beta2, t)

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        np.divide(m, bias_correction1, out=u)  # m̂
        u *= lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(v, out=t)
            t += eps
            np.divide(bias_correction2 ** 0.5, t, out=t)  # the adaptive lr
            u *= t
            u *= rect
        w -= u
