"""Checkpoints: an optimizer's state_dict, taken mid-training and loaded into a fresh
optimizer over fresh parameters, continues exactly as uninterrupted training."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd as ag
import optim

SHAPES = [(3,), (2, 4), ()]
TOTAL, SPLIT = 25, 10


def initial_values() -> list[np.ndarray]:
    rng = np.random.default_rng(99)
    return [rng.standard_normal(s) for s in SHAPES]


def gradient(i: int, p: np.ndarray, t: int) -> np.ndarray:
    return 0.8 * p + np.sin(3.0 * p + 0.7 * t + i) + 0.1 * (i + 1)


CASES = {
    "sgd": (optim.SGD, dict(lr=0.1)),
    "sgd-momentum-dampening": (optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.2,
                                               weight_decay=0.01)),
    "sgd-nesterov": (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "adam": (optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
    "adam-amsgrad": (optim.Adam, dict(lr=0.05, amsgrad=True)),
    "adamw": (optim.AdamW, dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    "rmsprop": (optim.RMSprop, dict(lr=0.01, alpha=0.9)),
    "rmsprop-centered-momentum": (optim.RMSprop, dict(lr=0.01, momentum=0.7, centered=True,
                                                      weight_decay=0.1)),
}


def make_params(values: list[np.ndarray], dtype=np.float64) -> list[ag.Tensor]:
    return [ag.tensor(v.astype(dtype), requires_grad=True) for v in values]


def train(opt: optim.Optimizer, params: list[ag.Tensor], start: int, stop: int) -> None:
    for t in range(start, stop):
        opt.zero_grad()
        for i, p in enumerate(params):
            p.grad = ag.tensor(gradient(i, p._data.astype(np.float64), t).astype(p.dtype))
        opt.step()


@pytest.mark.parametrize("name", list(CASES))
def test_resume_in_fresh_optimizer_matches_uninterrupted(name: str) -> None:
    cls, kwargs = CASES[name]
    straight = make_params(initial_values())
    train(cls(straight, **kwargs), straight, 0, TOTAL)

    first = make_params(initial_values())
    opt = cls(first, **kwargs)
    train(opt, first, 0, SPLIT)
    checkpoint = pickle.dumps(opt.state_dict())  # plain data: ints, floats, arrays
    values = [p._data.copy() for p in first]
    del opt, first

    # Fresh parameters with the same values, a fresh optimizer built with the
    # defaults: loading restores the hyperparameters as well as the state.
    resumed = make_params(values)
    opt2 = cls(resumed)
    opt2.load_state_dict(pickle.loads(checkpoint))
    for key, value in kwargs.items():
        assert opt2.param_groups[0][key] == value
    train(opt2, resumed, SPLIT, TOTAL)

    for a, b in zip(resumed, straight):
        np.testing.assert_array_equal(a._data, b._data)
    # ... and without the checkpoint the continuation would differ (the test can fail).
    cold = make_params(values)
    train(cls(cold, **kwargs), cold, SPLIT, TOTAL)
    if name != "sgd":  # plain SGD has no state: a cold restart is the same
        assert not np.allclose(cold[0]._data, straight[0]._data, rtol=0, atol=1e-9)


def test_layout_as_torch() -> None:
    a, b, c = make_params(initial_values())
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    for i, p in enumerate((a, c)):  # b gets no gradient: no state
        p.grad = ag.tensor(np.ones_like(p._data) * (i + 1))
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][0] == dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8,
                                         weight_decay=0.0, amsgrad=False, maximize=False,
                                         foreach=None, capturable=False,
                                         differentiable=False, fused=None,
                                         decoupled_weight_decay=False, params=[0, 1])
    assert sd["param_groups"][1]["lr"] == 0.5
    assert list(sd["state"]) == [0, 2]  # keyed by index across groups
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["step"] == 1
    assert isinstance(sd["state"][2]["exp_avg"], np.ndarray)
    assert sd["state"][2]["exp_avg"].shape == ()


def test_state_dict_holds_copies() -> None:
    params = make_params(initial_values())
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, 0, 3)
    sd = opt.state_dict()
    buf = sd["state"][0]["momentum_buffer"]
    assert buf is not opt.state[params[0]]["momentum_buffer"]
    expected = opt.state[params[0]]["momentum_buffer"].copy()
    buf[...] = 123.0
    sd["param_groups"][0]["lr"] = 7.0
    np.testing.assert_array_equal(opt.state[params[0]]["momentum_buffer"], expected)
    assert opt.param_groups[0]["lr"] == 0.1

    # Loading copies too: changing the dict afterwards leaves the optimizer alone.
    sd = opt.state_dict()
    opt2 = optim.SGD(make_params(initial_values()), lr=0.1)
    opt2.load_state_dict(sd)
    sd["state"][0]["momentum_buffer"][...] = -1.0
    np.testing.assert_array_equal(opt2.state[opt2.param_groups[0]["params"][0]]
                                  ["momentum_buffer"], expected)


def test_load_keeps_group_dicts_and_restores_options() -> None:
    params = make_params(initial_values())
    opt = optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True)
    train(opt, params, 0, 2)
    sd = opt.state_dict()
    fresh = optim.SGD(make_params(initial_values()), lr=0.5)
    group = fresh.param_groups[0]
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0] is group
    assert group["lr"] == 0.1 and group["momentum"] == 0.9 and group["nesterov"] is True
    assert all(p is q for p, q in zip(group["params"], fresh.param_groups[0]["params"]))


def test_load_casts_state_to_parameter_dtype() -> None:
    p64 = make_params(initial_values())
    opt = optim.Adam(p64, lr=0.05, amsgrad=True)
    train(opt, p64, 0, 4)
    p32 = make_params([p._data for p in p64], np.float32)
    opt32 = optim.Adam(p32)
    opt32.load_state_dict(opt.state_dict())
    for p in p32:
        for key, value in opt32.state[p].items():
            if key == "step":
                assert value == 4
            else:
                assert value.dtype == np.float32, key
    train(opt32, p32, 4, 8)
    assert all(p.dtype == np.float32 for p in p32)


def test_load_accepts_tensor_and_0d_step_entries() -> None:
    # torch checkpoints store ``step`` as a 0-d tensor and buffers as tensors.
    params = make_params(initial_values())
    opt = optim.Adam(params, lr=0.05)
    train(opt, params, 0, 3)
    sd = opt.state_dict()
    for s in sd["state"].values():
        s["step"] = np.array(float(s["step"]), dtype=np.float32)
        s["exp_avg"] = ag.tensor(s["exp_avg"])
    opt2 = optim.Adam(make_params([p._data for p in params]))
    opt2.load_state_dict(sd)
    p0 = opt2.param_groups[0]["params"][0]
    assert opt2.state[p0]["step"] == 3 and isinstance(opt2.state[p0]["step"], int)
    assert isinstance(opt2.state[p0]["exp_avg"], np.ndarray)


def _trained_adam() -> tuple[optim.Adam, dict]:
    params = make_params(initial_values())
    opt = optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.3}], lr=0.05)
    train(opt, params, 0, 2)
    return opt, opt.state_dict()


def test_load_mismatched_group_count_raises() -> None:
    _, sd = _trained_adam()
    other = optim.Adam(make_params(initial_values()))
    with pytest.raises(ValueError, match="number of parameter groups"):
        other.load_state_dict(sd)


def test_load_mismatched_group_size_raises() -> None:
    _, sd = _trained_adam()
    a, b, c = make_params(initial_values())
    other = optim.Adam([{"params": [a]}, {"params": [b, c]}])
    with pytest.raises(ValueError, match=r"param_groups\[0\].*2.*1"):
        other.load_state_dict(sd)


def test_load_mismatched_shape_raises_and_changes_nothing() -> None:
    _, sd = _trained_adam()
    values = initial_values()
    values[1] = np.zeros((4, 2))  # same size, another shape
    params = make_params(values)
    other = optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.3}], lr=0.01)
    with pytest.raises(ValueError, match=r"state\[1\]\['exp_avg'\].*\(2, 4\).*\(4, 2\)"):
        other.load_state_dict(sd)
    assert len(other.state) == 0 and other.param_groups[0]["lr"] == 0.01


def test_load_state_for_unknown_index_raises() -> None:
    _, sd = _trained_adam()
    sd["state"][7] = sd["state"][0]
    other = optim.Adam([{"params": make_params(initial_values())[:2]},
                        {"params": make_params(initial_values())[2:]}])
    with pytest.raises(ValueError, match="index 7"):
        other.load_state_dict(sd)


def test_load_requires_a_state_dict() -> None:
    opt = optim.SGD(make_params(initial_values()), lr=0.1)
    with pytest.raises(KeyError, match="param_groups"):  # torch's class
        opt.load_state_dict({"state": {}})
    with pytest.raises(TypeError):
        opt.load_state_dict([{}, []])


def test_resume_with_scheduler() -> None:
    from optim.lr_scheduler import StepLR

    def build(values):
        params = make_params(values)
        opt = optim.SGD(params, lr=0.1, momentum=0.9)
        return params, opt, StepLR(opt, step_size=4, gamma=0.5)

    def epochs(params, opt, sched, start, stop):
        for t in range(start, stop):
            train(opt, params, t, t + 1)
            sched.step()

    straight = build(initial_values())
    epochs(*straight, 0, 12)
    params, opt, sched = build(initial_values())
    epochs(params, opt, sched, 0, 5)
    saved = pickle.dumps((opt.state_dict(), sched.state_dict(), [p._data for p in params]))
    opt_sd, sched_sd, values = pickle.loads(saved)
    params2, opt2, sched2 = build(values)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    epochs(params2, opt2, sched2, 5, 12)
    assert sched2.get_last_lr() == straight[2].get_last_lr()
    assert sched2.last_epoch == 12
    for a, b in zip(params2, straight[0]):
        np.testing.assert_array_equal(a._data, b._data)
