"""Scheduler behaviours found to differ from torch 2.13 by a differential audit (torch's
warnings, pinned here; the schedules' values are in test_lr_scheduler_torch.py)."""

from __future__ import annotations

import copy
import pickle
import warnings

import pytest

import autograd as ag
import optim
from optim import lr_scheduler

ORDER = "before `optimizer.step()`"
GET_LR = "please use `get_last_lr()`"


def _opt() -> optim.SGD:
    return optim.SGD([ag.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)


def _messages(fn) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


MAKERS = {
    "step": lambda o: lr_scheduler.StepLR(o, 2),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, 5),
    "onecycle": lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=10),
    "linear": lambda o: lr_scheduler.LinearLR(o),
    "lambda": lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.9 ** e),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_scheduler_step_before_optimizer_step_warns_once(name: str) -> None:
    # torch: a UserWarning on the first scheduler.step() when optimizer.step() has not
    # run (the schedule's first lr is skipped); none once the order is right
    opt = _opt()
    sched = MAKERS[name](opt)
    first = _messages(sched.step)
    assert sum(ORDER in m for m in first) == 1
    assert not any(ORDER in m for m in _messages(sched.step))
    opt2 = _opt()
    sched2 = MAKERS[name](opt2)

    def right_order() -> None:
        opt2.step()
        sched2.step()
    assert not any(ORDER in m for m in _messages(right_order))


def test_sequential_warns_for_each_scheduler_it_steps_first() -> None:
    # torch: ConstantLR's first step warns, and ExponentialLR's first step after the
    # milestone warns again (3 steps, milestone 2): two warnings
    opt = _opt()
    seq = lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt, 0.1, 2),
                                          lr_scheduler.ExponentialLR(opt, 0.9)], [2])
    msgs = _messages(lambda: [seq.step() for _ in range(3)])
    assert sum(ORDER in m for m in msgs) == 2


def test_get_lr_outside_step_warns() -> None:
    opt = _opt()
    sched = lr_scheduler.StepLR(opt, 2)
    opt.step()
    assert not _messages(sched.step)
    msgs = _messages(sched.get_lr)
    assert any(GET_LR in m for m in msgs)
    assert "_get_lr_called_within_step" in sched.state_dict()  # torch's key


def test_optimizer_with_a_scheduler_pickles_and_deep_copies() -> None:
    # the scheduler wraps opt.step (as torch); the wrapper is not part of the
    # optimizer's state, so a copy steps its own parameters, not the original's
    p = ag.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    lr_scheduler.StepLR(opt, 2)
    again = pickle.loads(pickle.dumps(opt))
    dup = copy.deepcopy(opt)
    q = dup.param_groups[0]["params"][0]
    q.grad = ag.ones(2)
    p.grad = ag.ones(2)
    dup.step()
    assert p.tolist() == [0.0, 0.0]
    assert q.tolist() == pytest.approx([-0.1, -0.1])
    assert again.param_groups[0]["lr"] == 0.1


def test_checkpoint_after_linear_decay_to_zero_loads() -> None:
    # LinearLR down to end_factor=0 leaves lr = -1.1e-18 by its recursion (torch's
    # value too); torch loads such a checkpoint, chainrule refused it as a negative lr
    opt = _opt()
    sched = lr_scheduler.LinearLR(opt, 0.2, 0.0, 4)
    for _ in range(10):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(-1.110223024625157e-18, abs=1e-30)
    opt2 = _opt()
    sched2 = lr_scheduler.LinearLR(opt2, 0.2, 0.0, 4)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(sched.state_dict())
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


@pytest.mark.parametrize("name", ["step", "cosine", "plateau"])
def test_a_tensor_lr_is_updated_in_place_as_torch(name: str) -> None:
    # torch fills a Tensor lr in place (whoever holds it sees the schedule), keeps a
    # copy as initial_lr, and get_last_lr() returns copies; chainrule replaced the
    # Tensor (and ReduceLROnPlateau made it a float)
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    lr = ag.tensor(0.1, dtype=ag.float64)
    opt = optim.SGD([p], lr=lr)
    sched = (lr_scheduler.ReduceLROnPlateau(opt, patience=0) if name == "plateau"
             else MAKERS[name](opt))
    for _ in range(3):
        p.grad = ag.ones(2)
        opt.step()
        sched.step(1.0) if name == "plateau" else sched.step()
    assert opt.param_groups[0]["lr"] is lr
    last = sched.get_last_lr()[0]
    assert isinstance(last, ag.Tensor) and last is not lr and last.item() == lr.item()
    expected = {"step": 0.010000000000000002, "cosine": 0.03454915028125263,
                "plateau": 0.0010000000000000002}[name]  # torch's lr after 3 steps
    assert lr.item() == pytest.approx(expected, rel=1e-15)
    if name != "plateau":
        assert opt.param_groups[0]["initial_lr"] is not lr
        assert opt.param_groups[0]["initial_lr"].item() == 0.1
