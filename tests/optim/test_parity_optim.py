"""Optimizer behaviours found to differ from torch 2.13 by a differential audit, each
pinned with torch's answer written in (torch is not a test dependency)."""

from __future__ import annotations

import numpy as np

import autograd as ag
import optim

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"]


def test_python_float_with_float64_dtype_keeps_its_value() -> None:
    # torch.tensor(0.05, dtype=torch.float64).item() == 0.05; chainrule went through
    # float32 first and held 0.05000000074505806
    assert ag.tensor(0.05, dtype=ag.float64).item() == 0.05
    assert ag.tensor([0.1, 0.2], dtype=ag.float64).numpy().tolist() == [0.1, 0.2]
    assert ag.tensor(0.1).dtype == ag.float32  # the default is unchanged


def test_float64_tensor_lr_steps_as_torch() -> None:
    # torch: RAdam([p], lr=torch.tensor(0.05, dtype=torch.float64)), one step with
    # grad [1, 2, 3] from [0.5, -1, 2] gives exactly [0.45, -1.1, 1.85]
    p = ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([1.0, 2.0, 3.0]))
    opt = optim.RAdam([p], lr=ag.tensor(0.05, dtype=ag.float64))
    opt.step()
    assert p.detach().numpy().tolist() == [0.45, -1.1, 1.85]
