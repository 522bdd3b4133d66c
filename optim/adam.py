"""Adam (with AMSGrad) and AdamW (decoupled weight decay)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags, lr_rounding


def _validate_adam(group: dict[str, Any]) -> None:
    Optimizer._require_nonnegative(group, "lr", "eps", "weight_decay")
    if "betas" in group:
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"Invalid betas: expected a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"Invalid beta parameter at index {i}: betas[{i}]={beta} "
                    "(must be in [0, 1))"
                )


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), torch's update exactly, with optional AMSGrad.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``
    (``m``, ``v`` start at zero)::

        g ← −g                                       (if maximize)
        g ← g + λ·p                                  (if weight_decay λ ≠ 0: L2)
        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        v_max ← max(v_max, v)                        (amsgrad only; v_max starts at 0)
        m̂ = m / (1 − β1ᵗ)
        v̂ = v / (1 − β2ᵗ)      (amsgrad: v̂ = v_max / (1 − β2ᵗ))
        p ← p − lr · m̂ / (√v̂ + eps)

    ``m`` is the EMA form of momentum ``V = βV + (1−β)dW`` (β = β1), and ``v`` the
    same EMA of the squared gradient (RMSprop's ``square_avg``); the bias
    corrections undo their start at zero. ``weight_decay`` here is L2
    regularisation: ``λΣW²`` in the loss is ``weight_decay=2λ``. Its effect is
    scaled by the adaptive denominator; :class:`AdamW` decouples it instead.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty λ ≥ 0 added to the gradient (default 0).
        amsgrad: use the running maximum of ``v`` (Reddi et al.), as torch.
        maximize: maximize the objective (``g ← −g`` first), as torch.
        decoupled_weight_decay: decay as :class:`AdamW` does (torch ≥ 2.7).
        foreach, capturable, differentiable, fused: torch's implementation
            choices, accepted as no-ops (see ``check_implementation_flags``).

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v) and
    ``max_exp_avg_sq`` (amsgrad only).
    """

    _group_fallbacks = {"amsgrad": False, "capturable": False,
                        "decoupled_weight_decay": False, "fused": None}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        check_implementation_flags(foreach, capturable, differentiable, fused)
        betas = tuple(betas)
        if len(betas) == 2 and isinstance(betas[0], Tensor) != isinstance(betas[1], Tensor):
            raise ValueError("betas must be either both floats or both Tensors")
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError(
                "lr as a Tensor is not supported for capturable=False and foreach=True"
            )
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        _validate_adam(group)

    def _update_group(self, group: dict[str, Any], params: list[tuple[Tensor, np.ndarray]]
                      ) -> None:
        # Options read once per group, not per parameter (a GPT has ~50 parameters): as
        # Python floats, so a float32 parameter is updated in float32 (NumPy 2 would
        # promote on np.float64).
        lr = float(group["lr"])
        r = lr_rounding(group["lr"])  # float32 scalars from a float32 Tensor lr, as torch
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        maximize = bool(group.get("maximize", False))
        amsgrad = bool(group["amsgrad"])
        decoupled = bool(group.get("decoupled_weight_decay", False))
        shrink = (r(1.0 - r(lr * r(weight_decay))) if decoupled and weight_decay != 0.0
                  else None)
        l2 = 0.0 if decoupled else weight_decay
        plain_grad = l2 == 0.0 and not maximize
        one_minus_beta1, one_minus_beta2 = 1.0 - beta1, 1.0 - beta2
        states = self.state
        last_step = step_size = bias_correction2_sqrt = None
        for p, grad in params:
            w = p._data
            state = states[p]
            if not state:  # buffers allocated once, on the first step with a gradient
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(w)
                state["exp_avg_sq"] = np.zeros_like(w)
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(w)
            step = state["step"] = state["step"] + 1
            if shrink is not None:
                w *= shrink  # AdamW: shrink the weights first
            # read only: the gradient may be shared
            d = grad if plain_grad else self._l2_gradient(w, grad, l2, maximize)

            m, v = state["exp_avg"], state["exp_avg_sq"]
            t = self._scratch(w, 1)
            m *= beta1
            np.multiply(d, one_minus_beta1, out=t)
            m += t
            v *= beta2  # v ← β2·v + (1 − β2)·d² (Optimizer._ema_square, inlined)
            np.multiply(d, d, out=t)
            t *= one_minus_beta2
            v += t
            if amsgrad:
                v_max = state.get("max_exp_avg_sq")
                if v_max is None:  # amsgrad switched on in a later step (by a group edit)
                    v_max = state["max_exp_avg_sq"] = np.zeros_like(w)
                np.maximum(v_max, v, out=v_max)
                v = v_max

            if step != last_step:  # parameters of a group are usually at the same step
                last_step = step
                step_size = r(lr / r(1.0 - beta1 ** step))
                bias_correction2_sqrt = math.sqrt(1.0 - beta2 ** step)
            # denom = √v / √(1 − β2ᵗ) + eps  (= √v̂ + eps), then p −= step_size · m / denom
            np.sqrt(v, out=t)
            t /= bias_correction2_sqrt
            t += eps
            np.divide(m, t, out=t)
            t *= step_size
            np.subtract(w, t, out=w)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), torch's update exactly.

    The same as :class:`Adam` except for the weight decay, which does not go
    through the gradient (and so is not rescaled by ``√v̂``)::

        p ← p·(1 − lr·λ)                             (first, λ = weight_decay)
        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²   (v_max as Adam's, amsgrad)
        p ← p − lr · m̂ / (√v̂ + eps)

    With plain SGD the two kinds of decay coincide (``p(1 − ηλ)`` is a step on
    ``λ/2·Σp²``); with Adam they differ, and the decoupled one is what AdamW's
    ``weight_decay`` means. Default ``weight_decay=1e-2``, as torch.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
