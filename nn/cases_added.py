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
from nn.modules import (
    AlphaDropout,
    ChannelShuffle,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    EmbeddingBag,
    FeatureAlphaDropout,
    Fold,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LazyLinear,
    LocalResponseNorm,
    LPPool1d,
    LPPool2d,
    MaxUnpool1d,
    MaxUnpool2d,
    PixelShuffle,
    PixelUnshuffle,
    RMSNorm,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    Unfold,
)
from nn.modules import margin_loss as ml
from nn.modules import padding as pad

__all__: list = []


def _register_norms() -> None:
    _fn("rms_norm", "weight-3d", lambda x, w: F.rms_norm(x, (4,), w), (2, 3, 4), (4,))
    _fn("rms_norm", "two-axes-eps", lambda x: F.rms_norm(x, (3, 4), eps=0.1), (2, 3, 4))
    layer_case("affine", RMSNorm(4), (2, 3, 4))
    layer_case("no-affine-eps", RMSNorm((3, 4), eps=1e-3, elementwise_affine=False),
               (2, 3, 4))
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, 0.5])
    _fn("instance_norm", "affine-1d", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
        (2, 3, 4), (3,), (3,))
    _fn("instance_norm", "running-stats-eval",
        lambda x, w: F.instance_norm(x, ag.tensor(rm), ag.tensor(rv), w, None,
                                     use_input_stats=False), (2, 3, 2, 2), (3,))
    _fn("local_response_norm", "size3-alpha0.5",
        lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0), (2, 5, 3))
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
    causal = _made(np.triu(np.ones((3, 3), dtype=bool), 1))
    kpm = _made(np.array([[False, False, True], [False, False, False]]))
    memory = np.random.default_rng(3).standard_normal((4, 2, 4))
    layer = TransformerEncoderLayer(4, 2, 5, dropout=0.0)
    layer_case("2-layers-norm-masks", TransformerEncoder(layer, 2, RMSNorm(4),
                                                         enable_nested_tensor=False),
               (3, 2, 4), call=lambda m, x: m(x, mask=causal(), src_key_padding_mask=kpm()),
               **_STACK)
    layer_case("post-norm-masks", TransformerDecoderLayer(4, 2, 5, dropout=0.0), (3, 2, 4),
               call=lambda m, x: m(x, ag.tensor(memory), tgt_mask=causal()))
    layer_case("pre-norm-gelu-memory-grad",
               TransformerDecoderLayer(4, 2, 5, dropout=0.0, activation="gelu",
                                       norm_first=True), (3, 2, 4),
               call=lambda m, x: m(x, x[:2] * 2, tgt_key_padding_mask=kpm()))
    dec = TransformerDecoderLayer(4, 2, 5, dropout=0.0, batch_first=True)
    layer_case("2-layers-batch-first", TransformerDecoder(dec, 2), (2, 3, 4),
               call=lambda m, x: m(x, ag.tensor(memory).transpose(0, 1), tgt_mask=causal()),
               **_STACK)
    layer_case("1+1-layers-key-padding", Transformer(4, 2, 1, 1, 5, dropout=0.0), (3, 2, 4),
               call=lambda m, x: _flat_outputs(m(x, x[:2] * 0.5, src_key_padding_mask=kpm())),
               **_STACK)


def _made(a: np.ndarray) -> Any:
    """A constant made when the case runs (on the default device then, as the inputs)."""
    return lambda: ag.tensor(a)


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
    _fn("channel_shuffle", "g3", lambda x: F.channel_shuffle(x, 3) ** 2, (2, 6, 2))
    _fn("unfold", "all-options", lambda x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1,
                                                    stride=(1, 2)) ** 2, (1, 2, 4, 5))
    _fn("fold", "overlapping", lambda x: F.fold(x, (3, 4), 2, padding=1) ** 2, (2, 8, 20))
    layer_case("r2-unbatched", PixelShuffle(2), (4, 2, 2), call=lambda m, x: m(x) ** 2)
    layer_case("r3", PixelUnshuffle(3), (1, 1, 3, 3), call=lambda m, x: m(x) ** 2)
    layer_case("g2", ChannelShuffle(2), (1, 4, 2, 2), call=lambda m, x: m(x) ** 2)
    layer_case("k3-p1-s2", Unfold(3, padding=1, stride=2), (2, 4, 5),
               call=lambda m, x: m(x) ** 2)
    layer_case("k2-s1", Fold((3, 3), 2), (1, 8, 4), call=lambda m, x: m(x) ** 2)


