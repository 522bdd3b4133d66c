"""Adamax (Kingma & Ba): Adam with the infinity norm of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.adam import _validate_adam
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


class Adamax(Optimizer):
    r"""Adamax, torch's update exactly.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``
    (``m``, ``u`` start at zero)::

        g ← −g                                  (if maximize)
        g ← g + λ·p                             (if weight_decay λ ≠ 0: L2)
        m ← m + (1 − β1)·(g − m)                (= β1·m + (1 − β1)·g, torch's lerp)
        u ← max(β2·u, |g| + eps)
        p ← p − lr / (1 − β1ᵗ) · m / u

    ``u`` is the exponentially weighted infinity norm that replaces Adam's
    ``√v``; it needs no bias correction.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 2e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: added to ``|g|`` (default 1e-8).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        foreach, differentiable, capturable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_inf`` (u).
    """

    _group_fallbacks = {"capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        _validate_adam(group)

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_inf")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_inf"] = np.zeros_like(w)
        state["step"] += 1

        d = self._l2_gradient(w, grad, float(group["weight_decay"]),
                              bool(group.get("maximize", False)))
        m, u = state["exp_avg"], state["exp_inf"]
        t = self._scratch(w, 1)
        self._lerp(m, d, 1.0 - beta1, t)
        u *= beta2
        np.abs(d, out=t)
        t += eps
        np.maximum(u, t, out=u)
        r = lr_rounding(group["lr"])  # float32 from a float32 Tensor lr, as torch
        clr = r(lr / r(1 - beta1 ** state["step"]))
        np.divide(m, u, out=t)
        t *= -clr
        w += t
