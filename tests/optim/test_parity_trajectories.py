"""Optimizer trajectories over many steps as torch 2.13's, found by a second differential
audit (every optimizer × option, 50 steps, float32 and float64); torch's numbers are
written in (torch is not a test dependency)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

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


# -- 50 steps of every optimizer, as torch.optim's ------------------------------------------
# Two groups with different options; parameter 1 gets no gradient every third step (None,
# or zeros after zero_grad(set_to_none=False)); torch's parameters after step 20 and 50 and
# its state_dict after step 20 (tensors as lists) are in torch_values_trajectories.json.
TORCH = json.loads((pathlib.Path(__file__).parent / "torch_values_trajectories.json").read_text())
INIT = [[0.5, -1.0, 2.0], [[1.5, -0.3], [0.2, -2.0]], [0.8, -0.6, 1.2, -1.7]]
COEF = [[1.0, 2.0, 0.5], [[0.7, 1.3], [2.5, 0.4]], [1.1, 0.3, 1.9, 0.8]]
CONFIGS = {
    "sgd": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
            dict(nesterov=True, dampening=0, lr=0.02)),
    "adam": ("Adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01, amsgrad=True),
             dict(maximize=True, decoupled_weight_decay=True, amsgrad=False)),
    "adamw": ("AdamW", dict(lr=0.05, amsgrad=True), dict(weight_decay=0.1, lr=0.01)),
    "rmsprop": ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True,
                                weight_decay=0.01),
                dict(centered=False, momentum=0, maximize=True)),
    "adagrad": ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                                weight_decay=0.01), dict(lr=0.05, eps=1e-3)),
    "adamax": ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01),
               dict(maximize=True, eps=1e-3)),
    "nadam": ("NAdam", dict(lr=0.05, momentum_decay=0.01, weight_decay=0.01),
              dict(decoupled_weight_decay=True, betas=(0.5, 0.9))),
    "adadelta": ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-3, weight_decay=0.01),
                 dict(maximize=True, lr=1.0)),
    "rprop": ("Rprop", dict(lr=0.02, etas=(0.4, 1.3), step_sizes=(1e-4, 0.1)),
              dict(maximize=True, lr=0.05)),
    "asgd": ("ASGD", dict(lr=0.05, lambd=0.05, alpha=0.6, t0=10, weight_decay=0.01),
             dict(maximize=True, t0=0)),
    "radam": ("RAdam", dict(lr=0.05, weight_decay=0.01),
              dict(decoupled_weight_decay=True, betas=(0.5, 0.9))),
}


def _grad(i: int, p: np.ndarray, t: int) -> np.ndarray:
    x = np.asarray(p, np.float64)
    return np.asarray(COEF[i]) * x + 0.3 * np.sin(3 * x + 0.1 * t)


def _build(name: str, params: list[ag.Tensor]) -> optim.Optimizer:
    cls, kwargs, group1 = CONFIGS[name]
    return getattr(optim, cls)([{"params": params[:2]}, {"params": params[2:], **group1}],
                               **kwargs)


def _steps(opt: optim.Optimizer, params: list[ag.Tensor], mode: str, dtype: str,
           start: int, stop: int) -> None:
    for t in range(start, stop):
        opt.zero_grad(set_to_none=mode == "none")
        for i, p in enumerate(params):
            if i == 1 and t % 3 == 1:
                continue
            p.grad = ag.tensor(_grad(i, p.detach().numpy(), t).astype(dtype))
        opt.step()


def _torch_state_dict(saved: dict, dtype: str) -> dict:
    """torch's state_dict as NumPy: each tensor an array of its dtype (``step`` float32)."""
    state = {int(k): {n: (np.asarray(v, np.float32) if n == "step" else np.asarray(v, dtype))
                      for n, v in s.items()} for k, s in saved["state"].items()}
    groups = [{k: (tuple(v) if k in ("betas", "etas", "step_sizes") else v)
               for k, v in g.items()}
              for g in saved["param_groups"]]
    return {"state": state, "param_groups": groups}