# labels that say what these cases add next to cases_parity2.py's "default" ones
_LOSS_LABELS = {"CosineEmbeddingLoss": "flipped-pairs", "MultiLabelSoftMarginLoss": "weight",
                "MultiMarginLoss": "margin0.6", "MultiLabelMarginLoss": "empty-target-row"}


def _register_losses() -> None:
    rng = np.random.default_rng(9)
    pm1 = _made(np.array([1.0, -1.0, -1.0, 1.0]))
    labels = _made((rng.standard_normal((4, 3)) > 0).astype(np.float64))
    cls4 = _made(np.array([2, 0, 1, 1]))
    mlm = _made(np.array([[2, 0, -1], [1, -1, 0], [0, 1, 2], [-1, 0, 0]]))
    _fn("margin_ranking_loss", "sum", lambda a, b: F.margin_ranking_loss(
        a, b, pm1(), 0.3, reduction="sum") ** 2, (4,), (4,), make=_apart)
    _fn("hinge_embedding_loss", "margin0.7", lambda x: F.hinge_embedding_loss(
        x, pm1(), 0.7) ** 2, (4,), make=_apart)
    _fn("cosine_embedding_loss", "margin0.2", lambda a, b: F.cosine_embedding_loss(
        a, b, pm1(), 0.2, reduction="none") ** 2, (4, 3), (4, 3))
    _fn("soft_margin_loss", "mean", lambda x: F.soft_margin_loss(x, pm1()), (4,))
    _fn("multilabel_soft_margin_loss", "weight-4x3", lambda x, w: F.multilabel_soft_margin_loss(
        x, labels(), w), (4, 3), (3,))
    _fn("multi_margin_loss", "p2-weight-none", lambda x, w: F.multi_margin_loss(
        x, cls4(), 2, 0.5, w, reduction="none"), (4, 3), (3,), make=_apart)
    _fn("multilabel_margin_loss", "repeats", lambda x: F.multilabel_margin_loss(
        x, mlm(), reduction="sum") ** 2, (4, 3), make=_apart)
    _fn("triplet_margin_loss", "swap-margin2", lambda a, p, n: F.triplet_margin_loss(
        a, p, n, 2.0, swap=True), (4, 3), (4, 3), (4, 3))
    _fn("triplet_margin_with_distance_loss", "default", lambda a, p, n:
        F.triplet_margin_with_distance_loss(a, p, n, margin=2.0), (4, 3), (4, 3), (4, 3))
    _fn("poisson_nll_loss", "rate-full", lambda x, y: F.poisson_nll_loss(
        x, y * 2 + 1.5, log_input=False, full=True), (2, 3), (2, 3), make=_positive)
    _fn("gaussian_nll_loss", "shared-var-full", lambda x, y, v: F.gaussian_nll_loss(
        x, y, v, full=True, eps=0.05), (3, 2), (3, 2), (3, 1), make=_positive)
    for m, call, shape in (
            (ml.MarginRankingLoss(0.2), lambda m, x: m(x, x.flip(0) * 0.5, pm1()), (4,)),
            (ml.HingeEmbeddingLoss(reduction="sum"), lambda m, x: m(x, pm1()) ** 2, (4,)),
            (ml.CosineEmbeddingLoss(), lambda m, x: m(x, x.flip(0), pm1()), (4, 3)),
            (ml.SoftMarginLoss(reduction="none"), lambda m, x: m(x, pm1()), (4,)),
            (ml.MultiLabelSoftMarginLoss([0.5, 1.0, 2.0]), lambda m, x: m(x, labels()), (4, 3)),
            (ml.MultiMarginLoss(margin=0.6), lambda m, x: m(x, cls4()), (4, 3)),
            (ml.MultiLabelMarginLoss(), lambda m, x: m(x, mlm()), (4, 3)),
            (ml.TripletMarginLoss(1.5, p=1.5), lambda m, x: m(x, x * 0.5, x.flip(0)), (4, 3)),
            (ml.TripletMarginWithDistanceLoss(margin=1.5, swap=True),
             lambda m, x: m(x, x * 0.5, x.flip(0)), (4, 3)),
            (ml.PoissonNLLLoss(), lambda m, x: m(x, ag.tensor([0.0, 1.0, 2.5, 4.0])), (4,)),
            (ml.GaussianNLLLoss(), lambda m, x: m(x[:, :2], x[:, 2:] * 0, x[:, 2:] ** 2 + 0.5),
             (4, 3))):
        label = _LOSS_LABELS.get(type(m).__name__,
                                 "default" if m.reduction == "mean" else m.reduction)
        layer_case(label, m, shape, call=call, make=_apart)


