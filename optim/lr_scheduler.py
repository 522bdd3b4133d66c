"""Learning-rate schedules, as ``torch.optim.lr_scheduler``.

A scheduler sets ``group["lr"]`` of every parameter group of its optimizer. Build
it after the optimizer and call ``scheduler.step()`` once per epoch, after
``optimizer.step()``; the epoch ``last_epoch`` is the number of ``step()`` calls so
far (construction performs the first, to epoch 0). Each group keeps the lr it
started with as ``group["initial_lr"]`` (``base_lrs``).

As torch, the schedules update the lr *recursively* from the group's current lr
(the "chainable" form, so that two schedulers on one optimizer compose, and a lr
changed by hand is respected), and use the closed form when given an explicit
``step(epoch)``. Both agree to float rounding on the formula in each docstring.
"""

from __future__ import annotations

import copy
import math
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from optim.chained_scheduler import ChainedScheduler, check_chainable
from optim.cyclic_lr import CyclicLR
from optim.cyclic_schedules import CosineAnnealingWarmRestarts, OneCycleLR
from optim.optimizer import Optimizer
from optim.plateau import ReduceLROnPlateau
from optim.scheduler_base import (
    EPOCH_DEPRECATION_WARNING,
    LRScheduler,
    _LRScheduler,
    set_group_value,
)

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "OneCycleLR", "ReduceLROnPlateau", "InverseTimeDecay", "EPOCH_DEPRECATION_WARNING",
    "_LRScheduler", "MultiplicativeLR", "PolynomialLR", "ChainedScheduler", "CyclicLR",
]

def _lr_lambdas(optimizer: Optimizer, lr_lambda: Any) -> list[Callable[[int], float]]:
    """One function per parameter group: ``lr_lambda`` repeated, or the list given."""
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, list | tuple):
        if len(lr_lambda) != n:
            raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
        fns = list(lr_lambda)
    else:
        fns = [lr_lambda] * n
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
    return fns


class LambdaLR(LRScheduler):
    """``lr = initial_lr · lr_lambda(epoch)``.

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch (an int) returning a factor, or a list of
            them, one per parameter group.
        last_epoch: see :class:`LRScheduler`.

    As torch, ``state_dict()`` does not save plain functions and lambdas (an entry
    ``None``); for callable objects it saves their ``__dict__``.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lr_lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = {k: copy.deepcopy(v) for k, v in state_dict.items() if k != "lr_lambdas"}
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ())):
            if saved is not None:
                fn.__dict__.update(copy.deepcopy(saved))


class MultiplicativeLR(LRScheduler):
    """``lr_t = lr_{t−1} · lr_lambda(t)``: multiply the current lr by a factor each epoch.

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch (an int) returning the factor, or a list of
            them, one per parameter group.
        last_epoch: see :class:`LRScheduler`.

    ``state_dict()`` saves ``lr_lambdas`` as :class:`LambdaLR` does.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lr_lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * fn(self.last_epoch) for fn, group in zip(self.lr_lambdas, groups)]

    state_dict = LambdaLR.state_dict
    load_state_dict = LambdaLR.load_state_dict


class PolynomialLR(LRScheduler):
    r"""Polynomial decay to 0 over ``total_iters`` epochs, then constant::

        lr = initial_lr · (1 − min(epoch, total_iters) / total_iters) ** power

    computed as torch by the recursion
    ``lr_t = lr_{t−1} · ((1 − t/T) / (1 − (t − 1)/T)) ** power``.

    Args:
        optimizer: the optimizer.
        total_iters: the number of epochs of the decay (default 5).
        power: the power of the polynomial (default 1, linear).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in groups]
        t, T = self.last_epoch, self.total_iters
        factor = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base_lr in self.base_lrs]


class StepLR(LRScheduler):
    """``lr = initial_lr · gamma ** (epoch // step_size)``: decay by ``gamma`` every
    ``step_size`` epochs.

    Args:
        optimizer: the optimizer.
        step_size: period of the decay, in epochs (a positive int).
        gamma: multiplicative factor of the decay (default 0.1).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if int(step_size) != step_size or step_size <= 0:
            raise ValueError(f"step_size must be a positive integer, got {step_size}")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr = initial_lr · gamma ** epoch``: decay by ``gamma`` every epoch.

    Args:
        optimizer: the optimizer.
        gamma: multiplicative factor of the decay.
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        # When resuming (last_epoch given), the constructor's step must not decay again.
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from ``initial_lr`` down to ``eta_min`` over ``T_max`` epochs::

        lr = eta_min + (initial_lr − eta_min) · (1 + cos(π · epoch / T_max)) / 2

    computed, as torch, by the recursion
    ``lr_t = eta_min + (lr_{t−1} − eta_min) · (1 + cos(πt/T)) / (1 + cos(π(t−1)/T))``
    (past ``T_max`` the cosine goes on, rising back, as torch: no restarts).

    Args:
        optimizer: the optimizer.
        T_max: number of epochs of the half period (a positive int).
        eta_min: the minimum learning rate (default 0).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not T_max > 0:
            raise ValueError(f"T_max must be positive, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and t > 0:  # first step after resuming: closed form
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            # Leaving the minimum: the ratio below would divide by 1 + cos(π) = 0.
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - eta_min) + eta_min
                for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class InverseTimeDecay(LRScheduler):
    """``lr = initial_lr / (1 + decay_rate · epoch)``: inverse-time decay.

    The classical ``η_t = η_0 / (1 + k·t)`` schedule (the Robbins–Monro condition
    holds: Σ η_t diverges, Σ η_t² converges). Applied recursively as torch's
    schedules, ``lr_t = lr_{t−1} · (1 + k(t−1)) / (1 + k·t)``.

    Args:
        optimizer: the optimizer.
        decay_rate: ``k ≥ 0``.
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, decay_rate: float, last_epoch: int = -1) -> None:
        if not decay_rate >= 0.0:
            raise ValueError(f"Invalid decay_rate: {decay_rate} (must be >= 0)")
        self.decay_rate = decay_rate
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        t, k = self.last_epoch, self.decay_rate
        factor = (1.0 + k * (t - 1)) / (1.0 + k * t)
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr / (1.0 + self.decay_rate * self.last_epoch) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr = initial_lr · gamma ** (number of milestones ≤ epoch)``: decay by
    ``gamma`` at each milestone.

    Args:
        optimizer: the optimizer.
        milestones: epoch indices, as torch kept in a ``Counter``: a milestone given
            twice decays twice; their order does not matter.
        gamma: multiplicative factor of the decay (default 0.1).
        last_epoch: see :class:`LRScheduler`.

    ``state_dict()["milestones"]`` is a plain dict ``{epoch: count}`` (torch's
    Counter as data, so a checkpoint stores it as such).
    """

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or int(m) != m:
                raise TypeError(f"MultiStepLR milestones must be integers, got {m!r}")
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["milestones"] = dict(self.milestones)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(k): v for k, v in self.milestones.items()})


