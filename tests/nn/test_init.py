"""nn.init: torch's gains and fan computations, sample statistics, reproducibility, and
the default initialisation of Linear and Conv layers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init


@pytest.mark.parametrize("name, param, gain", [
    ("linear", None, 1.0), ("conv2d", None, 1.0), ("sigmoid", None, 1.0),
    ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
    ("selu", None, 0.75),
])
def test_calculate_gain(name: str, param, gain: float) -> None:
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-12)


def test_calculate_gain_errors() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError):
        init.calculate_gain("leaky_relu", True)


def test_fans_include_the_receptive_field() -> None:
    assert init._calculate_fan_in_and_fan_out(ag.zeros(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(ag.zeros(16, 3, 3, 5)) == (45, 240)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ag.zeros(4))
    with pytest.raises(ValueError, match="fan_avg"):
        init.kaiming_uniform_(ag.zeros(4, 4), mode="fan_avg")


def test_uniform_bounds_and_moments() -> None:
    t = init.uniform_(ag.empty(200, 100), -2.0, 3.0)
    assert t._data.min() >= -2 and t._data.max() < 3
    assert t._data.mean() == pytest.approx(0.5, abs=0.03)
    assert t._data.var() == pytest.approx(25 / 12, rel=0.03)


def test_normal_moments_and_constants() -> None:
    t = init.normal_(ag.empty(300, 100), mean=1.0, std=0.5)
    assert t._data.mean() == pytest.approx(1.0, abs=0.01)
    assert t._data.std() == pytest.approx(0.5, rel=0.02)
    assert (init.constant_(ag.empty(2, 2), 0.25)._data == 0.25).all()
    assert (init.zeros_(ag.ones(3))._data == 0).all()
    assert (init.ones_(ag.zeros(3))._data == 1).all()


@pytest.mark.parametrize("fn, std", [
    (lambda t: init.xavier_uniform_(t), math.sqrt(2 / (400 + 300))),
    (lambda t: init.xavier_normal_(t, gain=2.0), 2 * math.sqrt(2 / (400 + 300))),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2) / math.sqrt(300)),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
     math.sqrt(2) / math.sqrt(400)),
    (lambda t: init.kaiming_normal_(t, a=0.1), math.sqrt(2 / 1.01) / math.sqrt(300)),
])
def test_scaled_initialisers_have_the_right_spread(fn, std: float) -> None:
    t = fn(ag.empty(400, 300))
    assert t._data.std() == pytest.approx(std, rel=0.02)
    assert abs(t._data.mean()) < 3 * std / math.sqrt(t.numel()) * 3


def test_uniform_initialisers_respect_their_bound() -> None:
    t = init.xavier_uniform_(ag.empty(50, 30), gain=init.calculate_gain("tanh"))
    bound = 5 / 3 * math.sqrt(6 / 80)
    assert np.abs(t._data).max() <= bound and np.abs(t._data).max() > 0.95 * bound


def test_init_is_in_place_under_no_grad_and_keeps_dtype() -> None:
    p = nn.Parameter(np.zeros((3, 4), dtype=np.float64))
    arr = p._data
    out = init.kaiming_uniform_(p)
    assert out is p and p._data is arr and p.dtype == np.float64 and p._data.any()
    assert p.requires_grad and p.is_leaf


def test_manual_seed_makes_init_repeatable() -> None:
    ag.manual_seed(42)
    a = nn.Linear(5, 3)
    ag.manual_seed(42)
    b = nn.Linear(5, 3)
    c = nn.Linear(5, 3)
    np.testing.assert_array_equal(a.weight._data, b.weight._data)
    np.testing.assert_array_equal(a.bias._data, b.bias._data)
    assert not np.array_equal(b.weight._data, c.weight._data)


@pytest.mark.parametrize("layer, fan_in", [
    (lambda: nn.Linear(200, 150), 200),
    (lambda: nn.Conv2d(8, 150, (3, 5)), 8 * 15),
    (lambda: nn.Conv2d(8, 100, 3, groups=4), 2 * 9),
    (lambda: nn.Conv1d(6, 100, 4), 24),
])
def test_default_layer_init_is_torchs(layer, fan_in: int) -> None:
    m = layer()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5) and the bias rule coincide
    for p in (m.weight, m.bias):
        assert p.dtype == np.float32
        assert np.abs(p._data).max() <= bound
        assert np.abs(p._data).max() > 0.9 * bound
    assert m.weight._data.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