def _distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    return rng.permutation(n).reshape(shape) * 0.37 - 0.2 * n


def _apart(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # well-separated values: no hinge sits within a finite-difference step of its kink
    n = int(np.prod(shape)) if shape else 1
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.23 + 0.05


def _positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.3, 2.0, shape)


def _register_lazy() -> None:
    lazy = LazyLinear(3).double()
    lazy.initialize_parameters(ag.zeros(1, 4, dtype=np.float64))  # shapes known to the case
    layer_case("materialised", lazy, (2, 4))


def _register_unpool() -> None:
    idx2 = _made(np.array([[[[0, 7], [9, 14]], [[5, 2], [15, 10]]]]))  # (1, 2, 2, 2) in 4x4
    idx1 = _made(np.array([[[1, 2, 5], [0, 3, 4]]]))  # (1, 2, 3) in length 6
    _fn("max_unpool2d", "k2-given-indices", lambda x: F.max_unpool2d(x, idx2(), 2) ** 2,
        (1, 2, 2, 2))
    _fn("max_unpool1d", "k2", lambda x: F.max_unpool1d(x, idx1(), 2) ** 2, (1, 2, 3))
    bag_idx, bag_off = _made(np.array([1, 2, 4, 0, 4, 3, 2])), _made(np.array([0, 2, 2, 5]))
    _fn("embedding_bag", "sum-weights-empty-bag",
        lambda w, p: F.embedding_bag(bag_idx(), w, bag_off(), mode="sum",
                                     per_sample_weights=p) ** 2,
        (5, 3), (7,))
    # (scale_grad_by_freq scales the gradient away from the derivative: its own test checks it)
    _fn("embedding_bag", "mean-padding",
        lambda w: F.embedding_bag(bag_idx(), w, bag_off(), padding_idx=4) ** 2, (5, 3))
    _fn("embedding_bag", "max",
        lambda w: F.embedding_bag(bag_idx(), w, bag_off(), mode="max") ** 2,
        (5, 3), make=_distinct)
    layer_case("max-2d", EmbeddingBag(5, 3, mode="max"), (2, 3),
               call=lambda m, x: m(ag.tensor(np.array([[0, 4, 1], [3, 3, 2]]))) * x,
               make=_distinct)
    layer_case("k2-given-indices", MaxUnpool2d(2), (1, 2, 2, 2),
               call=lambda m, x: m(x, idx2()) ** 2)
    layer_case("k2-output-size", MaxUnpool1d(2), (1, 2, 3),
               call=lambda m, x: m(x, idx1(), output_size=[7]) ** 2)


_register_norms()
_register_dropout()
_register_unpool()
_register_lazy()
_register_losses()
_register_rearrangements()
_register_padding()
_register_transformer()
