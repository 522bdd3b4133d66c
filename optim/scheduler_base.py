"""The base class of the learning-rate schedulers (torch's ``LRScheduler``).

The schedulers themselves live in :mod:`optim.lr_scheduler` (and the modules it
re-exports); this module holds only what they share, so that each can import it
without a cycle.
"""

from __future__ import annotations

import copy
import functools
import warnings
import weakref
from typing import Any

from autograd import Tensor
from optim.optimizer import Optimizer

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
    _get_lr_called_within_step: bool = False  # True while step() computes the lrs

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # chainrule's own schedules warn, as torch's, when get_lr() is called outside
        # step(): it computes the next lr from the current one, not the last lr
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("get_lr")
        if fn is None or not cls.__module__.startswith("optim."):
            return

        @functools.wraps(fn)
        def get_lr(self: LRScheduler) -> list[float]:
            if not self._get_lr_called_within_step:
                warnings.warn("To get the last learning rate computed by the scheduler, "
                              "please use `get_last_lr()`.", UserWarning, stacklevel=2)
            return fn(self)

        cls.get_lr = get_lr  # type: ignore[method-assign]

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                lr = group["lr"]  # a Tensor lr is copied: the schedule updates it in place
                group.setdefault("initial_lr", lr.clone() if isinstance(lr, Tensor) else lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming an optimizer"
                    )
        self.base_lrs: list[float] = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _track_step_called(optimizer)
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
        """Advance one epoch (call after ``optimizer.step()``) and set every group's lr.

        Raises:
            ValueError: the optimizer's parameter groups are no longer the ones the
                scheduler was built for (one added or removed since), or the
                schedule has ended (:class:`~optim.lr_scheduler.OneCycleLR`). The
                scheduler is left as it was.
        """
        if self._step_count == 1 and isinstance(self.optimizer, Optimizer):  # first user step
            _warn_order(self.optimizer)
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        try:
            self._update_lr(epoch)
        except BaseException:
            self._step_count -= 1
            raise

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next epoch (or to ``epoch``, in closed form) and set the lrs;
        nothing changes if computing them raises."""
        self._check_optimizer()
        previous = self.last_epoch
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
            check_lr_count(self, values)
        except BaseException:
            self.last_epoch = previous
            raise
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            set_group_value(group, "lr", lr)
        self._last_lr = group_values(self.optimizer, "lr")

    def _check_optimizer(self) -> None:
        """ValueError unless the scheduler still has an optimizer to step."""
        check_optimizer_groups(self, None)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (copies), as torch."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict` (load the optimizer's state too)."""
        self.__dict__.update(copy.deepcopy(state_dict))


_LRScheduler = LRScheduler  # torch's old name


def group_values(optimizer: Optimizer, key: str) -> list[Any]:
    """``group[key]`` of every parameter group, a Tensor cloned (so a list of lrs never
    changes with the groups'), as torch's ``_param_groups_val_list``."""
    return [g[key].clone() if isinstance(g[key], Tensor) else g[key]
            for g in optimizer.param_groups]


def set_group_value(group: dict[str, Any], key: str, value: Any) -> None:
    """``group[key] = value``, but a Tensor there is filled in place (it may be held
    elsewhere, e.g. as a Tensor lr), as torch's ``_update_param_group_val``."""
    old = group[key]
    if isinstance(old, Tensor):
        old.fill_(value.item() if isinstance(value, Tensor) else value)
    else:
        group[key] = value


def _track_step_called(opt: Optimizer) -> None:
    """Wrap ``opt.step`` (once) so that it records ``opt._opt_called = True``, as torch
    does to warn about ``scheduler.step()`` called before ``optimizer.step()``."""
    if hasattr(opt.step, "_wrapped_by_lr_sched"):
        return
    opt_ref = weakref.ref(opt)
    func = getattr(opt.step, "__func__", None)
    if func is None:  # a plain callable put in place of the method: torch fails here
        step = opt.step

        @functools.wraps(step)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            opt_ref()._opt_called = True  # type: ignore[union-attr]
            return step(*args, **kwargs)
    else:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            o = opt_ref()
            o._opt_called = True  # type: ignore[union-attr]
            return func.__get__(o, o.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    opt.step = wrapper  # type: ignore[method-assign]


def _warn_order(opt: Optimizer) -> None:
    """torch's warnings on a scheduler's first ``step()``: ``optimizer.step()`` replaced
    after the scheduler was built, or not called yet (the first lr of the schedule is
    then skipped)."""
    if not hasattr(opt.step, "_wrapped_by_lr_sched"):
        warnings.warn(
            "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
            "initialization. Please, make sure to call `optimizer.step()` before "
            "`lr_scheduler.step()`.", UserWarning, stacklevel=3)
    elif not getattr(opt, "_opt_called", False):
        warnings.warn(
            "Detected call of `lr_scheduler.step()` before `optimizer.step()`. You should "
            "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`. "
            "Failure to do this will result in skipping the first value of the learning rate "
            "schedule (as in PyTorch 1.1.0 and later).", UserWarning, stacklevel=3)




def check_lr_count(scheduler: Any, values: list[Any]) -> None:
    """ValueError unless ``values`` holds one lr per parameter group of the optimizer.

    A schedule computed from the current lrs (StepLR, ExponentialLR, ...) goes on over
    a group added since it was built, as torch's; one computed from ``base_lrs`` (or
    one lambda per group) would pair them with the wrong groups: torch's
    ``zip(..., strict=True)`` raises ValueError there, and so does this, before any lr
    changes.
    """
    n = len(scheduler.optimizer.param_groups)
    if len(values) != n:
        raise ValueError(
            f"{type(scheduler).__name__} computed {len(values)} learning rate(s) for an "
            f"optimizer with {n} parameter group(s): its groups changed since the scheduler "
            "was built; build the scheduler after adding every parameter group"
        )


def check_optimizer_groups(scheduler: Any, n_groups: int | None) -> None:
    """Raise unless ``scheduler.optimizer`` is an Optimizer (with ``n_groups`` groups,
    unless None).

    A scheduler that keeps one entry per parameter group (``min_lrs``) would pair
    them with the wrong groups after one was added to or removed from its optimizer
    (or after its ``optimizer`` was replaced by something else), so it raises
    ValueError instead.
    """
    opt = getattr(scheduler, "optimizer", None)
    name = type(scheduler).__name__
    if not isinstance(opt, Optimizer):
        raise ValueError(f"{name} has no optimizer to step: its optimizer is "
                         f"{type(opt).__name__}")
    if n_groups is not None and len(opt.param_groups) != n_groups:
        raise ValueError(
            f"{name} was built for an optimizer with {n_groups} parameter group(s), but "
            f"the optimizer now has {len(opt.param_groups)}: build the scheduler after "
            "adding every parameter group"
        )
