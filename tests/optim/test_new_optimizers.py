"""Adagrad, Adamax, NAdam, RAdam and ``maximize``: checkpoints, allocation, bad input;
and ``Optimizer.load_state_dict``'s checks (a failed load changes nothing, and a step
after a load never stops halfway).  Trajectories against torch: test_torch_reference."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd as ag
import optim

CASES = {
    "adagrad": (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.1,
                                    initial_accumulator_value=0.1)),
    "adagrad-maximize": (optim.Adagrad, dict(lr=0.1, maximize=True)),
    "adamax": (optim.Adamax, dict(lr=0.05, weight_decay=0.1)),
    "adamax-lowbeta": (optim.Adamax, dict(lr=0.05, betas=(0.3, 0.9), maximize=True)),
    "nadam": (optim.NAdam, dict(lr=0.05, weight_decay=0.1)),
    "nadam-decoupled": (optim.NAdam, dict(lr=0.05, weight_decay=0.1,
                                          decoupled_weight_decay=True, maximize=True)),
    "radam": (optim.RAdam, dict(lr=0.05, weight_decay=0.1)),
    "radam-decoupled": (optim.RAdam, dict(lr=0.05, weight_decay=0.1,
                                          decoupled_weight_decay=True, maximize=True)),
    "adam-maximize": (optim.Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.1,
                                       maximize=True)),
    "adamw-maximize": (optim.AdamW, dict(lr=0.05, maximize=True)),
    "rmsprop-maximize": (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True,
                                             weight_decay=0.1, maximize=True)),
}
SHAPES = [(3,), (2, 4), ()]


def initial_values() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.standard_normal(s) for s in SHAPES]


def make_params(dtype=np.float64) -> list[ag.Tensor]:
    return [ag.tensor(v.astype(dtype), requires_grad=True) for v in initial_values()]


def train(opt: optim.Optimizer, params: list[ag.Tensor], start: int, stop: int) -> None:
    for t in range(start, stop):
        for i, p in enumerate(params):
            g = 0.8 * p._data + np.sin(3.0 * p._data + 0.7 * t + i)
            p.grad = ag.tensor(np.asarray(g, dtype=p.dtype))
        opt.step()


@pytest.mark.parametrize("name", list(CASES))
def test_resume_in_fresh_optimizer_matches_uninterrupted(name: str) -> None:
    cls, kwargs = CASES[name]
    straight = make_params()
    train(cls(straight, **kwargs), straight, 0, 20)

    first = make_params()
    opt = cls(first, **kwargs)
    train(opt, first, 0, 8)
    sd = opt.state_dict()
    resumed = [ag.tensor(p._data.copy(), requires_grad=True) for p in first]
    opt2 = cls(resumed, lr=123.0)  # hyperparameters come back from the checkpoint
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    train(opt2, resumed, 8, 20)
    for a, b in zip(straight, resumed):
        if cls is optim.NAdam:
            # as torch: a load casts mu_product (float32 until then) to the float64
            # parameter's dtype, so the resumed run differs by float32 rounding of it
            # (tests/optim/test_parity_optim.py pins torch's resumed values)
            np.testing.assert_allclose(a._data, b._data, rtol=1e-9, atol=1e-9)
        else:
            np.testing.assert_array_equal(a._data, b._data)


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_is_a_copy_and_round_trips(name: str) -> None:
    cls, kwargs = CASES[name]
    params = make_params()
    opt = cls(params, **kwargs)
    train(opt, params, 0, 3)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1, 2]
    for i, p in enumerate(params):
        for k, v in sd["state"][i].items():
            if isinstance(v, np.ndarray):
                assert v is not opt.state[p][k]
                np.testing.assert_array_equal(v, opt.state[p][k])
            else:
                assert v == opt.state[p][k]
    assert sd["state"][0]["step"] == 3


def test_adagrad_state_exists_from_construction_as_torch() -> None:
    p = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.5)
    sd = opt.state_dict()
    assert list(sd["state"]) == [0]
    assert sd["state"][0]["step"] == 0
    np.testing.assert_array_equal(sd["state"][0]["sum"], [0.5, 0.5, 0.5])
    # a parameter added later starts its state on its first step, from the
    # constructor's initial_accumulator_value as torch's (its group's 0.25 is unused)
    q = ag.tensor(np.ones(2), requires_grad=True)
    opt.add_param_group({"params": [q], "initial_accumulator_value": 0.25})
    q.grad = ag.tensor(np.ones(2))
    opt.step()
    np.testing.assert_array_equal(opt.state[q]["sum"], [1.5, 1.5])


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32(name: str) -> None:
    cls, kwargs = CASES[name]
    params = make_params(np.float32)
    opt = cls(params, **kwargs)
    train(opt, params, 0, 3)
    for p in params:
        assert p.dtype == np.float32
        for v in opt.state[p].values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32


@pytest.mark.parametrize("name", list(CASES))
def test_maximize_ascends(name: str) -> None:
    # on f(p) = -(p - 3)² the ascent direction moves p towards 3
    cls, kwargs = CASES[name]
    p = ag.tensor(np.array([0.0, 1.0]), requires_grad=True)
    opt = cls([p], **{**kwargs, "maximize": True, "weight_decay": 0.0})
    for _ in range(5):
        p.grad = ag.tensor(-2.0 * (p._data - 3.0))
        opt.step()
    assert np.all(p._data > [0.0, 1.0])
    assert opt.param_groups[0]["maximize"] is True


def warm_step_peak(name: str, n: int) -> tuple[int, int]:
    cls, kwargs = CASES[name]
    p = ag.tensor(np.linspace(-1.0, 1.0, n), requires_grad=True)
    p.grad = ag.tensor(np.cos(np.linspace(0.0, 3.0, n)))
    opt = cls([p], **kwargs)
    opt.step()  # first step: state and scratch arrays are allocated here
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        opt.step()
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak, p._data.nbytes


@pytest.mark.parametrize("name", list(CASES))
def test_step_allocates_nothing_once_warm(name: str) -> None:
    peak, nbytes = warm_step_peak(name, 200_000)  # 1.6 MB arrays: any temporary would show
    assert peak < nbytes // 10, f"a step allocated {peak} bytes"


@pytest.mark.parametrize("name", list(CASES))
def test_state_buffers_allocated_once(name: str) -> None:
    cls, kwargs = CASES[name]
    params = make_params()
    opt = cls(params, **kwargs)
    train(opt, params, 0, 1)
    buffers = {(id(p), k): v for p in params for k, v in opt.state[p].items()
               if isinstance(v, np.ndarray)}
    assert buffers
    train(opt, params, 1, 4)
    for p in params:
        for k, v in opt.state[p].items():
            if isinstance(v, np.ndarray):
                assert buffers[(id(p), k)] is v, k


def _p() -> ag.Tensor:
    return ag.tensor(np.ones(2), requires_grad=True)


@pytest.mark.parametrize("make,match", [
    (lambda: optim.Adagrad([_p()], lr=-0.1), "lr"),
    (lambda: optim.Adagrad([_p()], lr_decay=-0.1), "lr_decay"),
    (lambda: optim.Adagrad([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.Adagrad([_p()], initial_accumulator_value=-0.1), "initial_accumulator"),
    (lambda: optim.Adagrad([_p()], eps=-1.0), "eps"),
    (lambda: optim.Adamax([_p()], lr=-0.1), "lr"),
    (lambda: optim.Adamax([_p()], eps=-0.1), "eps"),
    (lambda: optim.Adamax([_p()], betas=(1.0, 0.9)), r"betas\[0\]"),
    (lambda: optim.Adamax([_p()], betas=(0.9, 1.0)), r"betas\[1\]"),
    (lambda: optim.Adamax([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.NAdam([_p()], lr=-0.1), "lr"),
    (lambda: optim.NAdam([_p()], eps=-0.1), "eps"),
    (lambda: optim.NAdam([_p()], betas=(-0.1, 0.9)), r"betas\[0\]"),
    (lambda: optim.NAdam([_p()], betas=(0.9, 1.5)), r"betas\[1\]"),
    (lambda: optim.NAdam([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.NAdam([_p()], momentum_decay=-0.1), "momentum_decay"),
    (lambda: optim.RAdam([_p()], lr=-0.1), "lr"),
    (lambda: optim.RAdam([_p()], eps=-0.1), "eps"),
    (lambda: optim.RAdam([_p()], betas=(1.0, 0.9)), r"betas\[0\]"),
    (lambda: optim.RAdam([_p()], betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda: optim.RAdam([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.NAdam([{"params": [_p()], "momentum_decay": -1.0}]), "momentum_decay"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_bad_hyperparameters_raise_value_error(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_implementation_flags_are_accepted_no_ops() -> None:
    ref = make_params()
    train(optim.Adam(ref, lr=0.05), ref, 0, 5)
    for flags in (dict(foreach=True), dict(foreach=False), dict(fused=True),
                  dict(capturable=True), dict(differentiable=False)):
        params = make_params()
        opt = optim.Adam(params, lr=0.05, **flags)
        train(opt, params, 0, 5)
        for a, b in zip(ref, params):
            np.testing.assert_array_equal(a._data, b._data)
        key, value = next(iter(flags.items()))
        assert opt.param_groups[0][key] == value
    for make in (lambda: optim.Adagrad([_p()], foreach=True),
                 lambda: optim.RMSprop([_p()], capturable=True),
                 lambda: optim.SGD([_p()], fused=True),
                 lambda: optim.RAdam([_p()], capturable=True, foreach=True)):
        make()
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        optim.Adam([_p()], fused=True, foreach=True)
    with pytest.raises(RuntimeError, match="differentiable"):
        optim.SGD([_p()], fused=True, differentiable=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        optim.NAdam([_p()], differentiable=True)
    with pytest.raises(TypeError):
        optim.Adamax([_p()], fused=True)  # torch's Adamax has no fused


# -- load_state_dict validates everything before changing anything --------------------

def _trained_adam() -> tuple[optim.Optimizer, list[ag.Tensor], dict]:
    params = make_params()
    opt = optim.Adam(params, lr=0.05)
    train(opt, params, 0, 3)
    return opt, params, opt.state_dict()


def _snapshot(opt: optim.Optimizer) -> tuple:
    return (repr(opt.param_groups),
            {id(p): {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
             for p, s in opt.state.items()})


def _assert_unchanged(opt: optim.Optimizer, before: tuple) -> None:
    groups, state = _snapshot(opt)
    assert groups == before[0]
    assert state.keys() == before[1].keys()
    for pid, s in state.items():
        assert s.keys() == before[1][pid].keys()
        for k, v in s.items():
            np.testing.assert_array_equal(v, before[1][pid][k])


def _edit(sd: dict, fn) -> dict:
    fn(sd)
    return sd


@pytest.mark.parametrize("corrupt,exc,match", [
    (lambda sd: sd["state"][1].pop("exp_avg_sq"), KeyError, "exp_avg_sq"),
    (lambda sd: sd["state"][0].pop("step"), KeyError, "step"),
    (lambda sd: sd["state"][2].update(exp_avg=np.zeros(5)), ValueError, "shape"),
    (lambda sd: sd["state"][1].update(exp_avg=[[0.0] * 4] * 2), ValueError, "list"),
    (lambda sd: sd["state"][1].update(exp_avg=np.array([["a"] * 4] * 2)), ValueError,
     "dtype"),
    (lambda sd: sd["state"][0].update(step="three"), ValueError, "number"),
    (lambda sd: sd["state"].update({7: {}}), ValueError, "index 7"),
    (lambda sd: sd["state"].update({0: 5}), ValueError, "dict"),
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), ValueError,
     "number of parameter groups"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), ValueError, "size"),
    (lambda sd: sd["param_groups"][0].pop("params"), KeyError, "params"),
], ids=["missing-key", "missing-step", "shape", "list", "strings", "step-text",
        "unknown-index", "state-not-dict", "groups", "group-size", "no-params"])
def test_bad_load_raises_and_changes_nothing(corrupt, exc, match: str) -> None:
    opt, params, sd = _trained_adam()
    train(opt, params, 3, 4)  # the optimizer has moved on from sd
    before = _snapshot(opt)
    with pytest.raises(exc, match=match):
        opt.load_state_dict(_edit(sd, corrupt))
    _assert_unchanged(opt, before)
    train(opt, params, 4, 5)  # and still steps


def test_load_casts_state_to_the_parameter_dtype_as_torch() -> None:
    opt, _, sd = _trained_adam()
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].astype(np.float32)
    sd["state"][1]["exp_avg_sq"] = np.ones((2, 4), dtype=np.int64)  # torch casts ints too
    sd["state"][2]["step"] = np.float32(3.0)  # torch saves step as a float tensor
    params32 = make_params(np.float32)
    opt32 = optim.Adam(params32, lr=0.05)
    opt32.load_state_dict(sd)
    for p in params32:
        for k, v in opt32.state[p].items():
            if k != "step":
                assert v.dtype == np.float32, k
    assert opt32.state[params32[2]]["step"] == 3
    train(opt32, params32, 3, 4)  # the step runs through on the cast buffers
    assert all(opt32.state[p]["step"] == 4 for p in params32)


def test_load_into_nadam_checks_mu_product() -> None:
    params = make_params()
    opt = optim.NAdam(params)
    train(opt, params, 0, 2)
    sd = opt.state_dict()
    assert isinstance(sd["state"][0]["mu_product"], float)
    sd["state"][0]["mu_product"] = np.float32(sd["state"][0]["mu_product"])  # as torch's 0-d
    opt.load_state_dict(sd)
    assert isinstance(opt.state[params[0]]["mu_product"], float)
    del sd["state"][1]["mu_product"]
    with pytest.raises(KeyError, match="mu_product"):
        opt.load_state_dict(sd)


def test_empty_state_entry_starts_afresh() -> None:
    opt, params, sd = _trained_adam()
    sd["state"][1] = {}
    opt.load_state_dict(sd)
    assert opt.state[params[1]] == {}
    train(opt, params, 3, 4)
    assert opt.state[params[1]]["step"] == 1


def test_state_keys_as_strings_from_a_json_checkpoint_load() -> None:
    opt, params, sd = _trained_adam()
    fresh = [ag.tensor(p._data.copy(), requires_grad=True) for p in params]
    opt2 = optim.Adam(fresh)
    opt2.load_state_dict({"state": {str(k): v for k, v in sd["state"].items()},
                          "param_groups": sd["param_groups"]})
    train(opt, params, 3, 6)
    train(opt2, fresh, 3, 6)
    for a, b in zip(params, fresh):
        np.testing.assert_array_equal(a._data, b._data)
