"""RNN, GRU, LSTM and their cells against torch: same weights (torch's parameter names and
layout), same outputs, states and gradients, in float64.

The expected values (torch_values_rnn.json) were computed once with torch from weights,
inputs and output cotangents drawn by the seeded generator below; loss = Σ_k ⟨out_k, R_k⟩.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn

SPECS = {
    "rnn_tanh_2l_bi_bf": ("RNN", dict(input_size=2, hidden_size=3, num_layers=2,
                                      bidirectional=True, batch_first=True), (2, 4, 2), "h"),
    "rnn_relu_nobias": ("RNN", dict(input_size=2, hidden_size=3, nonlinearity="relu",
                                    bias=False), (4, 2, 2), None),
    "gru_2l_bi": ("GRU", dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True),
                  (4, 2, 2), "h"),
    "gru_unbatched": ("GRU", dict(input_size=3, hidden_size=2), (5, 3), None),
    "lstm_2l_bi_bf": ("LSTM", dict(input_size=2, hidden_size=3, num_layers=2,
                                   bidirectional=True, batch_first=True), (2, 4, 2), "hc"),
    "lstm_1l": ("LSTM", dict(input_size=3, hidden_size=2), (3, 2, 3), None),
    "rnncell": ("RNNCell", dict(input_size=3, hidden_size=2), (2, 3), "h"),
    "grucell": ("GRUCell", dict(input_size=3, hidden_size=2), (2, 3), "h"),
    "lstmcell": ("LSTMCell", dict(input_size=3, hidden_size=2), (2, 3), "hc"),
}
EXPECTED = json.loads((Path(__file__).parent / "torch_values_rnn.json").read_text())


def _state_shape(kind: str, kw: dict, xshape: tuple) -> tuple:
    if kind.endswith("Cell"):
        return (xshape[0], kw["hidden_size"])
    d = 2 if kw.get("bidirectional") else 1
    b = xshape[0] if kw.get("batch_first") else xshape[1]
    return (kw.get("num_layers", 1) * d, b, kw["hidden_size"])


def _flat(kind: str, out):
    if kind == "LSTMCell":
        return list(out)
    if kind.endswith("Cell"):
        return [out]
    o, h = out
    return [o] + (list(h) if isinstance(h, tuple) else [h])


@pytest.mark.parametrize("key", list(SPECS))
def test_outputs_and_gradients_match_torch(key: str) -> None:
    kind, kw, xshape, state = SPECS[key]
    m = getattr(nn, kind)(**kw).double()
    exp = EXPECTED[key]
    assert [n for n, _ in m.named_parameters()] == exp["names"]
    rng = np.random.default_rng(sum(map(ord, key)))
    for _, p in m.named_parameters():
        p._data[...] = rng.uniform(-0.6, 0.6, tuple(p.shape))
    x = ag.tensor(rng.standard_normal(xshape), requires_grad=True)
    args = [x]
    sshape = _state_shape(kind, kw, xshape) if state else None
    if state == "h":
        args.append(ag.tensor(rng.standard_normal(sshape), requires_grad=True))
    elif state == "hc":
        args.append((ag.tensor(rng.standard_normal(sshape), requires_grad=True),
                     ag.tensor(rng.standard_normal(sshape), requires_grad=True)))
    outs = _flat(kind, m(*args))
    loss = sum((o * rng.standard_normal(tuple(o.shape))).sum() for o in outs)
    loss.backward()
    for o, e in zip(outs, exp["outs"], strict=True):
        np.testing.assert_allclose(o._data, np.array(e), rtol=1e-9, atol=1e-11)
    leaves = [x] + ([args[1]] if state == "h" else list(args[1]) if state == "hc" else [])
    grads = [t.grad._data for t in leaves] + [p.grad._data for _, p in m.named_parameters()]
    for g, e in zip(grads, exp["grads"], strict=True):
        np.testing.assert_allclose(g, np.array(e), rtol=1e-9, atol=1e-11)


def test_shapes_and_default_init() -> None:
    m = nn.LSTM(4, 5, num_layers=3, bidirectional=True)
    names = [n for n, _ in m.named_parameters()]
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                         "bias_hh_l0_reverse"]
    assert m.weight_ih_l1.shape == (20, 10) and m.weight_hh_l2_reverse.shape == (20, 5)
    bound = 1 / np.sqrt(5)
    assert all(p.dtype == np.float32 for p in m.parameters())
    flat = np.concatenate([p._data.ravel() for p in m.parameters()])  # U(−1/√H, 1/√H)
    assert np.abs(flat).max() <= bound and np.abs(flat).max() > 0.95 * bound
    assert abs(np.abs(flat).mean() - bound / 2) < 0.05 * bound
    out, (h, c) = m(ag.randn(7, 2, 4))
    assert out.shape == (7, 2, 10) and h.shape == (6, 2, 5) and c.shape == (6, 2, 5)
    gru = nn.GRU(4, 5, batch_first=True)
    out, h = gru(ag.randn(2, 7, 4))
    assert out.shape == (2, 7, 5) and h.shape == (1, 2, 5)
    np.testing.assert_allclose(out._data[:, -1], h._data[0])


def test_dropout_between_layers_only_in_training() -> None:
    ag.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ag.randn(5, 2, 3)
    a = m(x)[0]._data
    m.eval()
    b, c = m(x)[0]._data, m(x)[0]._data
    np.testing.assert_array_equal(b, c)
    assert not np.allclose(a, b)


def test_bad_inputs_raise_torch_errors() -> None:
    m = nn.GRU(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input_size"):
        m(ag.randn(5, 2, 2))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        m(ag.randn(5, 2, 3), ag.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(RuntimeError, match="input_size"):
        nn.GRUCell(3, 4)(ag.randn(2, 5))


def test_step_gradient_norms_are_recorded_for_every_step() -> None:
    # the loss on each direction's last state reaches every step of that direction
    m = nn.GRU(2, 3, bidirectional=True)
    out, _ = m(ag.randn(6, 2, 2))
    (out[-1, :, :3].sum() + out[0, :, 3:].sum()).backward()
    node = out._node
    found = []
    stack = [node]
    while stack:
        v = stack.pop()
        if v is None or getattr(v, "_IS_TENSOR", False):
            continue
        if hasattr(v, "step_grad_norms"):
            found.append(v)
        stack.extend(v.edges)
    assert len(found) == 2
    for v in found:
        assert v.step_grad_norms.shape == (6,) and np.all(v.step_grad_norms > 0)
