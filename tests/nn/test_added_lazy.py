"""nn.LazyLinear: in_features from the first input, parameters shaped in place (an optimizer
built before sees them), torch's reprs before and after, Linear's init, and loading a
state_dict into the uninitialised module."""

from __future__ import annotations

import math

import numpy as np

import autograd as ag
import nn
import optim


def test_first_forward_shapes_initialises_and_becomes_linear() -> None:
    m = nn.LazyLinear(4)
    assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"  # torch's
    assert m.has_uninitialized_params()
    weight, bias = m.weight, m.bias
    opt = optim.SGD(m.parameters(), lr=0.1)
    x = ag.randn(5, 2, 30)
    y = m(x)
    assert type(m) is nn.Linear and repr(m) == "Linear(in_features=30, out_features=4, bias=True)"
    assert m.weight is weight and m.bias is bias and y.shape == (5, 2, 4)
    assert weight.shape == (4, 30) and bias.shape == (4,) and weight.dtype == np.float32
    bound = 1 / math.sqrt(30)  # Linear's kaiming-uniform(a=√5) and bias bounds
    assert np.abs(weight.detach().numpy()).max() <= bound
    assert np.abs(weight.detach().numpy()).max() > 0.7 * bound
    assert np.abs(bias.detach().numpy()).max() <= bound
    before, b0 = weight.detach().numpy().copy(), bias.detach().numpy().copy()
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ before.T + b0, rtol=1e-5,
                               atol=1e-6)
    y.sum().backward()
    opt.step()
    np.testing.assert_allclose(weight.detach().numpy(),
                               before - 0.1 * weight.grad.numpy(), rtol=1e-6)


def test_no_bias_dtype_and_state_dict_load() -> None:
    m = nn.LazyLinear(3, bias=False, dtype=np.float64)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    src = nn.Linear(5, 3, bias=False).double()
    m.load_state_dict(src.state_dict())  # torch's lazy load hook shapes the weight first
    assert m.weight.shape == (3, 5) and not m.has_uninitialized_params()
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())
    x = ag.randn(2, 5, dtype=np.float64)
    np.testing.assert_array_equal(m(x).detach().numpy(), src(x).detach().numpy())
    assert type(m) is nn.Linear


def test_double_before_the_first_call_and_device(double_device) -> None:
    m = nn.LazyLinear(2).double()
    m(ag.randn(3, 4, dtype=np.float64))
    assert m.weight.dtype == np.float64 and m.in_features == 4
    d = nn.LazyLinear(2, device=double_device)
    out = d(ag.randn(3, 4).to(double_device))
    assert d.weight.device.type == "double" and out.device.type == "double"