class ConstantLR(LRScheduler):
    """``lr = initial_lr · factor`` for the first ``total_iters`` epochs, then
    ``initial_lr`` (a constant warm-up).

    Args:
        optimizer: the optimizer.
        factor: the multiplier in [0, 1] until ``total_iters`` (default 1/3).
        total_iters: the number of epochs it applies (default 5).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError(
                "Constant multiplicative factor expected to be between 0 and 1, "
                f"got factor={factor}"
            )
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters)
                           * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    r"""A linear ramp of the multiplier from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then constant::

        lr = initial_lr · (s + (e − s) · min(epoch, total_iters) / total_iters)

    computed as torch by the recursion
    ``lr_t = lr_{t−1} · (1 + (e − s) / (total_iters·s + (t − 1)(e − s)))``.

    Args:
        optimizer: the optimizer.
        start_factor: ``s`` in (0, 1] (default 1/3).
        end_factor: ``e`` in [0, 1] (default 1).
        total_iters: the number of epochs of the ramp (default 5).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                f"equal to 1, got start_factor={start_factor}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(
                "Ending multiplicative factor expected to be between 0 and 1, got "
                f"end_factor={end_factor}"
            )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in groups]
        s, e = self.start_factor, self.end_factor
        factor = 1.0 + (e - s) / (self.total_iters * s + (self.last_epoch - 1) * (e - s))
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after the other, switching at each of ``milestones``.

    Scheduler ``i`` runs from ``milestones[i − 1]`` (restarted there at its epoch
    0, in closed form, as torch) up to ``milestones[i]``.

    Args:
        optimizer: the optimizer every scheduler must belong to.
        schedulers: at least one scheduler (no :class:`ReduceLROnPlateau`).
        milestones: ``len(schedulers) − 1`` strictly increasing epochs.
        last_epoch: see :class:`LRScheduler`.

    Raises:
        ValueError: no scheduler, a scheduler of another optimizer, a
            ReduceLROnPlateau, the wrong number of milestones, or milestones that
            do not increase (torch accepts those and then switches at the wrong
            epochs; chainrule refuses them).
        TypeError: an entry that is not a scheduler.

    ``state_dict()`` holds each scheduler's own state_dict under ``_schedulers``.
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1) -> None:
        name = type(self).__name__
        schedulers = list(schedulers)
        milestones = list(milestones)
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
        check_chainable(name, schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}"
            )
        if any(b <= a for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"{name} milestones must be strictly increasing, got {milestones}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # Reset the lrs the sub-schedulers' constructors changed, undo their first
        # step, and start the one meant for epoch 0 (as torch).
        for group in optimizer.param_groups:
            set_group_value(group, "lr", group["initial_lr"])
        for scheduler in schedulers:
            scheduler.last_epoch -= 1
        idx = bisect_right(milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch, in the scheduler whose span holds it."""
        idx = bisect_right(self._milestones, self.last_epoch + 1)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch + 1:
            scheduler._update_lr(0)  # a new phase restarts its schedule at epoch 0
        else:
            scheduler.step()
        self.last_epoch += 1
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        saved = state_dict["_schedulers"]
        if len(saved) != len(self._schedulers):
            raise ValueError(
                f"loaded SequentialLR state has {len(saved)} schedulers, this one "
                f"{len(self._schedulers)}"
            )
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items()
                              if k != "_schedulers"})
        for scheduler, s in zip(self._schedulers, saved):
            scheduler.load_state_dict(s)
