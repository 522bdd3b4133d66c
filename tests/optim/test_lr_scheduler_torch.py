"""The new schedulers against torch 2.13's own sequences, number for number.

Every expected value was computed once by ``torch.optim.lr_scheduler`` with the same
construction (two parameter groups, lr 0.1 and 0.03), ``optimizer.step()`` before
each ``scheduler.step()``; torch is not a test dependency. Also: resume from a
state_dict, torch's closed form for ``step(epoch)``, and bad arguments.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as L

PLATEAU_METRICS = [
    1.0,
    0.9,
    0.9,
    0.95,
    0.91,
    0.89,
    0.9,
    0.9,
    0.9,
    0.9,
    0.9,
    0.9,
    0.9,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
]

# name: (optimizer, scheduler factory, number of steps)
CONFIGS = {
    "multistep": ("sgd", lambda o: L.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.5), 16),
    "multistep-unsorted": ("sgd", lambda o: L.MultiStepLR(o, milestones=[12, 3]), 16),
    "constant-default": ("sgd", lambda o: L.ConstantLR(o), 8),
    "constant": ("sgd", lambda o: L.ConstantLR(o, factor=0.5, total_iters=3), 8),
    "linear-default": ("sgd", lambda o: L.LinearLR(o), 8),
    "linear": (
        "sgd",
        lambda o: L.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=8),
        12,
    ),
    "linear-down": (
        "adam",
        lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=4),
        6,
    ),
    "onecycle-sgd": ("sgd", lambda o: L.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=20), 20),
    "onecycle-adam": (
        "adam",
        lambda o: L.OneCycleLR(
            o, max_lr=0.01, total_steps=15, three_phase=True, anneal_strategy="linear"
        ),
        15,
    ),
    "onecycle-epochs": (
        "rmsprop",
        lambda o: L.OneCycleLR(
            o,
            max_lr=0.3,
            epochs=3,
            steps_per_epoch=4,
            pct_start=0.25,
            div_factor=10.0,
            final_div_factor=100.0,
            base_momentum=0.8,
            max_momentum=0.9,
        ),
        12,
    ),
    "onecycle-nomomentum": (
        "adagrad",
        lambda o: L.OneCycleLR(o, max_lr=0.2, total_steps=10, cycle_momentum=False),
        10,
    ),
    "warm-restarts": (
        "sgd",
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
        20,
    ),
    "warm-restarts-default": ("sgd", lambda o: L.CosineAnnealingWarmRestarts(o, T_0=4), 12),
    "sequential": (
        "sgd",
        lambda o: L.SequentialLR(
            o, [L.LinearLR(o, 0.1, total_iters=3), L.ExponentialLR(o, 0.9)], milestones=[3]
        ),
        12,
    ),
    "sequential3": (
        "sgd",
        lambda o: L.SequentialLR(
            o,
            [L.ConstantLR(o, 0.5, 2), L.CosineAnnealingLR(o, T_max=4), L.MultiStepLR(o, [2, 4])],
            milestones=[2, 6],
        ),
        14,
    ),
    "plateau": (
        "sgd",
        lambda o: L.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1, min_lr=[0.01, 0.005]),
        20,
    ),
    "plateau-max-abs": (
        "sgd",
        lambda o: L.ReduceLROnPlateau(
            o, mode="max", threshold_mode="abs", threshold=0.1, patience=1, eps=1e-3
        ),
        20,
    ),
    "plateau-default": ("sgd", lambda o: L.ReduceLROnPlateau(o), 20),
}

CLOSED_FORM = {
    "multistep": [5, 2, 9, 13, 0],
    "constant": [5, 2, 0, 3],
    "linear": [5, 2, 9, 0, 8],
    "warm-restarts": [5, 2.5, 9, 13.25, 0, 30],
    "warm-restarts-default": [5, 2.5, 9, 0],
}

# fmt: off
TORCH = {
    'multistep':
        [[0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.05, 0.015], [0.05, 0.015], [0.05, 0.015],
        [0.05, 0.015], [0.0125, 0.00375], [0.0125, 0.00375], [0.0125, 0.00375], [0.0125, 0.00375],
        [0.0125, 0.00375], [0.00625, 0.001875], [0.00625, 0.001875], [0.00625, 0.001875],
        [0.00625, 0.001875], [0.00625, 0.001875]],
    'multistep-unsorted':
        [[0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.010000000000000002, 0.003],
        [0.010000000000000002, 0.003], [0.010000000000000002, 0.003], [0.010000000000000002,
        0.003], [0.010000000000000002, 0.003], [0.010000000000000002, 0.003],
        [0.010000000000000002, 0.003], [0.010000000000000002, 0.003], [0.010000000000000002,
        0.003], [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003]],
    'constant-default':
        [[0.03333333333333333, 0.009999999999999998], [0.03333333333333333, 0.009999999999999998],
        [0.03333333333333333, 0.009999999999999998], [0.03333333333333333, 0.009999999999999998],
        [0.03333333333333333, 0.009999999999999998], [0.1, 0.029999999999999995], [0.1,
        0.029999999999999995], [0.1, 0.029999999999999995], [0.1, 0.029999999999999995]],
    'constant':
        [[0.05, 0.015], [0.05, 0.015], [0.05, 0.015], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1,
        0.03], [0.1, 0.03], [0.1, 0.03]],
    'linear-default':
        [[0.03333333333333333, 0.009999999999999998], [0.04666666666666667, 0.013999999999999999],
        [0.060000000000000005, 0.018], [0.07333333333333335, 0.022], [0.08666666666666668, 0.026],
        [0.1, 0.029999999999999995], [0.1, 0.029999999999999995], [0.1, 0.029999999999999995],
        [0.1, 0.029999999999999995]],
    'linear':
        [[0.025, 0.0075], [0.03125, 0.009375], [0.0375, 0.01125], [0.043750000000000004,
        0.013125], [0.05, 0.015], [0.05625, 0.016875], [0.0625, 0.018750000000000003], [0.06875,
        0.020625000000000004], [0.075, 0.022500000000000003], [0.075, 0.022500000000000003],
        [0.075, 0.022500000000000003], [0.075, 0.022500000000000003], [0.075,
        0.022500000000000003]],
    'linear-down':
        [[0.1, 0.03], [0.07500000000000001, 0.0225], [0.05000000000000001, 0.015000000000000001],
        [0.025000000000000005, 0.007500000000000001], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    'onecycle-sgd':
        [[0.020000000000000018, 0.008000000000000007], [0.06583592135001265,
        0.026334368540005065], [0.18583592135001265, 0.07433436854000505], [0.3341640786499874,
        0.13366563145999494], [0.45416407864998737, 0.18166563145999495], [0.5, 0.2],
        [0.49373200311754367, 0.19749280124701749], [0.47524231600673683, 0.19009692640269477],
        [0.445458088785525, 0.17818323551421], [0.40587282697488153, 0.1623491307899526],
        [0.3584715008956504, 0.14338860035826018], [0.30563101096814466, 0.12225240438725786],
        [0.250001, 0.1000004], [0.19437098903185537, 0.07774839561274215], [0.14153049910434962,
        0.056612199641739844], [0.09412917302511849, 0.0376516692100474], [0.05454391121447502,
        0.021817564485790007], [0.024759683993263143, 0.009903873597305258],
        [0.006269996882456277, 0.002507998752982511], [2e-06, 8e-07], [0.006269996882456277,
        0.002507998752982511]],
    'onecycle-adam':
        [[0.0004, 0.0004], [0.003142857142857143, 0.003142857142857143], [0.005885714285714286,
        0.005885714285714286], [0.008628571428571428, 0.008628571428571428],
        [0.008628571428571428, 0.008628571428571428], [0.005885714285714286,
        0.005885714285714286], [0.0031428571428571426, 0.0031428571428571426],
        [0.0003999999999999993, 0.0003999999999999993], [0.00034286285714285716,
        0.00034286285714285716], [0.0002857257142857143, 0.0002857257142857143],
        [0.00022858857142857143, 0.00022858857142857143], [0.00017145142857142857,
        0.00017145142857142857], [0.00011431428571428569, 0.00011431428571428569],
        [5.7177142857142834e-05, 5.7177142857142834e-05], [3.999999999997929e-08,
        3.999999999997929e-08], [-5.7097142857142876e-05, -5.7097142857142876e-05]],
    'onecycle-epochs':
        [[0.02999999999999997, 0.02999999999999997], [0.16499999999999998, 0.16499999999999998],
        [0.3, 0.3], [0.29096293922476835, 0.29096293922476835], [0.26494175980137885,
        0.26494175980137885], [0.22507499999999997, 0.22507499999999997], [0.1761711794233895,
        0.1761711794233895], [0.12412882057661047, 0.12412882057661047], [0.07522500000000001,
        0.07522500000000001], [0.03535824019862116, 0.03535824019862116], [0.009337060775231637,
        0.009337060775231637], [0.0003, 0.0003], [0.009337060775231621, 0.009337060775231621]],
    'onecycle-nomomentum':
        [[0.008000000000000007, 0.008000000000000007], [0.10400000000000001, 0.10400000000000001],
        [0.2, 0.2], [0.19009692640269477, 0.19009692640269477], [0.1623491307899526,
        0.1623491307899526], [0.12225240438725786, 0.12225240438725786], [0.07774839561274215,
        0.07774839561274215], [0.0376516692100474, 0.0376516692100474], [0.009903873597305258,
        0.009903873597305258], [8e-07, 8e-07], [0.009903873597305247, 0.009903873597305247]],
    'warm-restarts':
        [[0.1, 0.03], [0.07525000000000001, 0.02275], [0.025750000000000012,
        0.008250000000000004], [0.1, 0.03], [0.09336825748732973, 0.02805736835487436],
        [0.07525000000000001, 0.02275], [0.0505, 0.0155], [0.025750000000000012,
        0.008250000000000004], [0.007631742512670284, 0.002942631645125639], [0.1, 0.03],
        [0.09831332840130888, 0.02950592448119149], [0.09336825748732973, 0.02805736835487436],
        [0.0855017856687341, 0.025753048327204937], [0.07525000000000001, 0.02275],
        [0.06331154273257478, 0.01925287615398655], [0.0505, 0.0155], [0.03768845726742523,
        0.011747123846013448], [0.025750000000000012, 0.008250000000000004], [0.0154982143312659,
        0.0052469516727950615], [0.007631742512670284, 0.002942631645125639],
        [0.0026866715986911243, 0.001494075518808511]],
    'warm-restarts-default':
        [[0.1, 0.03], [0.08535533905932738, 0.02560660171779821], [0.05, 0.015],
        [0.014644660940672627, 0.004393398282201788], [0.1, 0.03], [0.08535533905932738,
        0.02560660171779821], [0.05, 0.015], [0.014644660940672627, 0.004393398282201788], [0.1,
        0.03], [0.08535533905932738, 0.02560660171779821], [0.05, 0.015], [0.014644660940672627,
        0.004393398282201788], [0.1, 0.03]],
    'sequential':
        [[0.010000000000000002, 0.003], [0.04, 0.011999999999999999], [0.07,
        0.020999999999999998], [0.1, 0.03], [0.09000000000000001, 0.027], [0.08100000000000002,
        0.0243], [0.07290000000000002, 0.02187], [0.06561000000000002, 0.019683000000000003],
        [0.05904900000000002, 0.017714700000000003], [0.05314410000000002, 0.015943230000000003],
        [0.04782969000000002, 0.014348907000000003], [0.043046721000000024, 0.012914016300000003],
        [0.03874204890000002, 0.011622614670000003]],
    'sequential3':
        [[0.05, 0.015], [0.05, 0.015], [0.1, 0.03], [0.08535533905932738, 0.02560660171779821],
        [0.05, 0.014999999999999998], [0.014644660940672627, 0.004393398282201788], [0.1, 0.03],
        [0.1, 0.03], [0.010000000000000002, 0.003], [0.010000000000000002, 0.003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003]],
    'plateau':
        [[0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.05, 0.015], [0.05,
        0.015], [0.05, 0.015], [0.05, 0.015], [0.025, 0.0075], [0.025, 0.0075], [0.025, 0.0075],
        [0.025, 0.0075], [0.0125, 0.005], [0.0125, 0.005], [0.0125, 0.005], [0.0125, 0.005],
        [0.01, 0.005], [0.01, 0.005], [0.01, 0.005], [0.01, 0.005]],
    'plateau-max-abs':
        [[0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.010000000000000002, 0.003],
        [0.010000000000000002, 0.003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003],
        [0.0010000000000000002, 0.00030000000000000003], [0.0010000000000000002,
        0.00030000000000000003], [0.0010000000000000002, 0.00030000000000000003]],
    'plateau-default':
        [[0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1,
        0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1,
        0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1, 0.03], [0.1,
        0.03]],
}

TORCH_MOMENTUM = {
    'onecycle-sgd':
        [[0.95, 0.95], [0.9404508497187474, 0.9404508497187474], [0.9154508497187474,
        0.9154508497187474], [0.8845491502812526, 0.8845491502812526], [0.8595491502812526,
        0.8595491502812526], [0.85, 0.85], [0.8512536043909088, 0.8512536043909088],
        [0.854951556604879, 0.854951556604879], [0.8609084258765984, 0.8609084258765984],
        [0.8688255099070633, 0.8688255099070633], [0.878305813044122, 0.878305813044122],
        [0.8888739533021842, 0.8888739533021842], [0.8999999999999999, 0.8999999999999999],
        [0.9111260466978157, 0.9111260466978157], [0.9216941869558779, 0.9216941869558779],
        [0.9311744900929366, 0.9311744900929366], [0.9390915741234015, 0.9390915741234015],
        [0.945048443395121, 0.945048443395121], [0.9487463956090911, 0.9487463956090911], [0.95,
        0.95], [0.9487463956090911, 0.9487463956090911]],
    'onecycle-adam':
        [[0.95, 0.95], [0.9214285714285714, 0.9214285714285714], [0.8928571428571428,
        0.8928571428571428], [0.8642857142857143, 0.8642857142857143], [0.8642857142857142,
        0.8642857142857142], [0.8928571428571428, 0.8928571428571428], [0.9214285714285714,
        0.9214285714285714], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95],
        [0.95, 0.95], [0.95, 0.95], [0.95, 0.95], [0.95, 0.95]],
    'onecycle-epochs':
        [[0.9, 0.9], [0.8500000000000001, 0.8500000000000001], [0.8, 0.8], [0.8030153689607046,
        0.8030153689607046], [0.8116977778440512, 0.8116977778440512], [0.8250000000000001,
        0.8250000000000001], [0.8413175911166535, 0.8413175911166535], [0.8586824088833466,
        0.8586824088833466], [0.875, 0.875], [0.8883022221559489, 0.8883022221559489],
        [0.8969846310392955, 0.8969846310392955], [0.9, 0.9], [0.8969846310392955,
        0.8969846310392955]],
    'onecycle-nomomentum':
        [[None, None], [None, None], [None, None], [None, None], [None, None], [None, None],
        [None, None], [None, None], [None, None], [None, None], [None, None]],
}

TORCH_CLOSED_FORM = {
    'multistep':
        [[0.05, 0.015], [0.1, 0.03], [0.0125, 0.00375], [0.00625, 0.001875], [0.1, 0.03]],
    'constant':
        [[0.1, 0.03], [0.05, 0.015], [0.05, 0.015], [0.1, 0.03]],
    'linear':
        [[0.05625, 0.016875], [0.037500000000000006, 0.01125], [0.07500000000000001, 0.0225],
        [0.025, 0.0075], [0.07500000000000001, 0.0225]],
    'warm-restarts':
        [[0.07525000000000001, 0.02275], [0.007631742512670284, 0.002942631645125639], [0.1,
        0.03], [0.07239329016584056, 0.021913186008175517], [0.1, 0.03], [0.06944282990207196,
        0.021048909769293803]],
    'warm-restarts-default':
        [[0.08535533905932738, 0.02560660171779821], [0.030865828381745515, 0.009259748514523655],
        [0.08535533905932738, 0.02560660171779821], [0.1, 0.03]],
}

# fmt: on


def make_opt(kind: str) -> optim.Optimizer:
    a = ag.tensor(np.ones(3), requires_grad=True)
    b = ag.tensor(np.ones(2), requires_grad=True)
    groups = [{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.03}]
    if kind == "sgd":
        return optim.SGD(groups, momentum=0.9)
    if kind == "adam":
        return optim.Adam(groups)
    if kind == "rmsprop":
        return optim.RMSprop(groups, momentum=0.5)
    return optim.Adagrad(groups)


def momenta(o: optim.Optimizer) -> list:
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in o.param_groups]


def advance(name: str, o: optim.Optimizer, s, t: int) -> None:
    o.step()
    if "plateau" in name:
        s.step(PLATEAU_METRICS[t])
    else:
        s.step()


def run(name: str, stop: int | None = None, start: int = 0, o=None, s=None):
    kind, make, n = CONFIGS[name]
    if o is None:
        o = make_opt(kind)
        s = make(o)
    lrs, moms = [s.get_last_lr()], [momenta(o)]
    for t in range(start, n if stop is None else stop):
        advance(name, o, s, t)
        lrs.append(s.get_last_lr())
        moms.append(momenta(o))
    return o, s, lrs, moms


@pytest.mark.parametrize("name", list(CONFIGS))
def test_sequence_equals_torch(name: str) -> None:
    o, _, lrs, moms = run(name)
    np.testing.assert_allclose(lrs, TORCH[name], rtol=1e-13, atol=1e-16)
    assert [g["lr"] for g in o.param_groups] == lrs[-1]
    if name in TORCH_MOMENTUM:
        np.testing.assert_allclose(
            np.array(moms, dtype=float), np.array(TORCH_MOMENTUM[name], dtype=float), rtol=1e-13
        )


@pytest.mark.parametrize("name", list(CLOSED_FORM))
def test_step_with_epoch_is_torch_closed_form(name: str) -> None:
    kind, make, _ = CONFIGS[name]
    o = make_opt(kind)
    s = make(o)
    got = []
    for e in CLOSED_FORM[name]:
        o.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s.step(e)
        got.append(s.get_last_lr())
    np.testing.assert_allclose(got, TORCH_CLOSED_FORM[name], rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("split", [1, 5])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_resume_from_state_dict_continues_identically(name: str, split: int) -> None:
    _, _, straight, straight_moms = run(name)
    o, s, _, _ = run(name, stop=split)
    opt_sd, sched_sd = o.state_dict(), s.state_dict()
    kind, make, _ = CONFIGS[name]
    o2 = make_opt(kind)
    s2 = make(o2)  # built fresh, then both states loaded
    o2.load_state_dict(opt_sd)
    s2.load_state_dict(sched_sd)
    assert s2.get_last_lr() == straight[split]
    _, _, lrs, moms = run(name, start=split, o=o2, s=s2)
    assert lrs == straight[split:]
    assert moms == straight_moms[split:]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_is_a_copy(name: str) -> None:
    o, s, _, _ = run(name, stop=3)
    sd = s.state_dict()
    assert "optimizer" not in sd
    run(name, start=3, stop=6, o=o, s=s)
    assert s.state_dict() != sd  # the saved one did not move on with the scheduler


def _opt(kind: str = "sgd") -> optim.Optimizer:
    return make_opt(kind)


@pytest.mark.parametrize("make,exc,match", [
    (lambda: L.LinearLR(_opt(), start_factor=0.0), ValueError, "Starting multiplicative"),
    (lambda: L.LinearLR(_opt(), start_factor=1.5), ValueError, "Starting multiplicative"),
    (lambda: L.LinearLR(_opt(), end_factor=-0.1), ValueError, "Ending multiplicative"),
    (lambda: L.LinearLR(_opt(), end_factor=1.1), ValueError, "Ending multiplicative"),
    (lambda: L.ConstantLR(_opt(), factor=1.5), ValueError, "Constant multiplicative"),
    (lambda: L.ConstantLR(_opt(), factor=-0.5), ValueError, "Constant multiplicative"),
    (lambda: L.MultiStepLR(_opt(), milestones=[2.5]), TypeError, "integers"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1), ValueError, "total_steps OR"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=0), ValueError, "total_steps"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=2.5), ValueError, "total_steps"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, epochs=0, steps_per_epoch=3), ValueError,
     "epochs"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, epochs=2, steps_per_epoch=-1), ValueError,
     "steps_per_epoch"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=10, pct_start=1.5), ValueError,
     "pct_start"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=10, pct_start=1), ValueError,
     "pct_start"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy"),
    (lambda: L.OneCycleLR(_opt(), max_lr=[0.1, 0.2, 0.3], total_steps=10), ValueError,
     "max_lr"),
    (lambda: L.OneCycleLR(_opt(), max_lr=0.1, total_steps=10, max_momentum=[0.9]),
     ValueError, "max_momentum"),
    (lambda: L.OneCycleLR(_opt("adagrad"), max_lr=0.1, total_steps=10), ValueError,
     "momentum"),
    (lambda: L.OneCycleLR(object(), max_lr=0.1, total_steps=10), TypeError,
     "not an Optimizer"),
    (lambda: L.CosineAnnealingWarmRestarts(_opt(), T_0=0), ValueError, "T_0"),
    (lambda: L.CosineAnnealingWarmRestarts(_opt(), T_0=2.0), ValueError, "T_0"),
    (lambda: L.CosineAnnealingWarmRestarts(_opt(), T_0=2, T_mult=0), ValueError, "T_mult"),
    (lambda: L.CosineAnnealingWarmRestarts(_opt(), T_0=2, T_mult=1.5), ValueError, "T_mult"),
    (lambda: L.CosineAnnealingWarmRestarts(_opt(), T_0=2, eta_min="0"), ValueError,
     "eta_min"),
    (lambda: L.ReduceLROnPlateau(_opt(), factor=1.0), ValueError, "Factor"),
    (lambda: L.ReduceLROnPlateau(_opt(), mode="up"), ValueError, "mode up"),
    (lambda: L.ReduceLROnPlateau(_opt(), threshold_mode="pct"), ValueError, "threshold mode"),
    (lambda: L.ReduceLROnPlateau(_opt(), min_lr=[0.1]), ValueError, "min_lrs"),
    (lambda: L.ReduceLROnPlateau(object()), TypeError, "not an Optimizer"),
    (lambda: L.SequentialLR(_opt(), [], []), ValueError, "at least one"),
    (lambda: L.SequentialLR(_opt(), [object()], []), TypeError, "optimizer"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_bad_arguments_raise(make, exc, match: str) -> None:
    with pytest.raises(exc, match=match):
        make()


def test_sequential_lr_bad_schedulers_and_milestones() -> None:
    o = _opt()
    a, b = L.ConstantLR(o), L.ExponentialLR(o, 0.9)
    with pytest.raises(ValueError, match="number of milestones"):
        L.SequentialLR(o, [a, b], milestones=[2, 4])
    with pytest.raises(ValueError, match="strictly increasing"):
        L.SequentialLR(o, [a, b, L.StepLR(o, 2)], milestones=[4, 4])
    with pytest.raises(ValueError, match="strictly increasing"):
        L.SequentialLR(o, [a, b, L.StepLR(o, 2)], milestones=[5, 3])
    with pytest.raises(ValueError, match="same optimizer"):
        L.SequentialLR(o, [a, L.ExponentialLR(_opt(), 0.9)], milestones=[2])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        L.SequentialLR(o, [a, L.ReduceLROnPlateau(o)], milestones=[2])


def test_one_cycle_past_total_steps_raises_and_changes_nothing() -> None:
    o = _opt()
    s = L.OneCycleLR(o, max_lr=0.5, total_steps=4)
    for _ in range(4):  # torch allows total_steps calls of step()
        o.step()
        s.step()
    lr, epoch, count = s.get_last_lr(), s.last_epoch, s._step_count
    with pytest.raises(ValueError, match="Tried to step 5 times.*total steps is 4"):
        s.step()
    assert (s.get_last_lr(), s.last_epoch, s._step_count) == (lr, epoch, count)
    assert [g["lr"] for g in o.param_groups] == lr


# torch's lrs over 3 steps after a group (lr 0.5) is added to the optimizer once the
# scheduler was built: a schedule computed from the current lrs goes on over it
AFTER_ADDED_GROUP = {
    "multistep": [[0.1, 0.03, 0.5], [0.1, 0.03, 0.5], [0.05, 0.015, 0.25]],
    "multistep-unsorted": [[0.1, 0.03, 0.5], [0.1, 0.03, 0.5], [0.01, 0.003, 0.05]],
    "constant-default": [[0.033333333333333, 0.01, 0.5]] * 3,
    "constant": [[0.05, 0.015, 0.5], [0.05, 0.015, 0.5], [0.1, 0.03, 1.0]],
    "linear-default": [[0.046666666666667, 0.014, 0.7], [0.06, 0.018, 0.9],
                       [0.073333333333333, 0.022, 1.1]],
    "linear": [[0.03125, 0.009375, 0.625], [0.0375, 0.01125, 0.75],
               [0.04375, 0.013125, 0.875]],
    "linear-down": [[0.075, 0.0225, 0.375], [0.05, 0.015, 0.25], [0.025, 0.0075, 0.125]],
}
# and one computed from base_lrs (or needing per-group keys) raises torch's class
RAISES_AFTER_ADDED_GROUP = {
    "onecycle-sgd": KeyError, "onecycle-adam": KeyError, "onecycle-epochs": KeyError,
    "onecycle-nomomentum": KeyError, "warm-restarts": ValueError,
    "warm-restarts-default": ValueError,
}


@pytest.mark.parametrize("name", list(AFTER_ADDED_GROUP))
def test_a_group_added_after_the_scheduler_follows_torch(name: str) -> None:
    kind, make, _ = CONFIGS[name]
    o = make_opt(kind)
    s = make(o)
    o.add_param_group({"params": [ag.tensor(np.ones(1), requires_grad=True)], "lr": 0.5})
    got = []
    for _ in range(3):
        o.step()
        s.step()
        got.append([g["lr"] for g in o.param_groups])
    np.testing.assert_allclose(got, AFTER_ADDED_GROUP[name], rtol=1e-12)


@pytest.mark.parametrize("name", list(RAISES_AFTER_ADDED_GROUP))
def test_a_group_added_after_a_base_lr_schedule_raises(name: str) -> None:
    kind, make, _ = CONFIGS[name]
    o = make_opt(kind)
    s = make(o)
    o.add_param_group({"params": [ag.tensor(np.ones(1), requires_grad=True)], "lr": 0.5})
    lrs = [g["lr"] for g in o.param_groups]
    with pytest.raises(RAISES_AFTER_ADDED_GROUP[name]):
        s.step()
    # nothing half-done (torch has set the first groups' lrs when it notices)
    assert [g["lr"] for g in o.param_groups] == lrs


def test_sequential_raises_when_its_next_scheduler_cannot_follow_a_new_group() -> None:
    # torch: LinearLR steps on over the new group, ExponentialLR restarted at the
    # milestone from base_lrs raises ValueError (3 steps: 2 done, the third raises)
    kind, make, _ = CONFIGS["sequential"]
    o = make_opt(kind)
    s = make(o)
    o.add_param_group({"params": [ag.tensor(np.ones(1), requires_grad=True)], "lr": 0.5})
    got = []
    with pytest.raises(ValueError, match="parameter group"):
        for _ in range(3):
            o.step()
            s.step()
            got.append([g["lr"] for g in o.param_groups])
    np.testing.assert_allclose(got, [[0.04, 0.012, 2.0], [0.07, 0.021, 3.5]], rtol=1e-12)
    assert [g["lr"] for g in o.param_groups] == pytest.approx([0.07, 0.021, 3.5])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_stepping_without_an_optimizer_raises(name: str) -> None:
    kind, make, _ = CONFIGS[name]
    o = make_opt(kind)
    s = make(o)
    s.optimizer = None  # e.g. a scheduler unpickled or built without its optimizer
    for sub in getattr(s, "_schedulers", ()):
        sub.optimizer = None
    with pytest.raises(ValueError, match="no optimizer"):
        s.step(1.0) if "plateau" in name else s.step()


def test_plateau_with_min_lr_list_and_a_new_group_raises_like_torch() -> None:
    o = _opt()
    s = L.ReduceLROnPlateau(o, min_lr=[0.0, 0.0])
    o.add_param_group({"params": [ag.tensor(np.ones(1), requires_grad=True)], "lr": 0.5})
    with pytest.raises(RuntimeError, match="differs from when"):
        s.step(1.0)
    # a single min_lr covers new groups, as torch
    o2 = _opt()
    s2 = L.ReduceLROnPlateau(o2, patience=0)
    o2.add_param_group({"params": [ag.tensor(np.ones(1), requires_grad=True)], "lr": 0.5})
    s2.step(1.0)
    s2.step(2.0)
    assert s2.get_last_lr() == pytest.approx([0.01, 0.003, 0.05])


def test_plateau_accepts_a_tensor_metric() -> None:
    o = _opt()
    s = L.ReduceLROnPlateau(o, patience=0)
    s.step(ag.tensor(1.0))
    s.step(ag.tensor(np.float32(2.0)))
    assert s.get_last_lr() == pytest.approx([0.01, 0.003])


def test_warm_restarts_negative_epoch_raises() -> None:
    s = L.CosineAnnealingWarmRestarts(_opt(), T_0=3)
    with pytest.raises(ValueError, match="non-negative epoch"):
        s.step(-1)
    assert s.last_epoch == 0


def test_exported_names() -> None:
    for name in ("MultiStepLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau",
                 "CosineAnnealingWarmRestarts", "SequentialLR", "ConstantLR"):
        assert name in L.__all__
        assert issubclass(getattr(L, name), L.LRScheduler)
    for name in ("Adagrad", "Adamax", "NAdam", "RAdam"):
        assert issubclass(getattr(optim, name), optim.Optimizer)
        assert name in optim.__all__
