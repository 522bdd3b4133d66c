"""torch's remaining schedulers (PolynomialLR, MultiplicativeLR, ChainedScheduler, CyclicLR):
20 steps of ``get_last_lr()`` and the momentum (β1 for Adam) equal torch 2.13's, also across
a state_dict round trip at step 10. torch's values, computed once, are in
torch_values_schedulers.json (torch is not a test dependency)."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as L

TORCH = json.loads((pathlib.Path(__file__).parent / "torch_values_schedulers.json").read_text())

BUILD: dict[str, tuple[Callable, str, dict]] = {
    "poly": (lambda o: [L.PolynomialLR(o, total_iters=8, power=2.0)], "SGD", {}),
    "mult": (lambda o: [L.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1.0 - 0.01 * e])],
             "SGD", {}),
    "chained": (lambda o: [L.ChainedScheduler([L.ConstantLR(o, 0.1, total_iters=3),
                                               L.ExponentialLR(o, 0.9)])], "SGD", {}),
    "two_on_one": (lambda o: [L.PolynomialLR(o, total_iters=6),
                              L.MultiplicativeLR(o, lambda e: 0.95)], "SGD", {}),
    "tri": (lambda o: [L.CyclicLR(o, 0.01, [0.1, 0.5], step_size_up=3, step_size_down=5)],
            "SGD", {"momentum": 0.9}),
    "tri2": (lambda o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=2, mode="triangular2")],
             "SGD", {"momentum": 0.9}),
    "exp": (lambda o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9)],
            "Adam", {}),
    "fn": (lambda o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x),
                                 scale_mode="iterations", cycle_momentum=False)], "SGD", {}),
}


def _optimizer(kind: str, **kwargs: float) -> optim.Optimizer:
    ps = [ag.zeros(1, requires_grad=True) for _ in range(2)]
    return getattr(optim, kind)([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.2}],
                                **kwargs)


def _row(opt: optim.Optimizer, scheduler: L.LRScheduler) -> list[float]:
    g = opt.param_groups[0]
    return [float(x) for x in scheduler.get_last_lr()] + [
        float(g.get("momentum", g.get("betas", (0,))[0]))]


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("name", list(BUILD))
def test_schedule_equals_torch(name: str, resume: bool) -> None:
    build, kind, kwargs = BUILD[name]
    opt = _optimizer(kind, **kwargs)
    schedulers = build(opt)
    rows = []
    for t in range(20):
        opt.step()
        for s in schedulers:
            s.step()
        rows.append(_row(opt, schedulers[-1]))
        if resume and t == 9:  # a fresh optimizer and schedulers, loaded, go on the same
            states = [s.state_dict() for s in schedulers]
            fresh = _optimizer(kind, **kwargs)
            schedulers = build(fresh)  # (their constructors change the lrs: loaded next)
            fresh.load_state_dict(opt.state_dict())
            for s, state in zip(schedulers, states):
                s.load_state_dict(state)
            opt = fresh
    np.testing.assert_allclose(rows, TORCH[name], rtol=1e-12, atol=1e-15)


def test_cyclic_lr_checks_as_torch() -> None:
    opt = _optimizer("SGD")
    with pytest.raises(ValueError, match="mode is invalid"):
        L.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
    with pytest.raises(ValueError, match="same length"):
        L.CyclicLR(opt, [0.01], 0.1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        L.CyclicLR(_optimizer("Adagrad"), 0.01, 0.1)
    # a mode's own scale fixes scale_mode (torch's _init_scale_fn); a function scale_fn
    # is not saved (None), as torch's
    s = L.CyclicLR(opt, 0.01, 0.1, mode="exp_range", scale_mode="cycle", cycle_momentum=False)
    assert s.scale_mode == "iterations"
    fn = L.CyclicLR(_optimizer("SGD"), 0.01, 0.1, scale_fn=lambda x: 1.0, cycle_momentum=False)
    assert fn.state_dict()["_scale_fn_custom"] is None


def test_chained_scheduler_checks_as_torch() -> None:
    opt = _optimizer("SGD")
    with pytest.raises(ValueError, match="at least one"):
        L.ChainedScheduler([])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        L.ChainedScheduler([L.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="same optimizer"):
        L.ChainedScheduler([L.StepLR(opt, 2), L.StepLR(_optimizer("SGD"), 2)])
    with pytest.raises(TypeError, match="lr_lambda should be a function"):
        L.MultiplicativeLR(opt, 0.9)
