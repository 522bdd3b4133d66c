"""``MultiheadAttention`` with torch's parameter layout, masks and returned weights."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import asarray
from autograd.ops import linear
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.modules.linear import NonDynamicallyQuantizableLinear
from nn.modules.module import Module, Parameter

__all__ = ["MultiheadAttention"]


def _float_mask(mask: Any, dtype: Any, name: str) -> Any:
    """torch's canonical mask: a bool mask (True = not allowed) becomes 0 / −inf floats."""
    if mask is None:
        return None
    m = mask._data if isinstance(mask, Tensor) else asarray(mask)
    if m.dtype == bool:
        return np.where(m, -np.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask if isinstance(mask, Tensor) else m.astype(dtype, copy=False)


def _each(f: Any, q: Tensor, k: Tensor, v: Tensor) -> tuple:
    """f of the three inputs, applied once to a tensor passed twice (so self-attention
    still sees one tensor and takes the one-GEMM path)."""
    fq = f(q)
    fk = fq if k is q else f(k)
    fv = fq if v is q else fk if v is k else f(v)
    return fq, fk, fv


def _pad_keys(mask: Any, extra: int) -> Any:
    """``mask`` (…, S) with ``extra`` zero columns appended (None stays None)."""
    if mask is None or not extra:
        return mask
    if isinstance(mask, Tensor):
        return F.pad(mask, (0, extra))
    return np.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, extra)])


class MultiheadAttention(Module):
    """MultiHead(Q, K, V) = Concat(head_1 … head_h) W_Oᵀ + b_O,
    head_i = softmax((Q W_Qiᵀ)(K W_Kiᵀ)ᵀ / √d_head + mask) (V W_Viᵀ).

    ``in_proj_weight`` (3E, E) stacks W_Q, W_K, W_V (xavier-uniform), ``in_proj_bias``
    (3E,) zeros, ``out_proj`` a Linear(E, E) (bias zeros). With ``kdim``/``vdim`` ≠ E the
    projections are ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight``
    (E, vdim). Shapes: (L, N, E) or (N, L, E) with ``batch_first``; unbatched (L, E).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = float(dropout), batch_first
        self.head_dim = embed_dim // num_heads
        dt = np.dtype(dtype or np.float32)
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), dt))
            for n in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(n, None)
        else:
            self.q_proj_weight = Parameter(np.empty((e, e), dt))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), dt))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), dt))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * e, dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, dtype=dt)
        if add_bias_kv:  # one learned extra key and value (1, 1, E), appended to every batch
            self.bias_k = Parameter(np.empty((1, 1, e), dt))
            self.bias_v = Parameter(np.empty((1, 1, e), dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()
        if device is not None:
            self.to(device)

    def _reset_parameters(self) -> None:
        """torch's: xavier-uniform projections, zero biases (out_proj.weight keeps Linear's)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple:
        e, b = self.embed_dim, self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if not self._qkv_same_embed_dim:
            return (linear(query, self.q_proj_weight, bq), linear(key, self.k_proj_weight, bk),
                    linear(value, self.v_proj_weight, bv))
        # Three GEMMs on row blocks of in_proj_weight, also for self-attention: slicing one
        # (…, 3E) product instead would send three zero-padded (…, 3E) gradients back.
        w = self.in_proj_weight
        return (linear(query, w[:e], bq), linear(key, w[e:2 * e], bk),
                linear(value, w[2 * e:], bv))

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
        """Returns (attn_output like query, weights (N, L, S) averaged over heads, or
        (N, h, L, S), or None without ``need_weights``). Masks: ``attn_mask`` (L, S) or
        (N·h, L, S), ``key_padding_mask`` (N, S); bool True = may not attend, floats added.
        ``is_causal`` is a hint that ``attn_mask`` is the causal mask (required with it)."""
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask` "
                               "to create this mask.")
        # batch-major inside, (N, L, E): no copies for batch_first inputs
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = _each(lambda t: t.unsqueeze(0), query, key, value)
            if key_padding_mask is not None:
                key_padding_mask = asarray(key_padding_mask._data if isinstance(
                    key_padding_mask, Tensor) else key_padding_mask)[None]
        elif not self.batch_first:
            query, key, value = _each(lambda t: t.transpose(0, 1), query, key, value)
        if query.ndim != 3 or query.shape[-1] != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, "
                                 f"but got query of shape {tuple(query.shape)}")
        n_b, n_l, e = query.shape
        n_s, h, hd = key.shape[1], self.num_heads, self.head_dim
        q, k, v = self._project(query, key, value)
        extra = 0  # keys appended after the given ones: bias_k/bias_v, then a zero key
        if self.bias_k is not None:
            k = ag.cat([k, self.bias_k.expand(n_b, 1, e)], 1)
            v = ag.cat([v, self.bias_v.expand(n_b, 1, e)], 1)
            extra += 1
        # (N, L, E) → (N, h, L, hd)
        q = q.reshape(n_b, n_l, h, hd).permute(0, 2, 1, 3)
        k = k.reshape(n_b, n_s + extra, h, hd).permute(0, 2, 1, 3)
        v = v.reshape(n_b, n_s + extra, h, hd).permute(0, 2, 1, 3)
        if self.add_zero_attn:
            zero = Tensor._const(np.zeros((n_b, h, 1, hd), dtype=k.dtype))
            k, v = ag.cat([k, zero], 2), ag.cat([v, zero], 2)
            extra += 1
        mask = self._merged_mask(attn_mask, key_padding_mask, n_b, n_l, n_s, query.dtype,
                                 extra)
        drop = self.dropout if self.training else 0.0
        if need_weights:  # the weights are an output: the composite graph keeps them
            scores = ag.matmul(q * (1.0 / math.sqrt(hd)), k.transpose(-2, -1))
            if mask is not None:
                scores = scores + mask
            weights = ag.softmax(scores, -1)
            if drop > 0.0:
                weights = F.dropout(weights, drop, True)
            out = ag.matmul(weights, v)
        else:  # one fused node where the mask is a constant (F.scaled_dot_product_attention)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        out = out.permute(0, 2, 1, 3).reshape(n_b, n_l, e)
        out = self.out_proj(out)
        if unbatched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(1)
        return out, (weights.squeeze(0) if unbatched else weights)

    def _merged_mask(self, attn_mask: Any, kpm: Any, n_b: int, n_l: int, n_s: int,
                     dtype: Any, extra: int = 0) -> Any:
        """attn_mask and key_padding_mask as one additive mask broadcasting to (N, h, L, S),
        each padded with 0 (attend) for the ``extra`` keys appended after the S given."""
        am = _float_mask(attn_mask, dtype, "attn_mask")
        if am is not None:
            shape = tuple(am.shape)
            if shape == (n_l, n_s):
                pass
            elif shape == (n_b * self.num_heads, n_l, n_s):
                am = am.reshape(n_b, self.num_heads, n_l, n_s)
            else:
                raise RuntimeError(f"The shape of the attn_mask is {shape}, but should be "
                                   f"{(n_l, n_s)} or {(n_b * self.num_heads, n_l, n_s)}.")
        kp = _float_mask(kpm, dtype, "key_padding_mask")
        if kp is not None:
            if tuple(kp.shape) != (n_b, n_s):
                raise AssertionError(f"expecting key_padding_mask shape of {(n_b, n_s)}, but "
                                     f"got {tuple(kp.shape)}")
            kp = _pad_keys(kp, extra).reshape(n_b, 1, 1, n_s + extra)
        am = _pad_keys(am, extra)
        return kp if am is None else am if kp is None else am + kp

