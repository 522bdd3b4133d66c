"""Gradcheck cases (first and second order) for the layers and functional forms added for
torch parity: RMSNorm, the transformer stack, channel dropout, padding, pixel shuffle,
fold/unfold, instance norm, local response norm, LP pooling and the margin losses.
Imported by nn/cases.py, which registers them with the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from nn import functional as F
from nn.cases import _flat_outputs, _fn, layer_case
from nn.modules import padding as pad
from nn.modules.dropout_nd import (
    AlphaDropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)
from nn.modules.instance_norm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from nn.modules.lp_pool import LocalResponseNorm, LPPool1d, LPPool2d
from nn.modules.pixel import ChannelShuffle, Fold, PixelShuffle, PixelUnshuffle, Unfold
from nn.modules.rmsnorm import RMSNorm
from nn.modules.transformer import TransformerEncoderLayer
from nn.modules.transformer_stack import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
)

__all__: list = []


def _register_norms() -> None:
    _fn("rms_norm", "weight", lambda x, w: F.rms_norm(x, (4,), w), (2, 3, 4), (4,))
    _fn("rms_norm", "two-axes-eps", lambda x: F.rms_norm(x, (3, 4), eps=0.1), (2, 3, 4))
    layer_case("affine", RMSNorm(4), (2, 3, 4))
    layer_case("no-affine-eps", RMSNorm((3, 4), eps=1e-3, elementwise_affine=False),
               (2, 3, 4))
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, 0.5])
    _fn("instance_norm", "affine", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
        (2, 3, 4), (3,), (3,))
    _fn("instance_norm", "running-stats-eval",
        lambda x, w: F.instance_norm(x, ag.tensor(rm), ag.tensor(rv), w, None,
                                     use_input_stats=False), (2, 3, 2, 2), (3,))
    _fn("local_response_norm", "size3", lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0),
        (2, 5, 3))
    _fn("lp_pool1d", "p2-stride", lambda x: F.lp_pool1d(x, 2, 3, 2), (2, 2, 7))
    _fn("lp_pool2d", "p1.5-ceil", lambda x: F.lp_pool2d(x, 1.5, 2, ceil_mode=True),
        (1, 2, 5, 4), make=lambda rng, shape: rng.uniform(0.3, 2.0, shape))
    layer_case("default", InstanceNorm1d(3), (2, 3, 4))
    layer_case("affine-track-training", InstanceNorm2d(2, affine=True, track_running_stats=True),
               (2, 2, 2, 3))
    in_eval = InstanceNorm3d(2, track_running_stats=True).double()
    in_eval.running_mean[...] = np.array([0.3, -0.2])
    layer_case("track-eval-unbatched", in_eval.eval(), (2, 2, 1, 2))
    layer_case("even-size", LocalResponseNorm(2, 0.3, 0.6, 2.0), (2, 4, 2, 3))
    layer_case("p2-k2", LPPool1d(2, 2), (2, 3, 6))
    layer_case("p3-ceil", LPPool2d(3, 2, stride=2, ceil_mode=True), (1, 2, 5, 3),
               make=lambda rng, shape: rng.uniform(0.3, 2.0, shape))


# second order of the stacks: their layers' own cases check it (and it takes seconds here)
_STACK: dict = {"second_order": False,
                "extra": {"why": "a stack of layers whose own cases check second order"}}


def _register_transformer() -> None:
    causal = ag.tensor(np.triu(np.ones((3, 3), dtype=bool), 1))
    kpm = ag.tensor(np.array([[False, False, True], [False, False, False]]))
    memory = np.random.default_rng(3).standard_normal((4, 2, 4))
    layer = TransformerEncoderLayer(4, 2, 5, dropout=0.0)
    layer_case("2-layers-norm-masks", TransformerEncoder(layer, 2, RMSNorm(4),
                                                         enable_nested_tensor=False),
               (3, 2, 4), call=lambda m, x: m(x, mask=causal, src_key_padding_mask=kpm),
               **_STACK)
    layer_case("post-norm-masks", TransformerDecoderLayer(4, 2, 5, dropout=0.0), (3, 2, 4),
               call=lambda m, x: m(x, ag.tensor(memory), tgt_mask=causal))
    layer_case("pre-norm-gelu-memory-grad",
               TransformerDecoderLayer(4, 2, 5, dropout=0.0, activation="gelu",
                                       norm_first=True), (3, 2, 4),
               call=lambda m, x: m(x, x[:2] * 2, tgt_key_padding_mask=kpm))
    dec = TransformerDecoderLayer(4, 2, 5, dropout=0.0, batch_first=True)
    layer_case("2-layers-batch-first", TransformerDecoder(dec, 2), (2, 3, 4),
               call=lambda m, x: m(x, ag.tensor(memory).transpose(0, 1), tgt_mask=causal),
               **_STACK)
    layer_case("1+1-layers", Transformer(4, 2, 1, 1, 5, dropout=0.0), (3, 2, 4),
               call=lambda m, x: _flat_outputs(m(x, x[:2] * 0.5, src_key_padding_mask=kpm)),
               **_STACK)


def _seeded(fn: Any, seed: int = 3) -> Any:
    def call(x: Any) -> Any:
        ag.manual_seed(seed)  # the same mask on every call: linear given its mask
        return fn(x)
    return call


def _register_dropout() -> None:
    _fn("dropout1d", "unbatched", _seeded(lambda x: F.dropout1d(x, 0.4)), (5, 3))
    _fn("dropout2d", "batch", _seeded(lambda x: F.dropout2d(x, 0.5)), (2, 4, 2, 2))
    _fn("dropout3d", "batch", _seeded(lambda x: F.dropout3d(x, 0.3)), (2, 3, 2, 1, 2))
    _fn("alpha_dropout", "training", _seeded(lambda x: F.alpha_dropout(x, 0.3, True)), (4, 5))
    _fn("feature_alpha_dropout", "training",
        _seeded(lambda x: F.feature_alpha_dropout(x, 0.3, True)), (3, 4, 2))
    for m, shape in ((Dropout1d(0.3), (2, 4, 3)), (Dropout2d(0.3), (2, 4, 2, 2)),
                     (Dropout3d(0.3), (3, 2, 1, 2)), (AlphaDropout(0.2), (3, 4)),
                     (FeatureAlphaDropout(0.4), (3, 4, 2))):
        layer_case("training-fixed-mask", m, shape, seed=5)
    layer_case("eval", AlphaDropout(0.2).eval(), (3, 4))


def _register_padding() -> None:
    for m, shape in ((pad.ZeroPad1d((-1, 2)), (2, 2, 3)),
                     (pad.ZeroPad2d((1, 0, 2, 1)), (1, 2, 2, 2)),
                     (pad.ZeroPad3d(1), (1, 1, 2, 1, 2)), (pad.ConstantPad1d(2, 3.5), (2, 3)),
                     (pad.ConstantPad2d((0, 1, 2, 0), -1.0), (2, 2, 3)),
                     (pad.ConstantPad3d((1, 0, 0, 1, 1, 1), 0.5), (1, 2, 2, 2)),
                     (pad.ReflectionPad1d((2, 1)), (2, 2, 4)), (pad.ReflectionPad2d(1), (2, 3, 3)),
                     (pad.ReflectionPad3d((1, 0, 1, 1, 0, 1)), (1, 1, 2, 3, 2)),
                     (pad.ReplicationPad1d((3, 1)), (2, 2, 3)),
                     (pad.ReplicationPad2d((0, 2, 1, 1)), (1, 2, 3, 2)),
                     (pad.ReplicationPad3d(1), (1, 1, 2, 2, 2)), (pad.CircularPad1d(2), (2, 2, 3)),
                     (pad.CircularPad2d((1, 2, 0, 1)), (1, 2, 3, 3)),
                     (pad.CircularPad3d((1, 1, 0, 1, 1, 0)), (2, 2, 2, 2))):
        layer_case(repr(m)[len(type(m).__name__):], m, shape)


def _register_rearrangements() -> None:
    _fn("pixel_shuffle", "r2-extra-batch-dim", lambda x: F.pixel_shuffle(x, 2) ** 2,
        (2, 1, 8, 2, 1))
    _fn("pixel_unshuffle", "r2", lambda x: F.pixel_unshuffle(x, 2) ** 2, (1, 2, 4, 2))
    _fn("channel_shuffle", "g3", lambda x: F.channel_shuffle(x, 3) ** 2, (2, 6, 2))
    _fn("unfold", "all-options", lambda x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1,
                                                    stride=(1, 2)) ** 2, (1, 2, 4, 5))
    _fn("fold", "overlapping", lambda x: F.fold(x, (3, 4), 2, padding=1) ** 2, (2, 8, 20))
    layer_case("r2", PixelShuffle(2), (4, 2, 2), call=lambda m, x: m(x) ** 2)
    layer_case("r3", PixelUnshuffle(3), (1, 1, 3, 3), call=lambda m, x: m(x) ** 2)
    layer_case("g2", ChannelShuffle(2), (1, 4, 2, 2), call=lambda m, x: m(x) ** 2)
    layer_case("k3-p1-s2", Unfold(3, padding=1, stride=2), (2, 4, 5),
               call=lambda m, x: m(x) ** 2)
    layer_case("k2-s1", Fold((3, 3), 2), (1, 8, 4), call=lambda m, x: m(x) ** 2)


_register_norms()
_register_dropout()
_register_rearrangements()
_register_padding()
_register_transformer()
