"""Optimizer behaviours found to differ from torch 2.13 by a differential audit, each
pinned with torch's answer written in (torch is not a test dependency)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import optim

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta",
         "Rprop", "ASGD"]


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


def _train(ps: list[ag.Tensor], opt: optim.Optimizer, start: int, stop: int) -> None:
    for t in range(start, stop):
        for p in ps:
            p.grad = ag.tensor(np.sin(3 * p._data + 0.5 * t) + p._data)
        opt.step()


def _fresh() -> list[ag.Tensor]:
    return [ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)]


def test_nadam_resumed_in_float64_as_torch() -> None:
    # torch's load_state_dict casts NAdam's float32 mu_product tensor to the float64
    # parameter's dtype; its resumed run (4 steps, save, load, 6 steps, lr=0.1):
    torch_resumed = [0.18349168420774625, -0.5833714110088372, 1.1427948806815225]
    ps = _fresh()
    opt = optim.NAdam(ps, lr=0.1)
    _train(ps, opt, 0, 4)
    sd = opt.state_dict()
    ps2 = [ag.tensor(ps[0]._data.copy(), requires_grad=True)]
    opt2 = optim.NAdam(ps2, lr=0.1)
    opt2.load_state_dict(sd)
    _train(ps2, opt2, 4, 10)
    np.testing.assert_allclose(ps2[0]._data, torch_resumed, rtol=1e-14, atol=0)
    # the float32 path is unchanged: a float32 parameter keeps a float32-rounded Π
    p32 = ag.tensor(np.array([0.5], dtype=np.float32), requires_grad=True)
    o32 = optim.NAdam([p32], lr=0.1)
    _train([p32], o32, 0, 2)
    o32b = optim.NAdam([p32], lr=0.1)
    o32b.load_state_dict(o32.state_dict())
    mu = o32b.state[p32]["mu_product"]
    assert type(mu) is float and mu == float(np.float32(mu))


def test_state_of_another_optimizer_type_as_torch() -> None:
    # torch: NAdam's state loaded into Adam keeps every saved entry and option (the
    # saved group replaces the optimizer's), and Adam steps on with NAdam's moments
    ps = _fresh()
    opt = optim.NAdam(ps, lr=0.1)
    _train(ps, opt, 0, 3)
    adam = optim.Adam(ps, lr=0.5)
    adam.load_state_dict(opt.state_dict())
    assert adam.param_groups[0]["lr"] == 0.1
    assert "momentum_decay" in adam.param_groups[0]
    _train(ps, adam, 3, 5)
    np.testing.assert_allclose(
        ps[0]._data, [0.05933619033661952, -0.5321657496159109, 1.535054277611597],
        rtol=1e-14, atol=0)
    # torch: Adam's group loaded into SGD lacks 'momentum', a KeyError at torch's next
    # step (chainrule's load raises it, changing nothing); chainrule stepped on silently
    # with SGD's own momentum
    ps = _fresh()
    adam = optim.Adam(ps, lr=0.1)
    _train(ps, adam, 0, 2)
    sgd = optim.SGD(ps, lr=0.3, momentum=0.9)
    with pytest.raises(KeyError, match="momentum"):
        sgd.load_state_dict(adam.state_dict())
        _train(ps, sgd, 2, 3)
    assert sgd.param_groups[0]["lr"] == 0.3


def test_loaded_group_missing_a_flag_takes_torchs_fallback() -> None:
    # torch's __setstate__: a checkpoint without 'maximize' (older torch) loads as
    # maximize=False, whatever the optimizer was built with
    ps = _fresh()
    opt = optim.Adam(ps, lr=0.1)
    sd = opt.state_dict()
    del sd["param_groups"][0]["maximize"], sd["param_groups"][0]["amsgrad"]
    other = optim.Adam(_fresh(), lr=0.1, maximize=True, amsgrad=True)
    other.load_state_dict(sd)
    assert other.param_groups[0]["maximize"] is False
    assert other.param_groups[0]["amsgrad"] is False


def test_adam_betas_must_both_be_tensors_or_floats() -> None:
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="both floats or both Tensors"):
        optim.Adam([p], betas=(ag.tensor(0.9), 0.99))
    optim.Adam([p], betas=(ag.tensor(0.9), ag.tensor(0.99)))


def test_default_options_keep_torchs_int_zeros() -> None:
    # torch's signatures: SGD(momentum=0, dampening=0, weight_decay=0), Adam(...,
    # weight_decay=0), RMSprop(weight_decay=0, momentum=0): ints, as repr() shows
    p = ag.zeros(2, requires_grad=True)
    sgd = optim.SGD([p], lr=0.1).param_groups[0]
    assert [type(sgd[k]) for k in ("momentum", "dampening", "weight_decay")] == [int] * 3
    assert type(optim.Adam([p]).param_groups[0]["weight_decay"]) is int
    rms = optim.RMSprop([p]).param_groups[0]
    assert [type(rms[k]) for k in ("momentum", "weight_decay")] == [int] * 2
    assert "    momentum: 0\n" in repr(optim.SGD([p], lr=0.1))


def test_optimizer_hooks_as_torch() -> None:
    # the call order and arguments torch 2.13 gives (args holds the optimizer itself)
    from optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

    log: list = []
    p = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), sorted(k))))
    h2 = opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a), sorted(k))))
    g1 = register_optimizer_step_pre_hook(lambda o, a, k: log.append(("gpre",)))
    g2 = register_optimizer_step_post_hook(lambda o, a, k: log.append(("gpost",)))
    p.grad = ag.ones(2, dtype=ag.float64)
    opt.step()
    opt.step(closure=None)
    h1.remove(), g1.remove(), g2.remove()
    opt.step()
    h2.remove()
    opt.step()
    assert log == [("gpre",), ("pre", 1, []), ("post", 1, []), ("gpost",),
                   ("gpre",), ("pre", 1, ["closure"]), ("post", 1, ["closure"]), ("gpost",),
                   ("post", 1, [])]
    log.clear()
    opt.register_state_dict_pre_hook(lambda o: log.append("sdpre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    sd = opt.state_dict()
    assert sd["extra"] == 1 and log == ["sdpre"]
    opt.register_load_state_dict_pre_hook(
        lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: log.append("lpost"))
    opt.load_state_dict(sd)
    assert "extra" in sd and log == ["sdpre", "lpost"]  # the caller's dict is unchanged
    opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 7}))
    assert opt.step() == 7  # a pre-hook may replace the arguments
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.register_step_pre_hook(lambda o, a, k: 5)
        opt.step()
    import pickle
    assert pickle.loads(pickle.dumps(opt)).param_groups[0]["lr"] == 0.1  # hooks dropped
