"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags


class Rprop(Optimizer):
    r"""Rprop, torch's update exactly: a step size per coordinate, adapted to the sign
    of the gradient alone.

    For each parameter ``p`` with gradient ``g`` (``g_prev`` starts at 0, each step
    size ``s`` at ``lr``; ``η−, η+`` = etas)::

        g ← −g                                   (if maximize)
        s ← clamp(s · η+, s_min, s_max)          where g·g_prev > 0
        s ← clamp(s · η−, s_min, s_max)          where g·g_prev < 0  (and g ← 0 there)
        s ← clamp(s, s_min, s_max)               where g·g_prev = 0
        p ← p − sign(g) · s
        g_prev ← g

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: the initial step size (default 1e-2).
        etas: (η−, η+) with 0 < η− < 1 < η+ (default (0.5, 1.2)).
        step_sizes: (s_min, s_max) (default (1e-6, 50)).
        capturable, foreach, differentiable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``prev`` (g_prev), ``step_size`` (s).
    """

    _group_fallbacks = {"capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr")
        if "etas" in group:
            etas = group["etas"]
            if not 0.0 < etas[0] < 1.0 < etas[1]:
                raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]} "
                                 "(need 0 < etas[0] < 1 < etas[1])")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "prev", "step_size")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        eta_minus, eta_plus = (float(e) for e in group["etas"])
        s_min, s_max = (float(s) for s in group["step_sizes"])
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["prev"] = np.zeros_like(w)
            state["step_size"] = np.full_like(w, float(group["lr"]))
        state["step"] += 1
        g = grad.copy()  # (an array also for a 0-d parameter, where -grad is a scalar)
        if group.get("maximize", False):
            np.negative(g, out=g)
        prev, size = state["prev"], state["step_size"]
        sign = np.sign(g * prev)
        factor = np.where(sign > 0, eta_plus, np.where(sign < 0, eta_minus, 1.0))
        size *= factor.astype(w.dtype, copy=False)
        np.clip(size, s_min, s_max, out=size)
        g[sign < 0] = 0  # a sign change: no step now, and no sign to compare next time
        w -= np.sign(g) * size
        prev[...] = g
