"""``ChainedScheduler``: several schedulers stepped together (re-exported by
:mod:`optim.lr_scheduler`, as torch's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optim.optimizer import Optimizer
from optim.plateau import ReduceLROnPlateau
from optim.scheduler_base import LRScheduler, group_values


def check_chainable(name: str, schedulers: Sequence[LRScheduler], optimizer: Any) -> None:
    """torch's checks of the schedulers a ChainedScheduler or SequentialLR combines: each
    has an ``optimizer``, none is a ReduceLROnPlateau (its ``step`` takes a metric), and all
    step ``optimizer``."""
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at "
                f"index {i} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {i} with another optimizer"
            )


class ChainedScheduler(LRScheduler):
    """Step every scheduler of ``schedulers`` at each ``step()``, in order: their
    (chainable) factors multiply, e.g. a ``ConstantLR`` warm-up times an
    ``ExponentialLR`` decay.

    Args:
        schedulers: at least one scheduler, all of one optimizer (no
            :class:`ReduceLROnPlateau`).
        optimizer: that optimizer (default: the first scheduler's).

    Raises:
        ValueError: no scheduler, a ReduceLROnPlateau, or a scheduler of another
            optimizer. TypeError: an entry without an ``optimizer``.

    ``state_dict()`` holds each scheduler's own state_dict under ``_schedulers``.
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got "
                             "no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        check_chainable(name, schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = group_values(schedulers[-1].optimizer, "lr")

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, s in zip(self._schedulers, saved):
            scheduler.load_state_dict(s)
