"""``CyclicLR``: the cyclical learning rate policy (re-exported by
:mod:`optim.lr_scheduler`, as torch's)."""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

from optim.cyclic_schedules import _per_group
from optim.optimizer import Optimizer
from optim.scheduler_base import LRScheduler, set_group_value


class CyclicLR(LRScheduler):
    r"""The cyclical learning rate policy (Smith, 2017), torch's schedule exactly; step
    it after every *batch*.

    The lr goes from ``base_lr`` up to ``max_lr`` over ``step_size_up`` steps and back
    over ``step_size_down``, the height of each cycle scaled::

        cycle = ⌊1 + t / (up + down)⌋,   x = 1 + t / (up + down) − cycle
        h = x / r  if x ≤ r  else  (x − 1) / (r − 1)          (r = up / (up + down))
        lr = base_lr + (max_lr − base_lr) · h · scale_fn(cycle or t)

    ``mode`` picks ``scale_fn``: ``'triangular'`` 1, ``'triangular2'`` ``1 / 2^(cycle−1)``
    (halved each cycle), ``'exp_range'`` ``gamma^t`` (of the step ``t``); a custom
    ``scale_fn`` of one argument replaces it, evaluated at the cycle number or the step
    per ``scale_mode``. With ``cycle_momentum`` the momentum (β1 for the Adam family)
    goes the opposite way, from ``max_momentum`` down to ``base_momentum``.

    Args:
        optimizer: the optimizer (its groups' lr is set to ``base_lr`` at once).
        base_lr, max_lr: the bounds, or one per group.
        step_size_up: steps of the rising half (default 2000).
        step_size_down: steps of the falling half (default ``step_size_up``).
        mode: ``'triangular'``, ``'triangular2'`` or ``'exp_range'``.
        gamma: the base of ``'exp_range'`` (default 1).
        scale_fn: a custom scale, ``scale_fn(x)`` with ``0 ≤ scale_fn(x) ≤ 1``.
        scale_mode: ``'cycle'`` or ``'iterations'`` (only with ``scale_fn``: a
            mode's own scale sets it, as torch).
        cycle_momentum: cycle the momentum too (default True; needs ``momentum`` or
            ``betas``).
        base_momentum, max_momentum: the momentum's bounds (0.8, 0.9).
        last_epoch: the index of the last *step*; see :class:`LRScheduler`.

    ``state_dict()`` keeps a custom ``scale_fn`` only if it is a callable object (its
    ``__dict__``), not a function, as torch.
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                set_group_value(group, "lr", lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums,
                                                optimizer.param_groups):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        # a mode's own scale decides what it is evaluated at, as torch's
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        """The cycle's height factor at ``x`` (the cycle number or the step)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        lrs = [base_lr + (max_lr - base_lr) * height * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.optimizer.param_groups,
                                            self.base_momentums, self.max_momentums):
                self._set_momentum(group, m_max - (m_max - m_base) * height * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (
            None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__))
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        custom = self._scale_fn_custom
        super().load_state_dict(state)
        self._scale_fn_custom = custom
        if saved is not None and custom is not None:
            custom.__dict__.update(saved)
        self._init_scale_fn()
