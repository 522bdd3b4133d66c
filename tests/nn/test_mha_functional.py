"""F.multi_head_attention_forward (torch's functional form, the one implementation
nn.MultiheadAttention calls) against torch 2.13's values, pasted from a torch run on the
same seeded inputs; the module's agreement with it; its errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

R = np.random.default_rng(11)
Q, K, V = R.standard_normal((2, 2, 4)), R.standard_normal((3, 2, 4)), R.standard_normal((3, 2, 4))
W, B, BK, BV, OW, OB = (R.standard_normal(s) for s in ((12, 4), (12,), (1, 1, 4), (1, 1, 4),
                                                      (4, 4), (4,)))
KPM = np.array([[False, True, False], [False, False, False]])
AM = R.standard_normal((2, 3))
OUT = [-2.6500729869283, -0.5471790435691, 2.9440917365615, 1.3860045513224, -1.0193822750158,
       1.7041690343015, 0.8814163264569, 1.2586981822659, -2.6290756250971, -2.5621713585575,
       1.6047018785217, 0.1255974689869, -1.0559507378372, 1.9783736976026, 1.1010223346534,
       1.3744532569919]
WEIGHTS = [0.628803274068, 0.0, 0.2220076502614, 0.0941089636796, 0.0550801119909,
           0.8880792226587, 0.0, 0.1117392197906, 0.0001731162225, 8.4413282e-06,
           0.0526761937217, 0.0, 0.4341519108335, 0.2849269942045, 0.2282449012403,
           0.9891754503245, 0.0, 0.0032352086477, 0.0007013901615, 0.0068879508663,
           0.0578373731318, 0.1474036482161, 0.7645992016259, 0.0219458378279,
           0.0082139391984, 0.0347548144792, 0.1123406585658, 0.8424525396293,
           0.0066468927587, 0.0038050945671, 0.6268493625414, 0.0198933161495,
           0.1308432221311, 0.0706322572885, 0.1517818418895, 0.6918800616845,
           0.0008479211326, 0.2936195038362, 0.001835212331, 0.0118173010157]
GRAD_Q = [-10.1999957975828, 9.8263420023235, 5.7391448813282, 8.0745707842178,
          1.8290775314801, -1.6960240553458, -1.6163443096728, -1.6947541043336,
          -0.2669024304779, 0.0103965647065, -1.7652742109572, -1.4807160290264,
          0.3455491567117, -0.7280559806868, -0.7226139236914, -1.2303161037681]


def _call(q, **kw):
    T = ag.tensor
    return F.multi_head_attention_forward(
        q, T(K), T(V), 4, 2, T(W), T(B), T(BK), T(BV), True, 0.0, T(OW), T(OB),
        key_padding_mask=T(KPM), attn_mask=T(AM), average_attn_weights=False, **kw)


def test_all_options_match_torch() -> None:
    q = ag.tensor(Q, requires_grad=True)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        out, wts = _call(q)
    assert out.shape == (2, 2, 4) and wts.shape == (2, 2, 2, 5)
    np.testing.assert_allclose(out.detach().numpy().ravel(), OUT, atol=1e-12)
    np.testing.assert_allclose(wts.detach().numpy().ravel(), WEIGHTS, atol=1e-12)
    ramp = ag.tensor(np.arange(wts.numel(), dtype=np.float64).reshape(wts.shape))
    ((out ** 2).sum() + (wts * ramp).sum()).backward()
    np.testing.assert_allclose(q.grad.numpy().ravel(), GRAD_Q, atol=1e-11)


def test_without_weights_equals_with_weights() -> None:
    with pytest.warns(UserWarning):
        out, _ = _call(ag.tensor(Q))
        fused, none = _call(ag.tensor(Q), need_weights=False)
    assert none is None
    np.testing.assert_allclose(fused.numpy(), out.numpy(), atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
def test_module_is_the_function_with_its_parameters(batch_first: bool) -> None:
    m = nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=2,
                              batch_first=batch_first).double()
    r = np.random.default_rng(2)
    q, k, v = (ag.tensor(r.standard_normal(s)) for s in ((2, 3, 4), (2, 5, 3), (2, 5, 2)))
    t = (lambda x: x.transpose(0, 1)) if batch_first else (lambda x: x)
    q, k, v = (x if batch_first else x.transpose(0, 1) for x in (q, k, v))
    out, w = m(q, k, v)
    ref, rw = F.multi_head_attention_forward(
        t(q), t(k), t(v), 4, 2, None, m.in_proj_bias, m.bias_k, m.bias_v, False, 0.0,
        m.out_proj.weight, m.out_proj.bias, use_separate_proj_weight=True,
        q_proj_weight=m.q_proj_weight, k_proj_weight=m.k_proj_weight,
        v_proj_weight=m.v_proj_weight)
    np.testing.assert_array_equal(out.detach().numpy(), t(ref).detach().numpy())
    np.testing.assert_array_equal(w.detach().numpy(), rw.detach().numpy())


def test_causal_hint_without_weights_attends_causally_as_torch() -> None:
    # torch drops attn_mask under is_causal without weights or padding mask
    T = ag.tensor
    x = T(np.random.default_rng(4).standard_normal((3, 1, 4)))
    args = (x, x, x, 4, 2, T(W), T(B), None, None, False, 0.0, T(OW), T(OB))
    ignored = T(np.zeros((3, 3)))
    causal = T(np.triu(np.full((3, 3), -np.inf), 1))
    a, _ = F.multi_head_attention_forward(*args, attn_mask=ignored, need_weights=False,
                                          is_causal=True)
    b, _ = F.multi_head_attention_forward(*args, attn_mask=causal)
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


@pytest.mark.parametrize("kw,exc,match", [
    ({"embed_dim_to_check": 6}, AssertionError, "was expecting embedding dimension of 6"),
    ({"num_heads": 3}, AssertionError, "not divisible by num_heads"),
    ({"attn_mask": np.zeros((3, 3))}, RuntimeError, "shape of the 2D attn_mask"),
    ({"attn_mask": np.zeros((5, 2, 3))}, RuntimeError, "shape of the 3D attn_mask"),
    ({"attn_mask": np.zeros((2, 3), np.int64)}, AssertionError, "only bool and floating"),
    ({"key_padding_mask": np.zeros((2, 2), bool)}, AssertionError, "key_padded_mask.shape"),
    ({"is_causal": True}, RuntimeError, "Need attn_mask"),
    ({"in_proj_weight": None}, AssertionError, "in_proj_weight is None"),
    ({"bias_v": None}, AssertionError, "bias_k is set but bias_v is None"),
])
def test_errors_as_torch(kw, exc, match) -> None:
    T = ag.tensor
    args = dict(query=T(Q), key=T(K), value=T(V), embed_dim_to_check=4, num_heads=2,
                in_proj_weight=T(W), in_proj_bias=T(B), bias_k=T(BK), bias_v=T(BV),
                add_zero_attn=False, dropout_p=0.0, out_proj_weight=T(OW), out_proj_bias=None)
    args.update(kw)
    with pytest.raises(exc, match=match):
        F.multi_head_attention_forward(**args)
    with pytest.raises(AssertionError, match="unbatched 2D or batched 3D"):
        F.multi_head_attention_forward(T(Q[0, 0]), T(K[0, 0]), T(V[0, 0]), 4, 2, T(W), None,
                                       None, None, False, 0.0, T(OW), None)
