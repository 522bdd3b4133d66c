"""LayerNorm, Embedding, GELU/SiLU, scaled_dot_product_attention, MultiheadAttention and
TransformerEncoderLayer against torch (values in torch_values_attention.json, computed once
with torch from the cases of seq_torch_cases.py), and their error handling."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
import seq_torch_cases as C  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "torch_values_attention.json").read_text())


def _setp(p, a):
    p._data[...] = a


LIB = types.SimpleNamespace(
    nn=nn, F=F, tensor=lambda a, grad=True: ag.tensor(np.asarray(a, np.float64),
                                                      requires_grad=grad),
    index=lambda a: ag.tensor(a), setp=_setp, numpy=lambda t: t._data)


@pytest.mark.parametrize("name", list(C.CASES))
def test_matches_torch(name: str) -> None:
    outs, grads, names = C.run(LIB, name)
    exp = EXPECTED[name]
    assert names == exp["names"]
    assert len(outs) == len(exp["outs"]) and len(grads) == len(exp["grads"])
    for o, e in zip(outs, exp["outs"]):
        np.testing.assert_allclose(o, np.array(e), rtol=1e-9, atol=1e-11)
    for g, e in zip(grads, exp["grads"]):
        np.testing.assert_allclose(g, np.array(e), rtol=1e-9, atol=1e-11)


def test_embedding_repeats_accumulate_and_padding_gets_nothing() -> None:
    m = nn.Embedding(4, 2, padding_idx=0)
    assert np.all(m.weight._data[0] == 0)
    m(ag.tensor(np.array([0, 3, 3, 3, 1]))).sum().backward()
    np.testing.assert_array_equal(m.weight.grad._data, [[0, 0], [1, 1], [0, 0], [3, 3]])


def test_embedding_bad_indices() -> None:
    m = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index out of range"):
        m(ag.tensor(np.array([4])))
    with pytest.raises(RuntimeError, match="integer"):
        m(ag.tensor(np.array([1.0])))


def test_layer_norm_default_init_and_shape_error() -> None:
    m = nn.LayerNorm(4)
    assert np.all(m.weight._data == 1) and np.all(m.bias._data == 0)
    assert nn.LayerNorm(4, bias=False).bias is None
    with pytest.raises(RuntimeError, match="expected input with shape"):
        m(ag.randn(3, 5))


def test_attention_init_and_errors() -> None:
    m = nn.MultiheadAttention(8, 2)
    assert m.in_proj_weight.shape == (24, 8) and np.all(m.in_proj_bias._data == 0)
    assert np.abs(m.in_proj_weight._data).max() <= np.sqrt(6 / (24 + 8))  # xavier
    assert np.all(m.out_proj.bias._data == 0)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    x = ag.randn(3, 2, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask"):
        m(x, x, x, attn_mask=np.zeros((2, 2), bool))
    out, w = m(x, x, x, need_weights=False)
    assert out.shape == (3, 2, 8) and w is None
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(x, x, x, attn_mask=np.ones((2, 2), bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="activation"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")


def test_embedding_from_pretrained_freezes_by_default() -> None:
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    np.testing.assert_array_equal(m(ag.tensor(np.array([2, 0])))._data, [[4, 5], [0, 1]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad


def _composite_attention(q, k, v, bias, scale):
    """softmax(scale·QKᵀ + bias)V from the engine's small ops (the unfused graph)."""
    s = ag.matmul(q * scale, k.transpose(-2, -1))
    return ag.matmul(ag.softmax(s if bias is None else s + bias, -1), v)


@pytest.mark.parametrize("causal", [False, True])
def test_fused_attention_matches_composite_graph(causal: bool) -> None:
    from autograd.ops.attention import AttentionBackward, causal_bias

    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 2))]
    fused = [ag.tensor(a, requires_grad=True) for a in arrays]
    plain = [ag.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*fused, is_causal=causal, scale=0.7)
    assert isinstance(out.grad_fn, AttentionBackward)  # one node, not the composite graph
    ref = _composite_attention(*plain, causal_bias(5, 5, np.float64) if causal else None, 0.7)
    g = rng.standard_normal(out.shape)
    (out * ag.tensor(g)).sum().backward()
    (ref * ag.tensor(g)).sum().backward()
    np.testing.assert_allclose(out._data, ref._data, rtol=1e-12, atol=1e-12)
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(a.grad._data, b.grad._data, rtol=1e-10, atol=1e-12)


def test_causal_bias_is_cached_and_read_only() -> None:
    from autograd.ops.attention import causal_bias

    b = causal_bias(3, 4, np.float32)
    assert b is causal_bias(3, 4, np.float32) and not b.flags.writeable
    assert np.array_equal(np.isinf(b), np.triu(np.ones((3, 4), bool), 1))


def test_attention_float_mask_requiring_grad_gets_its_gradient() -> None:
    rng = np.random.default_rng(2)
    q, k, v = (ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True) for _ in range(3))
    mask = ag.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    F.scaled_dot_product_attention(q, k, v, attn_mask=mask).sum().backward()
    assert mask.grad is not None and np.abs(mask.grad._data).sum() > 0


def test_multihead_fused_output_equals_weights_path() -> None:
    ag.manual_seed(0)
    m = nn.MultiheadAttention(8, 2, batch_first=True).double()
    x = ag.tensor(np.random.default_rng(3).standard_normal((2, 5, 8)))
    causal = np.triu(np.ones((5, 5), bool), 1)
    fused, none = m(x, x, x, attn_mask=causal, need_weights=False)
    composite, w = m(x, x, x, attn_mask=causal, need_weights=True)
    assert none is None and w.shape == (2, 5, 5)
    np.testing.assert_allclose(fused._data, composite._data, rtol=1e-12, atol=1e-12)
