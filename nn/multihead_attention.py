"""``F.multi_head_attention_forward``: torch's functional multi-head attention, the one
implementation ``nn.MultiheadAttention`` calls.

    MultiHead(Q, K, V) = Concat(head_1 … head_h) W_Oᵀ + b_O,
    head_i = softmax((Q W_Qiᵀ)(K W_Kiᵀ)ᵀ / √d_head + mask) (V W_Viᵀ).

Inputs are sequence-major as torch's: query (L, N, E), key (S, N, kdim), value (S, N, vdim)
(unbatched: (L, E), (S, E)). Inside, the heads are batch-major (N, h, L, d_head), so the
scores are one batched matmul and the weightless path is one fused attention node.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import asarray, xp_of
from autograd.ops import linear
from autograd.tensor import Tensor

__all__ = ["multi_head_attention_forward"]


def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


def _dtype(x: Any) -> Any:
    return x.dtype if isinstance(x, Tensor) else asarray(x).dtype


def _shape_check(query: Tensor, key: Tensor, value: Tensor, kpm: Any, attn_mask: Any,
                 num_heads: int) -> bool:
    """torch's _mha_shape_check: True for batched (3-D) input, False for unbatched (2-D)."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if kpm is not None and _ndim(kpm) != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 2-D but found {_ndim(kpm)}-D tensor instead")
        if attn_mask is not None and _ndim(attn_mask) not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be "
                                 f"`None`, 2-D or 3-D but found {_ndim(attn_mask)}-D tensor "
                                 f"instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to "
                                 f"be 2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if kpm is not None and _ndim(kpm) != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 1-D but found {_ndim(kpm)}-D tensor instead")
        if attn_mask is not None:
            if _ndim(attn_mask) not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {_ndim(attn_mask)}-D "
                                     f"tensor instead")
            want = (num_heads, query.shape[0], key.shape[0])
            if _ndim(attn_mask) == 3 and tuple(attn_mask.shape) != want:
                raise AssertionError(f"Expected `attn_mask` shape to be {want} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def canonical_mask(mask: Any, dtype: Any, name: str) -> Any:
    """torch's _canonical_mask: a bool mask (True = may not attend) becomes 0 / −inf floats
    of ``dtype``; a float mask is kept (a Tensor stays in the graph)."""
    if mask is None:
        return None
    m = mask._data if isinstance(mask, Tensor) else asarray(mask)
    if m.dtype == bool:
        return Tensor._const(xp_of(m).where(m, -np.inf, 0.0).astype(dtype))
    if m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask if isinstance(mask, Tensor) else Tensor._const(m)


def _each(f: Any, q: Tensor, k: Tensor, v: Tensor) -> tuple:
    """f of the three inputs, applied once to a tensor passed twice (so self-attention
    still sees one tensor)."""
    fq = f(q)
    fk = fq if k is q else f(k)
    fv = fq if v is q else fk if v is k else f(v)
    return fq, fk, fv


def _pad_keys(mask: Tensor | None) -> Tensor | None:
    """``mask`` (…, S) with a zero (attend) column appended for an added key."""
    if mask is None:
        return None
    zero = xp_of(mask._data).zeros(mask.shape[:-1] + (1,), mask.dtype)
    return ag.cat([mask, Tensor._const(zero)], -1)


def _project(query: Tensor, key: Tensor, value: Tensor, e: int, in_w: Any, in_b: Any,
             separate: bool, wq: Any, wk: Any, wv: Any) -> tuple:
    """The input projections (torch's _in_projection_packed / _in_projection)."""
    bq, bk, bv = (None, None, None) if in_b is None else (in_b[:e], in_b[e:2 * e], in_b[2 * e:])
    if separate:
        for name, w in (("q", wq), ("k", wk), ("v", wv)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     f"is None")
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
    if in_w is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    # Three GEMMs on row blocks of in_proj_weight, also for self-attention: slicing one
    # (…, 3E) product instead would send three zero-padded (…, 3E) gradients back.
    return (linear(query, in_w[:e], bq), linear(key, in_w[e:2 * e], bk),
            linear(value, in_w[2 * e:], bv))


def _heads(x: Tensor, static: Any, n_b: int, h: int, hd: int, name: str) -> Tensor:
    """(S, N, E) projections → (N, h, S, hd) heads, or ``static`` (N·h, S, hd) instead."""
    if static is None:
        return x.reshape(x.shape[0], n_b, h, hd).permute(1, 2, 0, 3)
    if static.shape[0] != n_b * h:
        raise AssertionError(f"expecting {name}.size(0) of {n_b * h}, but got "
                             f"{static.shape[0]}")
    if static.shape[2] != hd:
        raise AssertionError(f"expecting {name}.size(2) of {hd}, but got {static.shape[2]}")
    return static.reshape(n_b, h, static.shape[1], hd)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Any = None,
        need_weights: bool = True, attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """(attn_output (L, N, E), weights (N, L, S) averaged over heads, or (N, h, L, S), or
    None without ``need_weights``); unbatched (L, E) and (L, S) / (h, L, S).

    Masks: ``attn_mask`` (L, S) or (N·h, L, S), ``key_padding_mask`` (N, S); bool True =
    may not attend, floats are added to the scores. ``is_causal`` is a hint that
    ``attn_mask`` is the causal mask (required with it); without weights and without a
    key padding mask the mask is then not read (attention is causal). ``bias_k``/``bias_v``
    (1, 1, E) append one learned key/value, ``add_zero_attn`` a zero one; ``static_k``/
    ``static_v`` (N·h, S, d_head) replace the projected keys/values.
    """
    from nn.functional import dropout, scaled_dot_product_attention

    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = _each(lambda t: t.unsqueeze(1), query, key, value)
        if key_padding_mask is not None:
            key_padding_mask = (key_padding_mask.unsqueeze(0) if isinstance(
                key_padding_mask, Tensor) else asarray(key_padding_mask)[None])
    n_l, n_b, e = query.shape
    n_s = key.shape[0]
    if key_padding_mask is not None and attn_mask is not None and \
            _dtype(key_padding_mask) != _dtype(attn_mask):
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. "
                      "Use same type for both instead.", UserWarning, stacklevel=2)
    kpm = canonical_mask(key_padding_mask, query.dtype, "key_padding_mask")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and kpm is None and not need_weights:
        am = None  # the fused attention masks causally itself
    else:
        am = canonical_mask(attn_mask, query.dtype, "attn_mask")
        if kpm is not None:
            is_causal = False
    if e != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {e}")
    h = num_heads
    hd = e // h
    if hd * h != e:
        raise AssertionError(f"embed_dim {e} not divisible by num_heads {h}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                             f"{tuple(value.shape)}")
    q, k, v = _project(query, key, value, e, in_proj_weight, in_proj_bias,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)
    if am is not None:
        if am.ndim == 2:
            if tuple(am.shape) != (n_l, n_s):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(am.shape)}, but "
                                   f"should be {(n_l, n_s)}.")
            am = am.unsqueeze(0)
        elif am.ndim == 3:
            if tuple(am.shape) != (n_b * h, n_l, n_s):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(am.shape)}, but "
                                   f"should be {(n_b * h, n_l, n_s)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {am.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = ag.cat([k, bias_k.expand(1, n_b, e)])
        v = ag.cat([v, bias_v.expand(1, n_b, e)])
        am, kpm = _pad_keys(am), _pad_keys(kpm)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = q.reshape(n_l, n_b, h, hd).permute(1, 2, 0, 3)  # (N, h, L, hd)
    k = _heads(k, static_k, n_b, h, hd, "static_k")
    v = _heads(v, static_v, n_b, h, hd, "static_v")
    if add_zero_attn:
        zeros = xp_of(k._data).zeros
        k = ag.cat([k, Tensor._const(zeros(k.shape[:2] + (1, hd), k.dtype))], 2)
        v = ag.cat([v, Tensor._const(zeros(v.shape[:2] + (1, hd), v.dtype))], 2)
        am, kpm = _pad_keys(am), _pad_keys(kpm)
    n_s = k.shape[2]
    if kpm is not None:
        if kpm.shape[0] != n_b:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {n_b}, but got "
                                 f"{kpm.shape[0]}")
        if kpm.shape[1] != n_s:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {n_s}, but got "
                                 f"{kpm.shape[1]}")
        kpm = kpm.reshape(n_b, 1, 1, n_s)
    if am is not None:  # (1 or N·h, L, S) → broadcasting to (N, h, L, S)
        am = am.reshape(1 if am.shape[0] == 1 else n_b, -1, n_l, n_s)
    mask = kpm if am is None else am if kpm is None else am + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = ag.matmul(q * math.sqrt(1.0 / float(hd)), k.transpose(-2, -1))
        if mask is not None:
            scores = mask + scores
        weights = ag.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = ag.matmul(weights, v)
    else:  # one fused node where the mask is a constant
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p,
                                           is_causal=is_causal)
    out = linear(out.permute(2, 0, 1, 3).reshape(n_l, n_b, e), out_proj_weight, out_proj_bias)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
