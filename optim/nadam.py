"""NAdam (Dozat): Adam with Nesterov momentum and a momentum schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.adam import _validate_adam
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


class NAdam(Optimizer):
    r"""NAdam, torch's update exactly.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``
    (``m``, ``v`` start at zero, ``Π`` at one, ψ = momentum_decay)::

        g ← −g                                  (if maximize)
        p ← p·(1 − lr·λ)  if decoupled_weight_decay  else  g ← g + λ·p
        μ_t = β1·(1 − ½·0.96^(t·ψ)),   μ_{t+1} = β1·(1 − ½·0.96^((t+1)·ψ))
        Π ← Π·μ_t                                (mu_product)
        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        a = √(v / (1 − β2ᵗ)) + eps
        p ← p − lr·(1 − μ_t)/(1 − Π) · g/a − lr·μ_{t+1}/(1 − Π·μ_{t+1}) · m/a

    The last line is the Nesterov look-ahead: the momentum term uses the next
    step's ``μ``. As in torch (whose ``mu_product`` is a tensor of the default
    dtype, float32), ``Π`` is kept in float32 whatever the parameter's dtype, so
    float64 trajectories match torch's to float64 rounding.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 2e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay λ ≥ 0 (default 0).
        momentum_decay: ψ ≥ 0 (default 4e-3).
        decoupled_weight_decay: decay the weights as AdamW (NAdamW) instead of L2.
        foreach, capturable, differentiable: torch's implementation choices,
            accepted as no-ops (see ``check_implementation_flags``).
        maximize: maximize the objective, as torch.

    State per parameter: ``step`` (int), ``mu_product`` (Π, a float),
    ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    _scalar_state = ("mu_product",)

    _group_fallbacks = {"capturable": False, "decoupled_weight_decay": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        _validate_adam(group)
        Optimizer._require_nonnegative(group, "momentum_decay")

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _load_scalar(self, name: str, value: float, p: Tensor) -> Any:
        # torch's load_state_dict casts the float32 mu_product tensor to the parameter's
        # dtype, so after a load a float64 parameter's Π is kept in float64 (marked by
        # its type, np.float64, a float); a float32 one stays float32-rounded
        if p.dtype == np.float64:
            return np.float64(value)
        return float(np.float32(value))

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        psi = float(group["momentum_decay"])
        maximize = bool(group.get("maximize", False))
        w = p._data
        state = self.state[p]
        if not state:  # buffers allocated once, on the first step with a gradient
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        step = state["step"]
        bias_correction2 = 1 - beta2 ** step

        r = lr_rounding(group["lr"])  # float32 from a float32 Tensor lr, as torch
        if group.get("decoupled_weight_decay", False):
            if weight_decay != 0.0:
                w *= r(1.0 - r(lr * r(weight_decay)))
            d = self._l2_gradient(w, grad, 0.0, maximize)
        else:
            d = self._l2_gradient(w, grad, weight_decay, maximize)

        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        prev = state["mu_product"]
        if prev.__class__ is np.float64:  # loaded for a float64 parameter: float64, as torch
            mu_product = state["mu_product"] = prev * mu
        else:  # torch multiplies its float32 tensor by mu cast to float32
            mu_product = state["mu_product"] = float(np.float32(prev) * np.float32(mu))
        mu_product_next = mu_product * mu_next

        m, v = state["exp_avg"], state["exp_avg_sq"]
        t = self._scratch(w, 1)
        a = self._scratch(w, 2)
        self._lerp(m, d, 1.0 - beta1, t)
        self._ema_square(v, d, beta2, t)
        np.divide(v, bias_correction2, out=a)
        np.sqrt(a, out=a)
        a += eps
        np.divide(d, a, out=t)
        t *= r(r(-lr * r(1.0 - mu)) / r(1.0 - mu_product))
        w += t
        np.divide(m, a, out=t)
        t *= r(r(-lr * r(mu_next)) / r(1.0 - mu_product_next))
        w += t
