"""nn.TransformerEncoder / TransformerDecoderLayer / TransformerDecoder / Transformer:
torch's parameter names, deep-copied layers, init, warnings and errors (values and
gradients against torch are in test_added_values.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import nn

# torch 2.13: list(nn.Transformer(4, 2, 1, 1, 6).state_dict())
TORCH_KEYS = [
 'encoder.layers.0.self_attn.in_proj_weight', 'encoder.layers.0.self_attn.in_proj_bias',
 'encoder.layers.0.self_attn.out_proj.weight', 'encoder.layers.0.self_attn.out_proj.bias',
 'encoder.layers.0.linear1.weight', 'encoder.layers.0.linear1.bias',
 'encoder.layers.0.linear2.weight', 'encoder.layers.0.linear2.bias',
 'encoder.layers.0.norm1.weight', 'encoder.layers.0.norm1.bias', 'encoder.layers.0.norm2.weight',
 'encoder.layers.0.norm2.bias', 'encoder.norm.weight', 'encoder.norm.bias',
 'decoder.layers.0.self_attn.in_proj_weight', 'decoder.layers.0.self_attn.in_proj_bias',
 'decoder.layers.0.self_attn.out_proj.weight', 'decoder.layers.0.self_attn.out_proj.bias',
 'decoder.layers.0.multihead_attn.in_proj_weight', 'decoder.layers.0.multihead_attn.in_proj_bias',
 'decoder.layers.0.multihead_attn.out_proj.weight',
 'decoder.layers.0.multihead_attn.out_proj.bias', 'decoder.layers.0.linear1.weight',
 'decoder.layers.0.linear1.bias', 'decoder.layers.0.linear2.weight',
 'decoder.layers.0.linear2.bias', 'decoder.layers.0.norm1.weight', 'decoder.layers.0.norm1.bias',
 'decoder.layers.0.norm2.weight', 'decoder.layers.0.norm2.bias', 'decoder.layers.0.norm3.weight',
 'decoder.layers.0.norm3.bias', 'decoder.norm.weight', 'decoder.norm.bias']


def _small(**kw) -> nn.Transformer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nn.Transformer(4, 2, 1, 1, 6, **kw)


def test_state_dict_keys_are_torchs_and_load() -> None:
    t = _small()
    assert list(t.state_dict()) == TORCH_KEYS
    u = _small()
    u.load_state_dict(t.state_dict())
    for (na, a), (nb, b) in zip(t.named_parameters(), u.named_parameters(), strict=True):
        assert na == nb
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_encoder_layers_are_deep_copies() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 6)
    enc = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    assert len(enc.layers) == 3 and enc.num_layers == 3 and enc.norm is None
    w = [m.linear1.weight for m in enc.layers]
    assert len({id(p) for p in w}) == 3 and all(p is not layer.linear1.weight for p in w)
    np.testing.assert_array_equal(w[0].detach().numpy(), w[2].detach().numpy())
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 6), 2, nn.LayerNorm(4))
    assert [n for n, _ in dec.named_parameters()][-2:] == ["norm.weight", "norm.bias"]


def test_transformer_init_is_xavier_uniform_on_matrices() -> None:
    ag.manual_seed(0)
    t = _small()
    reach = []
    for name, p in t.named_parameters():
        v = p.detach().numpy()
        if p.ndim > 1:
            bound = math.sqrt(6.0 / (p.shape[0] + p.shape[1]))
            assert np.abs(v).max() <= bound, name
            reach.append(np.abs(v).max() / bound)
        elif "in_proj_bias" in name or "out_proj.bias" in name or "norm" in name and "bias" in name:
            assert not v.any(), name
    assert max(reach) > 0.95  # not Linear's kaiming bound 1/√fan_in (0.5 or 0.41 here)
    assert (t.encoder.layers[0].norm1.weight.detach().numpy() == 1).all()


def test_nested_tensor_warning_as_torch() -> None:
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because "
                      r"encoder_layer.self_attn.batch_first was not True\(use batch_first"):
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6), 1)
    assert enc.enable_nested_tensor and not enc.use_nested_tensor
    with pytest.warns(UserWarning, match="num_heads is odd"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 1, 6, batch_first=True), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, batch_first=True), 1)
        assert enc.use_nested_tensor
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6), 1, enable_nested_tensor=False)


def test_errors_are_torchs() -> None:
    t = _small()
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        t(ag.randn(3, 2, 4), ag.randn(3, 1, 4))
    with pytest.raises(RuntimeError, match="feature number of src and tgt must be equal"):
        t(ag.randn(3, 2, 5), ag.randn(3, 2, 5))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerDecoderLayer(4, 2, activation="tanh")
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6), 2,
                                enable_nested_tensor=False)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        enc(ag.randn(3, 2, 4), is_causal=True)


def test_generate_square_subsequent_mask() -> None:
    m = nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == np.float32 and m.shape == (3, 3)
    assert m.tolist() == [[0.0, -math.inf, -math.inf], [0.0, 0.0, -math.inf], [0.0, 0.0, 0.0]]
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=np.float64).dtype == \
        np.float64
    assert _small().generate_square_subsequent_mask(2).shape == (2, 2)  # also on an instance


def test_causal_mask_detected_and_dropout_in_training() -> None:
    ag.manual_seed(1)
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0)
    dec = nn.TransformerDecoder(layer, 2).double()
    tgt, mem = ag.randn(4, 2, 4, dtype=np.float64), ag.randn(3, 2, 4, dtype=np.float64)
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64)
    a = dec(tgt, mem, tgt_mask=mask)
    b = dec(tgt, mem, tgt_mask=mask, tgt_is_causal=True)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    t = _small(dropout=0.5)
    src, tgt = ag.randn(3, 2, 4), ag.randn(4, 2, 4)
    assert t(src, tgt).shape == (4, 2, 4)
    assert not np.allclose(t(src, tgt).detach().numpy(), t(src, tgt).detach().numpy())
    t.eval()
    np.testing.assert_array_equal(t(src, tgt).detach().numpy(), t(src, tgt).detach().numpy())


def test_device_and_dtype(double_device) -> None:
    t = _small(device=double_device)
    assert {p.device.type for p in t.parameters()} == {"double"}
    d = nn.TransformerDecoderLayer(4, 2, 6, device="cpu", dtype=np.float64)
    assert {p.dtype for p in d.parameters()} == {np.dtype(np.float64)}


def test_float64_causal_mask_with_a_float32_model() -> None:
    # torch runs this (the detected causal mask goes to its fused causal path); float32 out
    t = _small(dropout=0.0)
    src, tgt = ag.randn(3, 2, 4), ag.randn(4, 2, 4)
    m64 = nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64)
    m32 = nn.Transformer.generate_square_subsequent_mask(4)
    out = t(src, tgt, tgt_mask=m64)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.detach().numpy(),
                                  t(src, tgt, tgt_mask=m32).detach().numpy())
