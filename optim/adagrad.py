"""Adagrad (Duchi, Hazan & Singer): per-coordinate steps scaled by the summed squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


class Adagrad(Optimizer):
    r"""Adagrad, torch's update exactly.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``
    (``s`` starts at ``initial_accumulator_value``)::

        g ← −g                                  (if maximize)
        g ← g + λ·p                             (if weight_decay λ ≠ 0: L2)
        η_t = lr / (1 + (t − 1)·lr_decay)
        s ← s + g²
        p ← p − η_t · g / (√s + eps)

    Each coordinate's step shrinks with the gradient energy it has seen, so
    rarely updated coordinates keep large steps.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay ≥ 0 (default 0).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        initial_accumulator_value: the starting value of ``s`` (≥ 0, default 0).
        eps: added to the denominator (default 1e-10).
        foreach, differentiable, fused: torch's implementation choices, accepted
            as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter, created at construction as torch does: ``step`` (int)
    and ``sum`` (s). ``s`` starts at the constructor's ``initial_accumulator_value``
    for every parameter, as torch's: a group's own value is kept in the group but not
    used (torch reads ``defaults["initial_accumulator_value"]``).
    """

    _group_fallbacks = {"fused": None}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        check_implementation_flags(foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "lr_decay", "weight_decay",
                                       "initial_accumulator_value", "eps")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = 0
        # torch's Adagrad reads the constructor's value, never the group's (both at
        # construction and for a group added later): the same numbers need the same
        state["sum"] = np.full_like(p._data, float(self.defaults["initial_accumulator_value"]))

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        # Python floats keep a float32 parameter in float32 (see Adam).
        lr = float(group["lr"])
        lr_decay = float(group["lr_decay"])
        eps = float(group["eps"])
        w = p._data
        state = self.state[p]
        if not state:  # a parameter added by add_param_group after construction
            self._init_state(p, group)
        state["step"] += 1
        r = lr_rounding(group["lr"])  # float32 from a float32 Tensor lr, as torch
        clr = r(lr / r(1 + (state["step"] - 1) * lr_decay))

        d = self._l2_gradient(w, grad, float(group["weight_decay"]),
                              bool(group.get("maximize", False)))
        s = state["sum"]
        t = self._scratch(w, 1)
        np.multiply(d, d, out=t)
        s += t
        np.sqrt(s, out=t)
        t += eps
        np.divide(d, t, out=t)
        t *= -clr
        w += t
