"""``TransformerEncoderLayer``: self-attention and a feed-forward block, each with a
residual connection and LayerNorm (post-norm by default, pre-norm with ``norm_first``);
``TransformerEncoder``: a stack of copies of one such layer, with an optional final norm."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.grad_mode import is_grad_enabled
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.attention import MultiheadAttention
from nn.modules.container import ModuleList
from nn.modules.dropout import Dropout
from nn.modules.layernorm import LayerNorm
from nn.modules.linear import Linear
from nn.modules.module import Module

__all__ = ["TransformerEncoder", "TransformerEncoderLayer"]


def _activation(activation: str | Callable) -> Callable:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class TransformerEncoderLayer(Module):
    """Post-norm: x = norm1(x + SA(x)); x = norm2(x + FF(x)).
    Pre-norm (``norm_first``): x = x + SA(norm1(x)); x = x + FF(norm2(x)).
    SA = dropout1(self_attn(x, x, x)), FF = dropout2(linear2(dropout(act(linear1(x)))))."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)
        if device is not None:
            self.to(device)

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        """src (S, N, E) ((N, S, E) with batch_first, or (S, E)) → the same shape."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` applied in turn, then ``norm``.

    As torch, in eval mode with a left-aligned ``src_key_padding_mask`` and no gradient
    to record, torch runs the layers on nested tensors and pads the result with zeros:
    the padded positions come out 0 (before ``norm``). The same conditions give the
    same zeros here (``enable_nested_tensor``: batch_first, an even number of heads,
    relu/gelu, post-norm layers); elsewhere padded positions keep their values."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why}", stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        """src (S, N, E) ((N, S, E) with batch_first, or (S, E)) → the same shape."""
        first = self.layers[0]
        pad = src_key_padding_mask
        nested = (self.use_nested_tensor and not first.training and src.ndim == 3
                  and pad is not None and mask is None
                  and not (is_grad_enabled() and (src.requires_grad or any(
                      p.requires_grad for p in first.parameters())))
                  and not (self.mask_check and not _left_aligned(_host(pad))))
        if is_causal is None:  # torch's _detect_is_causal_mask
            n = src.shape[1 if first.self_attn.batch_first and src.ndim == 3 else 0]
            is_causal = mask is not None and tuple(mask.shape) == (n, n) and bool(
                np.all(_host(mask) == np.triu(np.full((n, n), -np.inf), 1)))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if nested:  # torch's to_padded_tensor(0.0): padded where the mask is True / nonzero
            output = output.masked_fill((pad != 0).unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output


def _why_not_nested(layer: Any) -> str:
    """torch's reasons for not taking the nested-tensor path with this layer ('' if none)."""
    if not isinstance(layer, TransformerEncoderLayer):
        return "encoder_layer was not TransformerEncoderLayer"
    if layer.norm_first:
        return "encoder_layer.norm_first was True"
    if not layer.self_attn.batch_first:
        return ("encoder_layer.self_attn.batch_first was not True(use batch_first for better "
                "inference performance)")
    if not layer.self_attn._qkv_same_embed_dim:
        return "encoder_layer.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return "encoder_layer.self_attn was passed bias=False"
    if layer.activation not in (F.relu, F.gelu):
        return "encoder_layer.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return "encoder_layer.norm1.eps was not equal to encoder_layer.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return "encoder_layer.self_attn.num_heads is odd"
    return ""


def _host(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)


def _left_aligned(pad: np.ndarray) -> bool:
    """Every row's padding (True, or a nonzero float) comes after all its tokens."""
    keep = pad == 0 if pad.dtype != np.bool_ else ~pad
    return bool(np.all(keep[..., 1:] <= keep[..., :-1]))
