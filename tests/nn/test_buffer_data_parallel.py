"""torch names a sweep of torch.nn found missing: ``nn.Buffer`` (torch 2.5's way to declare
a buffer by assignment), ``nn.DataParallel`` (one device: it calls the module, torch's
case without several GPUs) and the recurrent base classes ``nn.RNNBase``/``RNNCellBase``.
The expected behaviour is torch 2.13's for the same calls."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


class _Scaler(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Buffer(ag.tensor([2.0, 3.0]))
        self.cache = nn.Buffer(ag.zeros(1), persistent=False)

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return x * self.scale


def test_buffer_assignment_registers_a_buffer() -> None:
    m = _Scaler()
    assert [n for n, _ in m.named_buffers()] == ["scale", "cache"]
    assert list(m.state_dict()) == ["scale"]  # persistent=False stays out, as torch
    assert not m.scale.requires_grad and m(ag.ones(2)).tolist() == [2.0, 3.0]
    assert list(m.parameters()) == []
    m.load_state_dict({"scale": ag.tensor([5.0, 7.0])})
    assert m(ag.ones(2)).tolist() == [5.0, 7.0]


def test_buffer_shares_memory_and_defaults_as_torchs() -> None:
    t = ag.tensor([1.0, 2.0])
    b = nn.Buffer(t)
    b.data[0] = 9.0
    assert t.tolist() == [9.0, 2.0]
    assert nn.Buffer().shape == (0,) and nn.Buffer().dtype == ag.float32
    m = nn.Module()
    m.z = 3
    with pytest.raises(KeyError, match="attribute 'z' already exists"):
        m.z = nn.Buffer(ag.ones(1))


def test_data_parallel_calls_the_module_and_prefixes_its_state() -> None:
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2))
    dp = nn.DataParallel(net)
    x = ag.tensor(np.arange(6.0).reshape(2, 3), dtype=ag.float32)
    np.testing.assert_array_equal(dp(x).detach().numpy(), net(x).detach().numpy())
    assert list(dp.state_dict()) == ["module.0.weight", "module.0.bias"]  # torch's keys
    assert dp.module is net and dp.device_ids == [] and dp.dim == 0
    other = nn.DataParallel(nn.Sequential(nn.Linear(3, 2)))
    other.load_state_dict(dp.state_dict())
    np.testing.assert_array_equal(other(x).detach().numpy(), dp(x).detach().numpy())
    assert nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(ValueError, match="one process computes on one device"):
        nn.DataParallel(net, device_ids=[0, 1])
    with pytest.raises(TypeError, match="expects an nn.Module"):
        nn.DataParallel(lambda v: v)


def test_recurrent_base_classes_are_torchs_names() -> None:
    assert isinstance(nn.LSTM(2, 3), nn.RNNBase) and isinstance(nn.GRU(2, 3), nn.RNNBase)
    assert all(isinstance(c(2, 3), nn.RNNCellBase)
               for c in (nn.RNNCell, nn.GRUCell, nn.LSTMCell))