@pytest.mark.parametrize("mode", ["none", "zero"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fifty_steps_equal_torch(name: str, dtype: str, mode: str) -> None:
    ref = TORCH[f"{name}-{dtype}-{mode}"]
    rtol = 1e-10 if dtype == "float64" else 2e-5
    params = [ag.tensor(np.asarray(x, dtype), requires_grad=True) for x in INIT]
    opt = _build(name, params)
    _steps(opt, params, mode, dtype, 0, 20)
    for p, want in zip(params, ref["p20"]):
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=rtol, atol=rtol)
    _steps(opt, params, mode, dtype, 20, 50)
    for p, want in zip(params, ref["final"]):
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_torch_state_dict_loads_and_continues_as_torch(name: str, dtype: str) -> None:
    # torch's own checkpoint after step 20 (as NumPy), loaded into a fresh optimizer over
    # torch's parameters of that step, continues to torch's parameters at step 50
    ref = TORCH[f"{name}-{dtype}-none"]
    rtol = 1e-10 if dtype == "float64" else 2e-5
    params = [ag.tensor(np.asarray(x, dtype), requires_grad=True) for x in ref["p20"]]
    opt = _build(name, params)
    opt.load_state_dict(_torch_state_dict(ref["sd20"], dtype))
    _steps(opt, params, "none", dtype, 20, 50)
    for p, want in zip(params, ref["final"]):
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.Adadelta([p], lr=-1.0), "learning rate"),
    (lambda p: optim.Adadelta([p], rho=1.5), "rho"),
    (lambda p: optim.Adadelta([p], eps=-1e-6), "epsilon"),
    (lambda p: optim.Adadelta([p], weight_decay=-0.1), "weight_decay"),
    (lambda p: optim.Rprop([p], lr=-0.1), "learning rate"),
    (lambda p: optim.Rprop([p], etas=(1.2, 0.5)), "eta"),
    (lambda p: optim.ASGD([p], lr=-0.1), "learning rate"),
    (lambda p: optim.ASGD([p], weight_decay=-0.1), "weight_decay"),
])
def test_new_optimizers_check_their_options_as_torch(make, match: str) -> None:
    # torch raises ValueError for each of these at construction
    with pytest.raises(ValueError, match=match):
        make(ag.zeros(2, requires_grad=True))


def test_asgd_defaults_and_state_as_torch() -> None:
    # torch.optim.ASGD([p]) then one step with grad [1, -2] from [0.5, -1] (float64): the
    # step uses eta = 0.01 rounded to float32, ax = p (mu = 1), and the next eta is
    # 0.01 / (1 + 1e-6)^0.75 rounded to float32, as torch keeps eta in a float32 tensor
    p = ag.tensor(np.array([0.5, -1.0]), requires_grad=True)
    opt = optim.ASGD([p])
    assert opt.defaults["lambd"] == 1e-4 and opt.defaults["alpha"] == 0.75
    assert opt.defaults["t0"] == 1e6
    p.grad = ag.tensor(np.array([1.0, -2.0]))
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.4899995002235286, -0.9799990004470572],
                               rtol=1e-12)
    state = opt.state[p]
    np.testing.assert_array_equal(state["ax"], p.detach().numpy())
    assert state["eta"] == 0.009999992325901985 and state["mu"] == 1.0


# -- a float32 Tensor lr on float64 parameters ---------------------------------------------
# torch keeps such an lr a 0-d float32 tensor, so the scalars it makes from it (Adam's
# lr / (1 − β1ᵗ), AdamW's 1 − lr·λ, Adagrad's decayed lr, ASGD's eta...) are rounded to
# float32; chainrule computed them in float64 from float(lr), 1e-7 apart after 30 steps.
TENSOR_LR = json.loads((pathlib.Path(__file__).parent / "torch_values_tensor_lr.json")
                       .read_text())
TENSOR_LR_CONFIGS = {
    "adam": ("Adam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
    "adamw": ("AdamW", dict(weight_decay=0.1)),
    "nadam": ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
    "radam": ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
    "adagrad": ("Adagrad", dict(lr_decay=0.03)),
    "adamax": ("Adamax", {}),
    "asgd": ("ASGD", dict(lambd=0.05)),
}


@pytest.mark.parametrize("name", list(TENSOR_LR_CONFIGS))
def test_float32_tensor_lr_rounds_as_torch(name: str) -> None:
    cls, kwargs = TENSOR_LR_CONFIGS[name]
    params = [ag.tensor(np.asarray(x, np.float64), requires_grad=True) for x in INIT]
    opt = getattr(optim, cls)(params, lr=ag.tensor(0.05), **kwargs)
    for t in range(30):
        for i, p in enumerate(params):
            p.grad = ag.tensor(_grad(i, p.detach().numpy(), t))
        opt.step()
    for p, want in zip(params, TENSOR_LR[name]):
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-13, atol=1e-15)
