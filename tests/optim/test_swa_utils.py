"""optim.swa_utils: AveragedModel (SWA and EMA, with and without buffers), update_bn and
SWALR against torch 2.13's values (torch_values_swa.json, float64), and their errors."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from optim import swa_utils as S

T = json.loads((pathlib.Path(__file__).parent / "torch_values_swa.json").read_text())


def model() -> nn.Sequential:
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)).double()


def put(m: nn.Module, snapshot: dict) -> None:
    m.load_state_dict({k: np.asarray(v) for k, v in snapshot.items()})


def check_state(av: S.AveragedModel, ref: dict) -> None:
    sd = av.state_dict()
    assert list(sd) == list(ref)
    for k, v in ref.items():
        np.testing.assert_allclose(np.asarray(sd[k]), np.asarray(v), rtol=1e-12, atol=1e-14,
                                   err_msg=k)


@pytest.mark.parametrize("name, kwargs", [
    ("default", {}),
    ("ema_multi", {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)}),
    ("swa_multi", {"multi_avg_fn": S.get_swa_multi_avg_fn()}),
    ("ema_avg", {"avg_fn": S.get_ema_avg_fn(0.75)}),
    ("default_buffers", {"use_buffers": True}),
    ("ema_multi_buffers", {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9), "use_buffers": True}),
])
def test_averaged_model_matches_torch_over_updates(name, kwargs) -> None:
    m = model()
    put(m, T["snapshots"][0])
    av = S.AveragedModel(m, **kwargs)
    assert av.module is not m and int(av.n_averaged) == 0
    assert av.n_averaged.dtype == np.int64
    for snap, ref in zip(T["snapshots"], T[name]):
        put(m, snap)
        av.update_parameters(m)
        check_state(av, ref)
    assert int(av.n_averaged) == len(T["snapshots"])


def test_averaged_model_forward_delegates_and_keeps_the_model_apart() -> None:
    ag.manual_seed(0)
    m = nn.Linear(3, 2)
    av = S.AveragedModel(m)
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(av(x).detach().numpy(), m(x).detach().numpy())
    with ag.no_grad():
        m.weight.add_(1.0)
    av.update_parameters(m)  # the first update copies
    av.update_parameters(nn.Linear(3, 2))
    assert not np.allclose(av.module.weight.detach().numpy(), m.weight.detach().numpy())
    assert [k for k, _ in av.named_parameters()] == ["module.weight", "module.bias"]


def test_update_bn_recomputes_running_statistics_as_torch() -> None:
    ref = T["update_bn"]
    m = model()
    put(m, T["snapshots"][0])
    m.eval()
    S.update_bn([(ag.tensor(np.asarray(d)), 0) for d in ref["data"]], m)
    assert m.training is ref["training"]
    assert m[1].momentum == 0.1  # restored
    sd = m.state_dict()
    for k, v in ref["state"].items():
        np.testing.assert_allclose(np.asarray(sd[k]), np.asarray(v), rtol=1e-12, err_msg=k)


def test_update_bn_without_batch_norm_leaves_the_model() -> None:
    m = nn.Linear(2, 2).train(False)
    S.update_bn([ag.zeros(1, 2)], m)
    assert m.training is False


@pytest.mark.parametrize("key", ["cos_0", "cos_3", "linear_0", "linear_3"])
def test_swalr_schedule_matches_torch(key) -> None:
    strategy, anneal = key.split("_")
    p = [ag.zeros(1, requires_grad=True), ag.zeros(1, requires_grad=True)]
    opt = optim.SGD([{"params": [p[0]], "lr": 0.5}, {"params": [p[1]], "lr": 0.2}], lr=1.0)
    sch = S.SWALR(opt, [0.05, 0.01], anneal_epochs=int(anneal), anneal_strategy=strategy)
    assert [g["swa_lr"] for g in opt.param_groups] == [0.05, 0.01]
    got = [sch.get_last_lr()]
    for _ in range(6):
        opt.step()
        sch.step()
        got.append(sch.get_last_lr())
    np.testing.assert_allclose(got, T["swalr"][key], rtol=1e-15, atol=1e-16)


def test_swalr_is_an_lr_scheduler_and_round_trips_its_state() -> None:
    from optim.lr_scheduler import LRScheduler

    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    sch = S.SWALR(opt, 0.1, anneal_epochs=2, anneal_strategy="linear")
    assert isinstance(sch, LRScheduler)
    sd = sch.state_dict()
    assert "optimizer" not in sd and "anneal_func" not in sd
    sch2 = S.SWALR(opt, 0.3)
    sch2.load_state_dict(sd)
    assert sch2.anneal_func(0.5) == 0.5 and sch2.anneal_epochs == 2
    with pytest.warns(UserWarning, match="get_last_lr"):
        sch.get_lr()


def test_errors_as_torch() -> None:
    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        S.SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        S.SWALR(opt, 0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="anneal_epochs"):
        S.SWALR(opt, 0.1, anneal_epochs=2.0)
    with pytest.raises(ValueError, match="swa_lr must have the same length"):
        S.SWALR(opt, [0.1, 0.2])
    with pytest.raises(ValueError, match="Invalid decay value"):
        S.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match="Invalid decay value"):
        S.get_ema_avg_fn(-0.1)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        S.AveragedModel(nn.Linear(2, 2), avg_fn=S.get_swa_avg_fn(),
                        multi_avg_fn=S.get_swa_multi_avg_fn())


def test_optim_loads_swa_utils_lazily() -> None:
    assert optim.swa_utils is S
    assert "swa_utils" in dir(optim)
    # `import optim` alone imports no nn: only swa_utils brings it in
    code = ("import sys, optim; a = 'nn' in sys.modules; optim.swa_utils; "
            "print(a, 'nn' in sys.modules)")
    root = pathlib.Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=True)
    assert out.stdout.split() == ["False", "True"]
