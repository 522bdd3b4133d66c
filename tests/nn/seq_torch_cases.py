"""Cases shared by tests/nn/test_attention.py and the scratch script that computed torch's
values for them (torch_values_attention.json): each builds its module and inputs from a
seeded generator through a small adapter ``lib`` (``nn``, ``F``, ``tensor(array)``,
``setp(param, array)``), so the same lines run on chainrule and, once, on torch.

Every case returns (module or None, leaf tensors, outputs); the check is the outputs and
the gradients of Σ_k ⟨out_k, R_k⟩ (R_k drawn after) for the leaves and the parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _module(lib: Any, rng: np.random.Generator, cls: str, *args: Any, **kw: Any) -> Any:
    m = getattr(lib.nn, cls)(*args, **kw).double()
    for _, p in m.named_parameters():
        lib.setp(p, rng.uniform(-0.5, 0.5, tuple(p.shape)))
    return m.eval()


def _x(lib: Any, rng: np.random.Generator, *shape: int) -> Any:
    return lib.tensor(rng.standard_normal(shape))


def layer_norm(lib, rng):
    m = _module(lib, rng, "LayerNorm", (3, 4), eps=1e-3)
    x = _x(lib, rng, 2, 3, 4)
    return m, [x], [m(x)]


def layer_norm_functional(lib, rng):
    x, w, b = _x(lib, rng, 2, 5), _x(lib, rng, 5), _x(lib, rng, 5)
    return None, [x, w, b], [lib.F.layer_norm(x, (5,), w, b)]


def embedding_padding(lib, rng):
    m = _module(lib, rng, "Embedding", 6, 3, padding_idx=1)
    idx = np.array([[1, 2, 2, 5], [0, 1, 5, 5]])
    return m, [], [m(lib.index(idx))]


def gelu_silu(lib, rng):
    x = _x(lib, rng, 3, 5)
    return None, [x], [lib.F.gelu(x), lib.F.gelu(x, approximate="tanh"), lib.F.silu(x)]


def sdpa_masks(lib, rng):
    q, k, v = _x(lib, rng, 2, 2, 3, 4), _x(lib, rng, 2, 2, 5, 4), _x(lib, rng, 2, 2, 5, 3)
    bool_mask = lib.index(np.array([[1, 0, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1]], bool))
    float_mask = lib.index(rng.standard_normal((2, 1, 3, 5)))
    sdpa = lib.F.scaled_dot_product_attention
    return None, [q, k, v], [sdpa(q, k, v), sdpa(q, k, v, attn_mask=bool_mask),
                             sdpa(q, k, v, attn_mask=float_mask, scale=0.7)]


def sdpa_causal(lib, rng):
    q, k, v = _x(lib, rng, 3, 4, 2), _x(lib, rng, 3, 4, 2), _x(lib, rng, 3, 4, 2)
    return None, [q, k, v], [lib.F.scaled_dot_product_attention(q, k, v, is_causal=True)]


def mha_self_batch_first_masks(lib, rng):
    m = _module(lib, rng, "MultiheadAttention", 6, 2, batch_first=True)
    x = _x(lib, rng, 2, 4, 6)
    causal = lib.index(np.triu(np.ones((4, 4), bool), 1))
    kpm = lib.index(np.array([[False, False, False, True], [False, False, False, False]]))
    out, w = m(x, x, x, key_padding_mask=kpm, attn_mask=causal, is_causal=True)
    out2, w2 = m(x, x, x, average_attn_weights=False)
    return m, [x], [out, w, out2, w2]


def mha_cross_float_mask(lib, rng):
    m = _module(lib, rng, "MultiheadAttention", 4, 2)
    q, kv = _x(lib, rng, 3, 2, 4), _x(lib, rng, 5, 2, 4)
    mask = lib.index(rng.standard_normal((4, 3, 5)))
    out, w = m(q, kv, kv, attn_mask=mask)
    return m, [q, kv], [out, w]


def mha_kdim_vdim_unbatched(lib, rng):
    m = _module(lib, rng, "MultiheadAttention", 4, 1, kdim=3, vdim=2, bias=False)
    q, k, v = _x(lib, rng, 3, 4), _x(lib, rng, 5, 3), _x(lib, rng, 5, 2)
    out, w = m(q, k, v)
    return m, [q, k, v], [out, w]


def encoder_post_norm_relu(lib, rng):
    m = _module(lib, rng, "TransformerEncoderLayer", 4, 2, dim_feedforward=6)
    x = _x(lib, rng, 3, 2, 4)
    mask = lib.index(np.triu(np.ones((3, 3), bool), 1))
    return m, [x], [m(x, src_mask=mask)]


def encoder_pre_norm_gelu(lib, rng):
    m = _module(lib, rng, "TransformerEncoderLayer", 4, 2, dim_feedforward=5,
                activation="gelu", norm_first=True, batch_first=True)
    x = _x(lib, rng, 2, 3, 4)
    kpm = lib.index(np.array([[False, False, True], [False, False, False]]))
    return m, [x], [m(x, src_key_padding_mask=kpm)]


def mha_bias_kv_zero_attn(lib, rng):
    m = _module(lib, rng, "MultiheadAttention", 4, 2, add_bias_kv=True, add_zero_attn=True,
                batch_first=True)
    x = _x(lib, rng, 2, 3, 4)
    kpm = lib.index(np.array([[False, False, True], [False, False, False]]))
    out, w = m(x, x, x, key_padding_mask=kpm)
    out2, w2 = m(x, x, x, attn_mask=lib.index(np.triu(np.ones((3, 3), bool), 1)))
    return m, [x], [out, w, out2, w2]


def sdpa_gqa(lib, rng):
    q, k, v = _x(lib, rng, 2, 4, 3, 2), _x(lib, rng, 2, 2, 5, 2), _x(lib, rng, 2, 2, 5, 3)
    return None, [q, k, v], [lib.F.scaled_dot_product_attention(q, k, v, enable_gqa=True)]


CASES = {f.__name__: f for f in (
    layer_norm, layer_norm_functional, embedding_padding, gelu_silu, sdpa_masks, sdpa_causal,
    mha_self_batch_first_masks, mha_cross_float_mask, mha_kdim_vdim_unbatched,
    encoder_post_norm_relu, encoder_pre_norm_gelu, mha_bias_kv_zero_attn, sdpa_gqa)}


def run(lib: Any, name: str) -> tuple:
    """(outputs, gradients of the leaves then the parameters, parameter names) as arrays."""
    rng = np.random.default_rng(sum(map(ord, name)))
    m, leaves, outs = CASES[name](lib, rng)
    loss = None
    for o in outs:
        term = (o * lib.tensor(rng.standard_normal(tuple(o.shape)), grad=False)).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    params = list(m.named_parameters()) if m is not None else []
    grads = [t.grad for t in leaves] + [p.grad for _, p in params]
    return ([lib.numpy(o) for o in outs], [lib.numpy(g) for g in grads],
            [n for n, _ in params])
