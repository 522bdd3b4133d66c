"""``TransformerEncoderLayer``: self-attention and a feed-forward block, each with a
residual connection and LayerNorm (post-norm by default, pre-norm with ``norm_first``);
``TransformerEncoder``/``TransformerDecoder``: stacks of copies of one layer;
``TransformerDecoderLayer`` (self-attention, cross-attention over the memory, feed-forward);
``Transformer``: encoder and decoder together."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import xp_of
from autograd.ops.attention import causal_bias
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.modules.activation import GELU, ReLU
from nn.modules.attention import MultiheadAttention
from nn.modules.container import ModuleList
from nn.modules.dropout import Dropout
from nn.modules.layernorm import LayerNorm
from nn.modules.linear import Linear
from nn.modules.module import Module

__all__ = ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerEncoderLayer"]


def _activation(activation: str | Callable) -> Callable:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _sublayers(layer: Module, n: int, d_model: int, nhead: int, dim_feedforward: int,
               dropout: float, eps: float, batch_first: bool, norm_first: bool, bias: bool,
               dtype: Any) -> None:
    """The parts of an encoder (``n`` = 2 sublayers) or decoder (``n`` = 3: cross-attention
    too) layer, registered in torch's order, so state_dict keys come in torch's order:
    self_attn, [multihead_attn], linear1, dropout, linear2, norm1..n, dropout1..n."""
    attn = {"dropout": dropout, "bias": bias, "batch_first": batch_first, "dtype": dtype}
    layer.self_attn = MultiheadAttention(d_model, nhead, **attn)
    if n == 3:
        layer.multihead_attn = MultiheadAttention(d_model, nhead, **attn)
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
    layer.norm_first = norm_first
    for i in range(1, n + 1):
        setattr(layer, f"norm{i}", LayerNorm(d_model, eps=eps, bias=bias, dtype=dtype))
    for i in range(1, n + 1):
        setattr(layer, f"dropout{i}", Dropout(dropout))


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
        _sublayers(self, 2, d_model, nhead, dim_feedforward, dropout, layer_norm_eps,
                   batch_first, norm_first, bias, dtype)
        self.activation = _activation(activation)
        act = self.activation  # torch's flag for its fused path: 1 relu, 2 gelu, 0 other
        self.activation_relu_or_gelu = (1 if act is F.relu or isinstance(act, ReLU) else
                                        2 if act is F.gelu or isinstance(act, GELU) else 0)
        if device is not None:  # made on the host, then moved (as the other layers)
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
        return self.dropout1(_attend(self.self_attn, x, x, attn_mask, key_padding_mask,
                                     is_causal))

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _attend(mha: MultiheadAttention, x: Tensor, mem: Tensor, attn_mask: Any,
            key_padding_mask: Any, is_causal: bool) -> Tensor:
    """``mha(x, mem, mem)`` without weights, as torch's multi_head_attention_forward: a
    causal hint without a key padding mask drops ``attn_mask`` and attends causally
    (query i sees keys 0 … i), so the given mask's values and dtype are never read (a
    float64 causal mask runs in a float32 model)."""
    if is_causal and attn_mask is not None and key_padding_mask is None:
        at = 1 if x.ndim == 3 and mha.batch_first else 0
        attn_mask = Tensor._const(causal_bias(x.shape[at], mem.shape[at], x.dtype, x._data))
    return mha(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
               need_weights=False, is_causal=is_causal)[0]


def _clones(layer: Module, n: int) -> ModuleList:
    """``n`` deep copies of ``layer`` (torch's _get_clones: every layer starts equal)."""
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


def _square_subsequent_mask(sz: int, dtype: Any = np.float32) -> Tensor:
    """(sz, sz) float mask: 0 on and below the diagonal, −inf above (position i sees
    positions ≤ i)."""
    return ag.tensor(np.triu(np.full((sz, sz), -np.inf, dtype=np.dtype(dtype or np.float32)),
                             1))


def _detect_is_causal(mask: Any, is_causal: bool | None, size: int) -> bool:
    """torch's _detect_is_causal_mask: an explicit ``is_causal`` wins; otherwise a mask
    equal to the square subsequent mask (bool masks read True = masked) is causal."""
    if is_causal is not None:
        return bool(is_causal)
    if mask is None:
        return False
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.shape != (size, size):
        return False
    xp = xp_of(m)
    m = xp.where(m, -np.inf, 0.0) if m.dtype == bool else m
    return bool((m == xp.triu(xp.full((size, size), -np.inf), 1)).all())


def _left_aligned(keep: np.ndarray) -> bool:
    """Every row of ``keep`` (N, S) is a run of True then a run of False."""
    return bool((keep[:, :-1] | ~keep[:, 1:]).all())


def _why_not_nested(layer: Module) -> str:
    """torch's reason (its words, first failing check) why an encoder of ``layer`` cannot
    take the nested-tensor path; "" when it can."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    sa = layer.self_attn
    checks = (
        (layer.norm_first, f"{name}.norm_first was True"),
        (not sa.batch_first, f"{name}.self_attn.batch_first was not True(use batch_first "
                             "for better inference performance)"),
        (not sa._qkv_same_embed_dim, f"{name}.self_attn._qkv_same_embed_dim was not True"),
        (sa.in_proj_bias is None, f"{name}.self_attn was passed bias=False"),
        (not layer.activation_relu_or_gelu, f"{name}.activation_relu_or_gelu was not True"),
        (layer.norm1.eps != layer.norm2.eps,
         f"{name}.norm1.eps was not equal to {name}.norm2.eps"),
        (sa.num_heads % 2 == 1, f"{name}.self_attn.num_heads is odd"),
    )
    return next((why for failed, why in checks if failed), "")


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` applied in turn, then ``norm`` if given.

    As torch, a module in eval mode with grad off (or no parameter requiring it), a
    batch_first post-norm layer with relu/gelu, bias, an even head count and equal norm
    eps, a batched input, a left-aligned ``src_key_padding_mask`` and no ``mask`` runs its
    nested-tensor path: the padded positions of the output are 0 before ``norm``. With
    ``mask_check=False`` a mask that is not left-aligned takes that path too, as torch's:
    row i keeps its first k_i positions, k_i = the number it does not mask."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn("enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why_not}", stacklevel=2)
        self.use_nested_tensor = enable_nested_tensor and not why_not

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        """src (S, N, E) ((N, S, E) with batch_first, or (S, E)) → the same shape."""
        first = self.layers[0]
        batch_first = first.self_attn.batch_first
        seq_len = src.shape[1 if batch_first and src.ndim == 3 else 0]
        is_causal = _detect_is_causal(mask, is_causal, seq_len)
        keep = None
        if (self.use_nested_tensor and not first.training and src.ndim == 3
                and src_key_padding_mask is not None and mask is None
                and not (ag.is_grad_enabled() and (src.requires_grad or any(
                    p.requires_grad for p in first.parameters())))):
            m = src_key_padding_mask
            m = m._data if isinstance(m, Tensor) else np.asarray(m)
            keep = ~m if m.dtype == bool else m == 0
            if not _left_aligned(keep):
                if self.mask_check:
                    keep = None
                else:  # torch's nested tensor takes the first (number kept) of each row
                    xp = xp_of(keep)
                    keep = xp.arange(keep.shape[1])[None, :] < keep.sum(1)[:, None]
                    src_key_padding_mask = Tensor._const(~keep)
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, is_causal=is_causal,
                        src_key_padding_mask=src_key_padding_mask)
        if keep is not None:  # torch's to_padded_tensor(0.0) of the nested output
            keep = xp_of(keep).broadcast_to(keep[..., None], out.shape)
            out = ag.where(Tensor._const(keep), out, 0.0)
        if self.norm is not None:
            out = self.norm(out)
        return out


class TransformerDecoderLayer(Module):
    """Post-norm: x = norm1(x + SA(x)); x = norm2(x + MHA(x, memory)); x = norm3(x + FF(x)).
    Pre-norm (``norm_first``): x = x + SA(norm1(x)); x = x + MHA(norm2(x), memory);
    x = x + FF(norm3(x)). SA/MHA/FF as in TransformerEncoderLayer, with dropout1/2/3."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _sublayers(self, 3, d_model, nhead, dim_feedforward, dropout, layer_norm_eps,
                   batch_first, norm_first, bias, dtype)
        self.activation = _activation(activation)
        if device is not None:  # made on the host, then moved (as the other layers)
            self.to(device)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        """tgt (T, N, E), memory (S, N, E) ((N, ·, E) with batch_first) → tgt's shape."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask,
                                              tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool) -> Tensor:
        return self.dropout1(_attend(self.self_attn, x, x, attn_mask, key_padding_mask,
                                     is_causal))

    def _mha_block(self, x: Tensor, mem: Tensor, attn_mask: Any, key_padding_mask: Any,
                   is_causal: bool) -> Tensor:
        return self.dropout2(_attend(self.multihead_attn, x, mem, attn_mask,
                                     key_padding_mask, is_causal))

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` applied in turn to (tgt, memory), then
    ``norm`` if given; ``tgt_is_causal`` is detected from a causal ``tgt_mask``."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        batch_first = self.layers[0].self_attn.batch_first
        seq_len = tgt.shape[1 if batch_first and tgt.ndim == 3 else 0]
        tgt_is_causal = _detect_is_causal(tgt_mask, tgt_is_causal, seq_len)
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al. 2017): an encoder of
    ``num_encoder_layers`` layers and a decoder of ``num_decoder_layers``, each stack
    closed by a LayerNorm; every parameter of two or more dims re-drawn xavier-uniform."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 custom_encoder: Any = None, custom_decoder: Any = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            with warnings.catch_warnings():  # torch warns about its nested tensors
                warnings.simplefilter("ignore")
                self.encoder = TransformerEncoder(
                    TransformerEncoderLayer(*args, dtype=dtype), num_encoder_layers,
                    LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*args, dtype=dtype), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        if device is not None:
            self.to(device)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """src (S, N, E), tgt (T, N, E) ((N, ·, E) with batch_first; or unbatched) →
        (T, N, E)."""
        b = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[b] != tgt.shape[b]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """(sz, sz) causal float mask: −inf above the diagonal, 0 elsewhere."""
        mask = _square_subsequent_mask(sz, dtype)
        return mask if device is None else mask.to(device)
