"""RMSprop (Hinton), with momentum and the centered variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags


class RMSprop(Optimizer):
    r"""RMSprop, torch's update exactly.

    For each parameter ``p`` with gradient ``g`` (``α`` = alpha, ``μ`` = momentum,
    ``s``, ``ḡ`` and ``b`` start at zero)::

        g ← −g                           (if maximize)
        g ← g + λ·p                      (if weight_decay λ ≠ 0: L2)
        s ← α·s + (1 − α)·g²
        if centered:
            ḡ ← α·ḡ + (1 − α)·g
            a = √(s − ḡ²) + eps
        else:
            a = √s + eps
        if μ > 0:
            b ← μ·b + g / a
            p ← p − lr·b
        else:
            p ← p − lr·g / a

    ``s`` is the EMA form ``V = βV + (1−β)dW²`` (β = alpha) of the squared
    gradient; the centered variant divides by an estimate of the gradient's
    standard deviation instead of its root mean square. The momentum is the
    classical form ``v = μv − lr·g/a; p += v`` with torch's buffer ``b = −v/lr``.
    L2 regularisation ``λΣW²`` is ``weight_decay=2λ``. Note that ``eps`` is added
    outside the square root, as in torch.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        alpha: smoothing constant α ≥ 0 (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        momentum: momentum factor μ ≥ 0 (default 0).
        centered: normalise by the estimated variance of the gradient.
        capturable, foreach, differentiable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective (``g ← −g`` first), as torch.

    State per parameter: ``step`` (int), ``square_avg`` (s), ``momentum_buffer``
    (when momentum > 0) and ``grad_avg`` (ḡ, when centered).
    """

    _group_fallbacks = {"momentum": 0, "centered": False, "capturable": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg")

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        # Python floats keep a float32 parameter in float32 (see Adam).
        lr = float(group["lr"])
        alpha = float(group["alpha"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        momentum = float(group["momentum"])
        w = p._data

        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["square_avg"] = np.zeros_like(w)
            if momentum > 0.0:
                state["momentum_buffer"] = np.zeros_like(w)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(w)
        state["step"] += 1

        maximize = bool(group.get("maximize", False))
        # grad is read only: it may be shared
        d = self._l2_gradient(w, grad, weight_decay, maximize)

        s = state["square_avg"]
        a = self._scratch(w, 1)
        s *= alpha
        np.multiply(d, d, out=a)
        a *= 1.0 - alpha
        s += a
        if group["centered"]:
            g_avg = state.get("grad_avg")
            if g_avg is None:  # centered switched on later (by a group edit)
                g_avg = state["grad_avg"] = np.zeros_like(w)
            g_avg *= alpha
            np.multiply(d, 1.0 - alpha, out=a)
            g_avg += a
            np.multiply(g_avg, g_avg, out=a)
            np.subtract(s, a, out=a)
            np.sqrt(a, out=a)
        else:
            np.sqrt(s, out=a)
        a += eps

        if momentum > 0.0:
            buf = state.get("momentum_buffer")
            if buf is None:  # momentum switched on later (by a group edit)
                buf = state["momentum_buffer"] = np.zeros_like(w)
            buf *= momentum
            np.divide(d, a, out=a)
            buf += a
            np.multiply(buf, lr, out=a)
        else:
            np.divide(d, a, out=a)
            a *= lr
        np.subtract(w, a, out=w)
