"""Stochastic Weight Averaging and exponential moving averages of a model (torch's
``optim.swa_utils``): :class:`AveragedModel`, the :class:`SWALR` schedule, :func:`update_bn`
and the averaging functions.

This is the one module of ``optim`` that imports ``nn`` (``AveragedModel`` is an
``nn.Module``, ``update_bn`` finds the batch norms); ``optim`` loads it on first use of
``optim.swa_utils``, so ``import optim`` still does not import ``nn``.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.batchnorm import _BatchNorm
from nn.modules.module import Module
from optim.cyclic_schedules import _per_group
from optim.optimizer import Optimizer
from optim.scheduler_base import LRScheduler

__all__ = ["SWALR", "AveragedModel", "get_ema_avg_fn", "get_ema_multi_avg_fn",
           "get_swa_avg_fn", "get_swa_multi_avg_fn", "update_bn"]

PARAM_LIST = Sequence[Tensor]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[PARAM_LIST, PARAM_LIST, Any],
                                                           None]:
    """``ema ← decay · ema + (1 − decay) · current`` in place over lists of tensors
    (torch's ``lerp`` with weight ``1 − decay`` for floating tensors)."""
    _check_decay(decay)

    def ema_update(ema_param_list: PARAM_LIST, current_param_list: PARAM_LIST, _: Any
                   ) -> None:
        with ag.no_grad():
            floating = ema_param_list[0].is_floating_point() or ema_param_list[0].is_complex()
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                if floating:
                    p_ema.lerp_(p_model, 1 - decay)
                else:
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[PARAM_LIST, PARAM_LIST, Any], None]:
    """The running mean over lists of tensors, in place:
    ``avg ← avg + (current − avg) / (n + 1)`` (torch's ``lerp`` with weight
    ``1/(n+1)`` for floating tensors)."""

    def swa_update(averaged_param_list: PARAM_LIST, current_param_list: PARAM_LIST,
                   num_averaged: Tensor | int) -> None:
        with ag.no_grad():
            first = averaged_param_list[0]
            floating = first.is_floating_point() or first.is_complex()
            weight = 1 / (num_averaged + 1)
            if isinstance(weight, Tensor):
                weight = weight.item()
            for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
                if floating:
                    p_avg.lerp_(p_model, weight)
                elif isinstance(num_averaged, Tensor):
                    p_avg.addcdiv_(p_model - p_avg, num_averaged + 1)
                else:
                    p_avg.add_(p_model - p_avg, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """``(ema, current, n) ↦ decay · ema + (1 − decay) · current``."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with ag.no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """``(avg, current, n) ↦ avg + (current − avg) / (n + 1)``: the mean of ``n + 1``
    models from the mean of ``n``."""

    def swa_update(averaged_param: Tensor, current_param: Tensor,
                   num_averaged: Tensor | int) -> Tensor:
        with ag.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    r"""A deep copy of ``model`` whose parameters (and buffers, with ``use_buffers``)
    average those of ``model`` over the :meth:`update_parameters` calls: by default the
    running mean (SWA, Izmailov et al. 2018), or ``avg_fn(avg, current, n)`` per tensor,
    or ``multi_avg_fn(avgs, currents, n)`` over lists (e.g. :func:`get_ema_multi_avg_fn`).
    Calling it runs the copy. ``n_averaged`` (an int64 buffer) counts the updates; the
    first update copies the model.

    Args:
        model: the model to average.
        device: where to keep the copy (default: where ``model`` is).
        avg_fn, multi_avg_fn: the averaging rule (at most one).
        use_buffers: average the buffers too (and keep them in the average's
            parameter order); otherwise they are copied from ``model`` on each update.

    Raises:
        AssertionError: both ``avg_fn`` and ``multi_avg_fn`` given (torch's).
    """

    n_averaged: Tensor

    def __init__(self, model: Module, device: Any = None,
                 avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
                 multi_avg_fn: Callable[[PARAM_LIST, PARAM_LIST, Any], None] | None = None,
                 use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        n = ag.tensor(0, dtype=ag.int64)
        self.register_buffer("n_averaged", n if device is None else n.to(device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's output."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into
        the average; without ``use_buffers`` the buffers are copied as they are."""
        self_param: Iterable[Tensor] = (
            itertools.chain(self.module.parameters(), self.module.buffers())
            if self.use_buffers else self.parameters())
        model_param: Iterable[Tensor] = (
            itertools.chain(model.parameters(), model.buffers())
            if self.use_buffers else model.parameters())
        averaged: list[Tensor] = []
        current: list[Tensor] = []
        first = int(self.n_averaged.item()) == 0
        with ag.no_grad():
            for p_averaged, p_model in zip(self_param, model_param, strict=False):
                p_model_ = p_model.detach().to(p_averaged.device)
                averaged.append(p_averaged.detach())
                current.append(p_model_)
                if first:
                    p_averaged.detach().copy_(p_model_)
            if not first:
                self._average(averaged, current)
            if not self.use_buffers:
                for b_swa, b_model in zip(self.module.buffers(), model.buffers(),
                                          strict=True):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1

    def _average(self, averaged: list[Tensor], current: list[Tensor]) -> None:
        """One averaging step over the detached pairs, by torch's route: per (device,
        dtype) group for the list rule and the default (on the CPU the default is the
        per-tensor ``get_swa_avg_fn``, as torch's without foreach kernels), else
        ``avg_fn`` tensor by tensor."""
        if self.multi_avg_fn is None and self.avg_fn is not None:
            for p_averaged, p_model in zip(averaged, current, strict=True):
                n_averaged = self.n_averaged.to(p_averaged.device)
                p_averaged.copy_(self.avg_fn(p_averaged, p_model, n_averaged))
            return
        groups: dict[tuple[str, Any], tuple[list[Tensor], list[Tensor]]] = {}
        for p_averaged, p_model in zip(averaged, current, strict=True):
            key = (str(p_averaged.device), p_averaged.dtype)
            groups.setdefault(key, ([], []))
            groups[key][0].append(p_averaged)
            groups[key][1].append(p_model)
        for (device, _), (self_params, model_params) in groups.items():
            n_averaged = self.n_averaged.to(device)
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(self_params, model_params, n_averaged)
            elif device.startswith("cuda"):
                get_swa_multi_avg_fn()(self_params, model_params, n_averaged)
            else:
                avg_fn = get_swa_avg_fn()
                for p_averaged, p_model in zip(self_params, model_params, strict=True):
                    p_averaged.copy_(avg_fn(p_averaged, p_model, n_averaged))


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch norm of ``model`` by one pass over
    ``loader`` (its items, or their first element when they are lists or tuples) in
    training mode, as a cumulative average (momentum None during the pass); the
    momenta and ``model``'s mode are restored after. A model without batch norm is
    left as it is."""
    momenta: dict[Module, Any] = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with ag.no_grad():
        for input in loader:
            if isinstance(input, list | tuple):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for bn_module, momentum in momenta.items():
        bn_module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr from its current value to ``swa_lr`` over
    ``anneal_epochs`` epochs, then hold it (the SWA phase), as torch's: at step ``t``
    (``_step_count − 1``) with ``α = f(min(1, t / max(1, anneal_epochs)))``,
    ``lr = α · swa_lr + (1 − α) · lr₀``, ``f(x) = (1 − cos πx)/2`` (``'cos'``) or ``x``
    (``'linear'``), ``lr₀`` recovered from the group's current lr and the previous α.

    Args:
        optimizer: the optimizer.
        swa_lr: the target lr, or one per parameter group (stored as
            ``group["swa_lr"]``).
        anneal_epochs: epochs of the annealing (≥ 0).
        anneal_strategy: ``'cos'`` or ``'linear'``.
        last_epoch: see :class:`~optim.lr_scheduler.LRScheduler`.

    Raises:
        ValueError: an unknown strategy, a negative or non-int ``anneal_epochs``, or a
            list of ``swa_lr`` of the wrong length.
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float],
                 anneal_epochs: int = 10,
                 anneal_strategy: Literal["cos", "linear"] = "cos",
                 last_epoch: int = -1) -> None:
        swa_lrs = [v.clone() if isinstance(v, Tensor) else v
                   for v in _per_group("swa_lr", optimizer, swa_lr)]
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        """The lrs of the current step (chainable: from the groups' current lrs; called
        outside ``step()`` it warns, through :class:`LRScheduler`'s wrapper)."""
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = (self._cosine_anneal if anneal_strategy == "cos"
                            else self._linear_anneal)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer and the anneal function (torch's)."""
        return {key: value for key, value in self.__dict__.items()
                if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
