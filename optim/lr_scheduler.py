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
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from optim.optimizer import Optimizer

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "ExponentialLR", "CosineAnnealingLR",
    "InverseTimeDecay",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` is deprecated, as in torch: call "
    "`scheduler.step()` once per epoch. With an epoch, the closed form is used where "
    "available."
)


class LRScheduler:
    """Base class of the schedulers (torch's ``LRScheduler``).

    Args:
        optimizer: the optimizer whose groups' ``lr`` this sets.
        last_epoch: the index of the last epoch; ``-1`` (default) starts fresh and
            records each group's lr as ``initial_lr``; any other value resumes and
            requires ``initial_lr`` in every group (KeyError otherwise, as torch).

    Subclasses implement :meth:`get_lr` (the chainable form) and may implement
    ``_get_closed_form_lr``.
    """

    _is_initial: bool = False  # True during the step the constructor performs

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming an optimizer"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of each group at ``last_epoch`` (chainable form)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lr of each parameter group set by the last ``step()``."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (call after ``optimizer.step()``) and set every group's lr."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (copies), as torch."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict` (load the optimizer's state too)."""
        self.__dict__.update(copy.deepcopy(state_dict))


_LRScheduler = LRScheduler  # torch's old name


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
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
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
