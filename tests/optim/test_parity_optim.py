"""Optimizer behaviours found to differ from torch 2.13 by a differential audit, each
pinned with torch's answer written in (torch is not a test dependency)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
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


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr_must_have_one_element(name: str) -> None:
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="1-element"):
        getattr(optim, name)([p], lr=ag.tensor([0.01, 0.02]))
    getattr(optim, name)([p], lr=ag.tensor([0.01]))  # one element is fine


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_tensor_lr_with_foreach_needs_capturable(name: str) -> None:
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="capturable=False and foreach=True"):
        getattr(optim, name)([p], lr=ag.tensor(0.01), foreach=True)
    getattr(optim, name)([p], lr=ag.tensor(0.01), foreach=True, capturable=True)


@pytest.mark.parametrize("name", NAMES)
def test_missing_params_entry_is_a_key_error(name: str) -> None:
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(KeyError):
        getattr(optim, name)([{"lr": 0.1}], lr=0.1)
    opt = getattr(optim, name)([p], lr=0.1)
    with pytest.raises(KeyError):
        opt.add_param_group({"lr": 0.1})


def test_named_parameters_as_torch() -> None:
    # torch >= 2.6 takes named_parameters(): the names go to group["param_names"] and
    # into state_dict()'s param_groups; a load keeps the saved names
    ag.manual_seed(0)
    m = nn.Linear(2, 2)
    opt = optim.Adam(m.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is m.weight
    m(ag.ones(1, 2)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["param_names"] == ["weight", "bias"]
    assert sd["param_groups"][0]["params"] == [0, 1]
    plain = optim.Adam(m.parameters(), lr=0.1)
    plain.load_state_dict(sd)
    assert plain.param_groups[0]["param_names"] == ["weight", "bias"]
    # torch: ValueError for mixing named and unnamed, within or across groups
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [ag.zeros(1, requires_grad=True)]})
    with pytest.raises(ValueError, match="with/without names"):
        optim.SGD([("a", ag.zeros(1, requires_grad=True)), ag.zeros(1, requires_grad=True)],
                  lr=1.0)
