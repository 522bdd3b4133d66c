"""Learning-rate schedules: each sequence against its closed-form formula, with two
parameter groups of different learning rates; state_dict; bad arguments."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable

import numpy as np
import pytest

import autograd as ag
import optim
from optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeDecay,
    LambdaLR,
    LRScheduler,
    StepLR,
)

LR0 = (0.1, 0.03)  # two groups, two base learning rates
EPOCHS = 40


def make_optimizer(cls=optim.SGD) -> optim.Optimizer:
    a = ag.tensor(np.ones(3), requires_grad=True)
    b = ag.tensor(np.ones(2), requires_grad=True)
    return cls([{"params": [a], "lr": LR0[0]}, {"params": [b], "lr": LR0[1]}])


def cosine(lr0: float, e: int, T: int, eta_min: float) -> float:
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * e / T)) / 2


SCHEDULES: dict[str, tuple[Callable, Callable[[float, int], float]]] = {
    "step": (lambda o: StepLR(o, step_size=7, gamma=0.5),
             lambda lr0, e: lr0 * 0.5 ** (e // 7)),
    "step-default-gamma": (lambda o: StepLR(o, 3), lambda lr0, e: lr0 * 0.1 ** (e // 3)),
    "exponential": (lambda o: ExponentialLR(o, gamma=0.9), lambda lr0, e: lr0 * 0.9**e),
    "cosine": (lambda o: CosineAnnealingLR(o, T_max=15, eta_min=0.001),
               lambda lr0, e: cosine(lr0, e, 15, 0.001)),  # 40 epochs: down, up, down
    "cosine-default-eta": (lambda o: CosineAnnealingLR(o, T_max=10),
                           lambda lr0, e: cosine(lr0, e, 10, 0.0)),
    "lambda": (lambda o: LambdaLR(o, lambda e: 1.0 / (e + 1)),
               lambda lr0, e: lr0 / (e + 1)),
    "inverse-time": (lambda o: InverseTimeDecay(o, decay_rate=0.25),
                     lambda lr0, e: lr0 / (1 + 0.25 * e)),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_sequence_matches_formula(name: str) -> None:
    make, formula = SCHEDULES[name]
    opt = make_optimizer()
    sched = make(opt)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LR0)
    assert sched.base_lrs == list(LR0)
    for epoch in range(EPOCHS + 1):
        assert sched.last_epoch == epoch
        want = [formula(lr0, epoch) for lr0 in LR0]
        got = sched.get_last_lr()
        assert len(got) == 2
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15,
                                   err_msg=f"{name} at epoch {epoch}")
        assert [g["lr"] for g in opt.param_groups] == got
        opt.step()
        sched.step()
    # the schedule really changes the lr (a do-nothing scheduler must not pass)
    assert sched.get_last_lr()[0] != LR0[0]


def test_cosine_reaches_eta_min_at_t_max() -> None:
    opt = make_optimizer()
    sched = CosineAnnealingLR(opt, T_max=8, eta_min=0.002)
    for _ in range(8):
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.002, 0.002], abs=1e-15)
    sched.step()
    assert sched.get_last_lr()[0] > 0.002  # no restart: the cosine rises again (torch)


def test_lambda_per_group() -> None:
    opt = make_optimizer()
    sched = LambdaLR(opt, [lambda e: 0.5**e, lambda e: e + 1.0])
    for epoch in range(6):
        np.testing.assert_allclose(sched.get_last_lr(),
                                   [LR0[0] * 0.5**epoch, LR0[1] * (epoch + 1.0)], rtol=1e-12)
        sched.step()
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        LambdaLR(make_optimizer(), [lambda e: 1.0] * 3)
    with pytest.raises(TypeError, match="lr_lambda"):
        LambdaLR(make_optimizer(), 0.5)


def test_scheduled_lr_is_the_one_the_optimizer_uses() -> None:
    w = ag.tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = InverseTimeDecay(opt, decay_rate=1.0)
    for epoch in range(5):
        before = w._data.copy()
        w.grad = ag.tensor(np.ones(1))
        opt.step()
        np.testing.assert_allclose(before - w._data, [1.0 / (1 + epoch)], rtol=1e-12)
        sched.step()


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_resume(name: str) -> None:
    make, _ = SCHEDULES[name]
    opt = make_optimizer()
    sched = make(opt)
    for _ in range(9):
        sched.step()
    saved = pickle.dumps((opt.state_dict(), sched.state_dict()))
    straight = []
    for _ in range(15):
        sched.step()
        straight.append(sched.get_last_lr())

    opt2 = make_optimizer()
    sched2 = make(opt2)
    opt_sd, sched_sd = pickle.loads(saved)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    assert sched2.last_epoch == 9
    resumed = []
    for _ in range(15):
        sched2.step()
        resumed.append(sched2.get_last_lr())
    assert resumed == straight


def test_state_dict_contents() -> None:
    opt = make_optimizer()
    sched = StepLR(opt, step_size=2, gamma=0.5)
    sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd
    assert sd["last_epoch"] == 1 and sd["step_size"] == 2 and sd["gamma"] == 0.5
    assert sd["base_lrs"] == list(LR0)
    sd["base_lrs"].append(1.0)  # a copy
    assert sched.base_lrs == list(LR0)


def test_lambda_state_dict_skips_functions_keeps_callable_objects() -> None:
    class Warmup:
        def __init__(self, n: int) -> None:
            self.n = n

        def __call__(self, epoch: int) -> float:
            return min(1.0, (epoch + 1) / self.n)

    opt = make_optimizer()
    sched = LambdaLR(opt, [lambda e: 0.9**e, Warmup(5)])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, {"n": 5}]
    other = LambdaLR(make_optimizer(), [lambda e: 0.9**e, Warmup(2)])
    other.load_state_dict(sd)
    assert other.lr_lambdas[1].n == 5
    assert callable(other.lr_lambdas[0])


def test_step_with_epoch_uses_closed_form() -> None:
    opt = make_optimizer()
    sched = ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(3)
    assert sched.get_last_lr() == pytest.approx([LR0[0] / 8, LR0[1] / 8], rel=1e-12)
    assert sched.last_epoch == 3


def test_resuming_with_last_epoch() -> None:
    opt = make_optimizer()
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, step_size=2, last_epoch=4)
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
        g["lr"] = g["lr"] * 0.25  # the lr reached at epoch 4
    sched = StepLR(opt, step_size=2, gamma=0.5, last_epoch=4)
    assert sched.last_epoch == 5
    assert sched.get_last_lr() == pytest.approx([LR0[0] * 0.25, LR0[1] * 0.25])
    sched.step()
    assert sched.get_last_lr() == pytest.approx([LR0[0] * 0.125, LR0[1] * 0.125])


def test_works_with_every_optimizer() -> None:
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop):
        opt = make_optimizer(cls)
        sched = ExponentialLR(opt, gamma=0.5)
        sched.step()
        assert [g["lr"] for g in opt.param_groups] == pytest.approx([LR0[0] / 2, LR0[1] / 2])
        assert "initial_lr" in opt.state_dict()["param_groups"][0]


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="not an Optimizer"):
        StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="step_size"):
        StepLR(make_optimizer(), step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        CosineAnnealingLR(make_optimizer(), T_max=0)
    with pytest.raises(ValueError, match="decay_rate"):
        InverseTimeDecay(make_optimizer(), decay_rate=-0.5)
    with pytest.raises(NotImplementedError):
        LRScheduler(make_optimizer())
