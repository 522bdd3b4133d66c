"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, ParamsT, check_implementation_flags


class SGD(Optimizer):
    r"""Stochastic gradient descent, torch's update exactly.

    For each parameter ``p`` with gradient ``g`` (``μ`` = momentum, ``τ`` =
    dampening, ``λ`` = weight_decay, ``η`` = lr)::

        g ← −g                            (if maximize: ascend the objective)
        g ← g + λ·p                       (if weight_decay ≠ 0)
        if μ ≠ 0:
            b ← g                         (first step: the buffer starts as g, undamped)
            b ← μ·b + (1 − τ)·g           (later steps)
            g ← g + μ·b  if nesterov  else  b
        p ← p − η·g

    How the textbook forms map onto the arguments:

    * Classical momentum ``v = βv − η∇L;  W += v`` is ``momentum=β, dampening=0``:
      torch's buffer is ``b = −v/η`` (substitute it in: ``b = βb + ∇L``,
      ``W −= ηb``), so both give the same trajectory for a constant lr. (When the lr
      changes, torch's form applies the new lr to the whole buffer.)
    * The EMA form ``V = βV + (1−β)dW;  W −= ηV`` weights the gradient by
      ``1 − dampening = 1−β`` (the "dampening = 1−β" of the usual shorthand names
      that weight): in torch's argument it is ``momentum=β, dampening=β``. One
      difference remains: torch starts the buffer at ``dW`` on the first step,
      where the EMA from ``V = 0`` would give ``(1−β)dW``. (``dampening=1−β``
      literally would give ``V = βV + β·dW``.)
    * L2 regularisation, adding ``λΣW²`` to the loss, adds its gradient ``2λW``:
      that is ``weight_decay=2λ``.
    * Nesterov momentum (``nesterov=True``) needs ``momentum > 0`` and
      ``dampening = 0``; it steps along ``g + μ·b``, the look-ahead gradient in
      Sutskever et al.'s reformulation.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate η (torch's default 1e-3).
        momentum: momentum factor μ ≥ 0.
        dampening: dampening τ for momentum.
        weight_decay: L2 penalty coefficient λ ≥ 0 (added to the gradient).
        nesterov: use Nesterov momentum.
        maximize: maximize the objective (step along +g), as torch.
        foreach, differentiable, fused: torch's implementation choices, accepted
            as no-ops (see :func:`~optim.optimizer.check_implementation_flags`).

    State per parameter: ``momentum_buffer`` (only when momentum ≠ 0).
    """

    _group_fallbacks = {"nesterov": False, "fused": False}  # (see Optimizer)

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0,
                 nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        check_implementation_flags(foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr", "momentum", "weight_decay")
        if group.get("nesterov", False) and (
            group.get("momentum", 0.0) <= 0 or group.get("dampening", 0.0) != 0
        ):
            raise ValueError(
                "Nesterov momentum (nesterov=True) requires a momentum > 0 and zero dampening, "
                f"got momentum={group.get('momentum', 0.0)}, "
                f"dampening={group.get('dampening', 0.0)}"
            )

    def _update_group(self, group: dict[str, Any], params: list[tuple[Tensor, np.ndarray]]
                      ) -> None:
        # Python floats: a NumPy float64 scalar would be computed in float64 against a
        # float32 parameter (NumPy 2 promotion); a Python float adopts the array's dtype.
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        weight_decay = float(group["weight_decay"])
        nesterov = bool(group["nesterov"])
        maximize = bool(group.get("maximize", False))
        if momentum == 0.0 and weight_decay == 0.0:  # plain SGD: p ← p ∓ η·g
            for p, grad in params:
                self._add_scaled(p._data, grad, lr if maximize else -lr)
            return
        for p, grad in params:
            w = p._data
            # read only: the gradient may be shared, so it is never written
            d = self._l2_gradient(w, grad, weight_decay, maximize)
            if momentum != 0.0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    # Allocated once; torch starts the buffer at the (undamped) gradient.
                    buf = state["momentum_buffer"] = d.astype(w.dtype, copy=True)
                else:
                    buf *= momentum
                    if dampening == 0.0:
                        buf += d
                    else:
                        self._add_scaled(buf, d, 1.0 - dampening)
                if nesterov:
                    u = self._scratch(w, 1)
                    np.multiply(buf, momentum, out=u)
                    np.add(u, d, out=u)  # g + μb
                    d = u
                else:
                    d = buf
            self._add_scaled(w, d, -lr)
