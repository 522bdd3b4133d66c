"""Optimizer trajectories over many steps as torch 2.13's, found by a second differential
audit (every optimizer × option, 50 steps, float32 and float64); torch's numbers are
written in (torch is not a test dependency)."""

from __future__ import annotations

import numpy as np

import autograd as ag
import optim


def test_adagrad_accumulator_starts_at_the_constructors_value_in_every_group() -> None:
    # torch.optim.Adagrad fills state["sum"] from its constructor's (defaults')
    # initial_accumulator_value, also for a group that names its own and for a group
    # added later: the three parameters below take the same step in torch
    a, b, c = (ag.zeros(2, requires_grad=True) for _ in range(3))
    opt = optim.Adagrad([{"params": [a], "initial_accumulator_value": 0.5}, {"params": [b]}],
                        lr=1.0, initial_accumulator_value=0.1)
    opt.add_param_group({"params": [c], "initial_accumulator_value": 3.0})
    for p in (a, b, c):
        p.grad = ag.tensor([1.0, -2.0])
    opt.step()
    for p in (a, b, c):
        np.testing.assert_allclose(p.detach().numpy(), [-0.953462541103363, 0.9877296090126038],
                                   rtol=1e-6)
        np.testing.assert_allclose(opt.state[p]["sum"], [1.100000023841858, 4.099999904632568],
                                   rtol=1e-7)
    # the groups keep their own values (torch's param_groups show them)
    assert opt.param_groups[0]["initial_accumulator_value"] == 0.5
    assert opt.param_groups[2]["initial_accumulator_value"] == 3.0
