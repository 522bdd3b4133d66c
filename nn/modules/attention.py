"""``MultiheadAttention`` with torch's parameter layout, masks and returned weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor
from nn import init
from nn.modules.linear import NonDynamicallyQuantizableLinear
from nn.modules.module import Module, Parameter
from nn.multihead_attention import _each, multi_head_attention_forward

__all__ = ["MultiheadAttention"]


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

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
        """Returns (attn_output like query, weights (N, L, S) averaged over heads, or
        (N, h, L, S), or None without ``need_weights``): ``F.multi_head_attention_forward``
        with this module's parameters (batch-first input is transposed to it and back)."""
        batched = query.ndim == 3
        if self.batch_first and batched:
            query, key, value = _each(lambda t: t.transpose(1, 0), query, key, value)
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights
