"""The ``device=`` keyword of torch's layer constructors (parameters and buffers made there,
as ``BatchNorm``'s), and Hardtanh's deprecated ``min_value``/``max_value`` keywords."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn

# (constructor, input shape): every layer whose torch signature carries device=
LAYERS = [
    (lambda **kw: nn.Linear(3, 4, **kw), (2, 3)),
    (lambda **kw: nn.Conv1d(2, 3, 3, **kw), (1, 2, 5)),
    (lambda **kw: nn.Conv2d(2, 3, 3, padding=1, **kw), (1, 2, 4, 4)),
    (lambda **kw: nn.ConvTranspose1d(2, 3, 3, **kw), (1, 2, 4)),
    (lambda **kw: nn.ConvTranspose2d(2, 3, 2, stride=2, **kw), (1, 2, 3, 3)),
    (lambda **kw: nn.LayerNorm(4, **kw), (2, 4)),
    (lambda **kw: nn.RNNCell(3, 2, **kw), (2, 3)),
    (lambda **kw: nn.GRUCell(3, 2, **kw), (2, 3)),
    (lambda **kw: nn.LSTMCell(3, 2, **kw), (2, 3)),
    (lambda **kw: nn.RNN(3, 2, **kw), (4, 2, 3)),
    (lambda **kw: nn.GRU(3, 2, **kw), (4, 2, 3)),
    (lambda **kw: nn.LSTM(3, 2, **kw), (4, 2, 3)),
    (lambda **kw: nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, **kw), (3, 2, 4)),
]


def _first(out):
    while isinstance(out, tuple):
        out = out[0]
    return out


@pytest.mark.parametrize(("make", "shape"), LAYERS, ids=lambda v: "" if callable(v) else str(v))
def test_device_cpu_none_and_a_device_object(make, shape) -> None:
    ag.manual_seed(0)
    a = make()
    for device in ("cpu", None, ag.device("cpu")):
        ag.manual_seed(0)
        b = make(device=device)
        assert all(p.device.type == "cpu" for p in b.parameters())
        for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
            assert na == nb
            np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    x = ag.randn(*shape)
    np.testing.assert_allclose(_first(a(x)).detach().numpy(), _first(b(x)).detach().numpy())


@pytest.mark.parametrize(("make", "shape"), LAYERS, ids=lambda v: "" if callable(v) else str(v))
def test_device_puts_the_parameters_there(make, shape, double_device) -> None:
    m = make(device=double_device)
    assert all(p.device.type == "double" for p in m.parameters())
    out = _first(m(ag.randn(*shape).to(double_device)))
    assert out.device.type == "double"


def test_embedding_and_attention_take_device(double_device) -> None:
    emb = nn.Embedding(5, 3, padding_idx=0, device=double_device)
    assert emb.weight.device.type == "double"
    assert emb.weight.detach().cpu().numpy()[0].tolist() == [0.0, 0.0, 0.0]
    mha = nn.MultiheadAttention(4, 2, device="cpu", dtype=np.float64)
    assert mha.in_proj_weight.dtype == np.float64 and mha.out_proj.weight.device.type == "cpu"
    mha = nn.MultiheadAttention(4, 2, device=double_device)
    assert {p.device.type for p in mha.parameters()} == {"double"}


def test_device_keyword_sits_where_torch_puts_it() -> None:
    # torch: Linear(in, out, bias, device, dtype) - device comes before dtype positionally
    m = nn.Linear(3, 4, True, "cpu", np.float64)
    assert m.weight.dtype == np.float64
    m = nn.LayerNorm(4, 1e-5, True, True, "cpu", np.float64)
    assert m.weight.dtype == np.float64


def test_hardtanh_deprecated_keywords_warn_and_win() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = nn.Hardtanh(min_value=-2.0, max_value=3.0)
    assert [w.category for w in caught] == [FutureWarning, FutureWarning]
    assert "min_value" in str(caught[0].message) and "max_value" in str(caught[1].message)
    assert (h.min_val, h.max_val) == (-2.0, 3.0)
    # torch: tensor([-2., 0.5, 3.])
    out = h(ag.tensor([-5.0, 0.5, 7.0]))
    assert out.tolist() == [-2.0, 0.5, 3.0]
    assert repr(h) == "Hardtanh(min_val=-2.0, max_val=3.0)"
