"""F.group_norm and GroupNorm against torch's numbers (computed once with torch and written
here; see tests/nn/reference.py), the layer's parameters and repr, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.nn.reference import check


def _tensor(a, grad=True):
    return ag.tensor(a, dtype=np.float64, requires_grad=grad)


def _numpy(t):
    return t.detach().numpy().astype(np.float64)


CASES = {
    "affine-4d": (lambda F, x, w, b: F.group_norm(x, 2, w, b), ((2, 4, 3, 5), (4,), (4,)), ()),
    "affine-3d-eps": (lambda F, x, w, b: F.group_norm(x * 3 + 1, 3, w, b, eps=1e-3),
                      ((3, 6, 4), (6,), (6,)), ()),
    "no-affine": (lambda F, x: F.group_norm(x, 1), ((2, 3, 2, 2),), ()),
    "instance-like-2d": (lambda F, x, w: F.group_norm(x, 4, w), ((5, 4), (4,)), ()),
    "5d": (lambda F, x, w, b: F.group_norm(x, 2, w, b), ((1, 4, 2, 3, 2), (4,), (4,)), ()),
}

EXPECTED = {
    'affine-4d': (
        (2, 4, 3, 5), 0.6639164289922546,
        [3.063784479741714,
         3.4103004644601005,
         1.3396225023462254]),
    'affine-3d-eps': (
        (3, 6, 4), 0.4242210528278658,
        [9.248731499111264,
         -0.8567705809566433,
         0.0951634883942388]),
    'no-affine': (
        (2, 3, 2, 2), -0.42792581356714643,
        [9.802278671639145]),
    'instance-like-2d': (
        (5, 4), -5.152891434322579e-14,
        [9.812509853378875e-14,
         7.398040894128243e-15]),
    '5d': (
        (1, 4, 2, 3, 2), 2.1255753780704114,
        [2.2945966992318088,
         1.117965006019153,
         -1.042298993216429]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    check(CASES, EXPECTED, name, F, _tensor, _numpy)


def test_layer_parameters_repr_and_forward() -> None:
    m = nn.GroupNorm(2, 6)
    assert repr(m) == "GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)"  # torch 2.13
    assert list(dict(m.named_parameters())) == ["weight", "bias"]
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(6, np.float32))
    np.testing.assert_array_equal(m.bias.detach().numpy(), np.zeros(6, np.float32))
    assert m.weight.dtype == np.float32
    n = nn.GroupNorm(3, 6, eps=1e-3, affine=False)
    assert repr(n) == "GroupNorm(3, 6, eps=0.001, affine=False, bias=False)" and n.weight is None
    assert list(n.parameters()) == []
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 6, 4)).astype(np.float32))
    y = m(x).detach().numpy().reshape(2, 2, -1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(-1), 1, atol=1e-4)


def test_channels_last_input_gives_the_same_result() -> None:
    x = np.random.default_rng(1).standard_normal((2, 4, 3, 3))
    cl = ag.tensor(np.ascontiguousarray(x.transpose(0, 2, 3, 1))).permute(0, 3, 1, 2)
    np.testing.assert_allclose(F.group_norm(cl, 2).numpy(), F.group_norm(ag.tensor(x), 2)
                               .numpy(), rtol=1e-12)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match=r"divisible by num_groups, but got input of shape "
                                           r"\[2, 5, 3\] and num_groups=2"):
        F.group_norm(ag.randn(2, 5, 3), 2)
    with pytest.raises(RuntimeError, match="Expected weight to be a vector of size equal"):
        F.group_norm(ag.randn(2, 4, 3), 2, ag.ones(3))
    with pytest.raises(RuntimeError, match=r"shape \(N, C, \*\)"):
        F.group_norm(ag.randn(4), 2)
