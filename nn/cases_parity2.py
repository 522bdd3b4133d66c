"""gradcheck cases (first and second order) for what round 2 of the parity audit added:
the padding layers, ``TransformerEncoder`` and the margin/likelihood losses
(``nn/margin_losses.py``, ``nn/modules/margin_loss.py``). Imported by ``nn/cases.py``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd as ag
from nn import margin_losses as L
from nn import modules as M
from nn.cases import _away_from_zero, _fn, layer_case
from nn.functional import max_pool1d as F_max_pool1d
from nn.functional import max_pool2d as F_max_pool2d

__all__: list = []


def _distinct_rows(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # well-separated values: every bag's maximum is unique per column
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.37


def _positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.5, 2.0, shape)


def _register_padding() -> None:
    for n in (1, 2, 3):
        shape = (1, 2) + (3,) * n
        for kind, args in (("Zero", (1,)), ("Constant", (1, 0.5)), ("Reflection", (1,)),
                           ("Replication", (2,)), ("Circular", (1,))):
            pads = args[0] if kind != "Reflection" else (2, 1) * n
            layer_case(f"{n}d", getattr(M, f"{kind}Pad{n}d")(pads, *args[1:]), shape,
                       call=lambda m, x: m(x) ** 2)


def _register_encoder() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's enable_nested_tensor warning
        enc = M.TransformerEncoder(M.TransformerEncoderLayer(4, 2, 6, dropout=0.0), 2,
                                   M.LayerNorm(4))
    # constants are made at call time, on the default device (the device tests set it)
    def kpm() -> Any:
        return ag.tensor(np.array([[False, False, True], [False, False, False]]))

    def memory() -> Any:
        return ag.tensor(np.random.default_rng(12).standard_normal((2, 3, 4)))

    def causal() -> Any:
        return M.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64)

    layer_case("2-layers-norm-kpm", enc, (3, 2, 4),
               call=lambda m, x: m(x, src_key_padding_mask=kpm()))
    layer_case("pre-norm-batch-first",
               M.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=True,
                                         batch_first=True), (2, 3, 4),
               call=lambda m, x: m(x, memory(), tgt_mask=causal()))
    layer_case("2-layers-norm-kpm",
               M.TransformerDecoder(M.TransformerDecoderLayer(4, 2, 6, dropout=0.0), 2,
                                    M.LayerNorm(4)), (3, 2, 4),
               call=lambda m, x: m(x, memory().transpose(0, 1), memory_key_padding_mask=kpm()))
    layer_case("1+1-layers", M.Transformer(4, 2, 1, 1, 6, dropout=0.0), (3, 2, 4),
               call=lambda m, x: m(memory().transpose(0, 1), x, tgt_mask=causal()))


def _register_losses() -> None:
    y = np.array([1.0, -1.0, 1.0, -1.0])
    cls = np.array([2, 0, 1, 2])
    counts = np.array([[0.0, 1.0, 3.0], [2.0, 0.0, 5.0]])
    labels = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])

    def functional(name: str, label: str, fn: Any, *shapes: tuple, **kw: Any) -> None:
        _fn(name, label, fn, *shapes, **kw)

    functional("margin_ranking_loss", "margin0.3",
               lambda a, b: L.margin_ranking_loss(a, b, ag.tensor(y), 0.3), (4,), (4,),
               make=_away_from_zero)
    functional("hinge_embedding_loss", "margin1.5",
               lambda x: L.hinge_embedding_loss(x, ag.tensor(y), 1.5), (4,),
               make=_away_from_zero)
    functional("soft_margin_loss", "sum",
               lambda x: L.soft_margin_loss(x, ag.tensor(y), reduction="sum"), (4,))
    functional("multilabel_soft_margin_loss", "weight",
               lambda x, w: L.multilabel_soft_margin_loss(x, ag.tensor(labels), w), (2, 3),
               (3,))
    functional("multi_margin_loss", "p2-weight",
               lambda x, w: L.multi_margin_loss(x, ag.tensor(cls), 2, 0.5, w), (4, 3), (3,),
               make=_away_from_zero)
    functional("cosine_embedding_loss", "margin0.1",
               lambda a, b: L.cosine_embedding_loss(a, b, ag.tensor(y), -0.9,
                                                    reduction="none"), (4, 3), (4, 3))
    functional("triplet_margin_loss", "swap",
               lambda a, p, n: L.triplet_margin_loss(a, p, n, margin=3.0, swap=True), (4, 3),
               (4, 3), (4, 3))
    functional("poisson_nll_loss", "full",
               lambda x: L.poisson_nll_loss(x, ag.tensor(counts), full=True), (2, 3))
    functional("multilabel_margin_loss", "padded-targets",
               lambda x: L.multilabel_margin_loss(x, ag.tensor(np.array([[2, 0, -1], [1, -1, 0]]))),
               (2, 3), make=_away_from_zero)
    functional("triplet_margin_with_distance_loss", "cosine-swap",
               lambda a, p, n: L.triplet_margin_with_distance_loss(
                   a, p, n, distance_function=lambda u, v: 1 - (u * v).sum(-1), margin=2.0,
                   swap=True), (4, 3), (4, 3), (4, 3))
    functional("gaussian_nll_loss", "homoscedastic",
               lambda x, v: L.gaussian_nll_loss(x, ag.zeros(2, 3, dtype=ag.float64), v,
                                                full=True), (2, 3), (2,),
               make=_positive)
    def t() -> Any:  # made at call time, on the default device
        return ag.tensor(y)

    layer_case("margin0.2", M.MarginRankingLoss(0.2), (4,),
               call=lambda m, x: m(x, x.flip(0), t()), make=_away_from_zero)
    layer_case("default", M.HingeEmbeddingLoss(), (4,), call=lambda m, x: m(x, t()),
               make=_away_from_zero)
    layer_case("default", M.SoftMarginLoss(), (4,), call=lambda m, x: m(x, t()))
    layer_case("default", M.MultiLabelSoftMarginLoss(), (2, 3),
               call=lambda m, x: m(x, ag.tensor(labels)))
    layer_case("default", M.MultiMarginLoss(), (4, 3), call=lambda m, x: m(x, ag.tensor(cls)),
               make=_away_from_zero)
    layer_case("default", M.CosineEmbeddingLoss(), (4, 3),
               call=lambda m, x: m(x, x.flip(0) + 0.5, t()))
    layer_case("p1", M.TripletMarginLoss(p=1.0), (4, 3),
               call=lambda m, x: m(x, x * 0.5 + 0.1, x.flip(0)), make=_away_from_zero)
    layer_case("not-log-input", M.PoissonNLLLoss(log_input=False), (2, 3),
               call=lambda m, x: m(x, ag.tensor(counts)), make=_positive)
    layer_case("default", M.MultiLabelMarginLoss(), (2, 3), make=_away_from_zero,
               call=lambda m, x: m(x, ag.tensor(np.array([[1, -1, 2], [0, 2, -1]]))))
    layer_case("p-norm", M.TripletMarginWithDistanceLoss(margin=3.0), (4, 3),
               call=lambda m, x: m(x, x * 0.5 + 0.1, x.flip(0)))
    layer_case("heteroscedastic", M.GaussianNLLLoss(), (2, 3),
               call=lambda m, x: m(x, ag.zeros(2, 3, dtype=ag.float64), x * x + 0.5))


def _register_norms() -> None:
    from nn import norm_functions as N

    _fn("instance_norm", "affine", lambda x, w, b: N.instance_norm(x, weight=w, bias=b),
        (2, 3, 4), (3,), (3,))
    _fn("local_response_norm", "size3", lambda x: N.local_response_norm(x, 3, 0.1, 0.6, 1.5),
        (2, 4, 3))
    _fn("rms_norm", "weight", lambda x, w: N.rms_norm(x, (3,), w, 1e-3), (2, 3), (3,))
    layer_case("affine", M.InstanceNorm1d(3, affine=True), (2, 3, 4))
    layer_case("running", M.InstanceNorm2d(3, track_running_stats=True), (2, 3, 2, 3))
    layer_case("unbatched", M.InstanceNorm3d(2, affine=True), (2, 2, 2, 3))
    layer_case("train", M.BatchNorm3d(2), (3, 2, 2, 1, 2))
    layer_case("size2", M.LocalResponseNorm(2, 0.1), (2, 3, 2, 2))
    layer_case("2d", M.RMSNorm((2, 3), eps=1e-3), (4, 2, 3))


def _register_dropouts() -> None:
    from nn import feature_dropout as D

    def seeded(fn: Any) -> Any:
        def run(x: Any) -> Any:
            ag.manual_seed(3)
            return fn(x, 0.4, True)
        return run

    for name, shape in (("dropout1d", (3, 4, 2)), ("dropout2d", (2, 4, 2, 2)),
                        ("dropout3d", (3, 2, 2, 2)), ("alpha_dropout", (3, 4)),
                        ("feature_alpha_dropout", (2, 3, 2))):
        _fn(name, "p0.4-seeded", seeded(getattr(D, name)), shape)
    for cls, shape in ((M.Dropout1d, (2, 3, 4)), (M.Dropout2d, (2, 3, 2, 2)),
                       (M.Dropout3d, (2, 2, 2, 2)), (M.AlphaDropout, (3, 4)),
                       (M.FeatureAlphaDropout, (2, 3, 4))):
        layer_case("p0.3-seeded", cls(0.3), shape, seed=5)


def _register_rearranging() -> None:
    from nn import rearrange_functions as R
    from nn.cases import _distinct

    _fn("pixel_shuffle", "r2", lambda x: R.pixel_shuffle(x, 2) ** 2, (2, 4, 2, 3))
    _fn("pixel_unshuffle", "r2", lambda x: R.pixel_unshuffle(x, 2) ** 2, (1, 2, 4, 2))
    _fn("channel_shuffle", "g2", lambda x: R.channel_shuffle(x, 2) ** 2, (2, 4, 3))
    _fn("unfold", "k2-s2-p1-d(1,2)", lambda x: R.unfold(x, 2, (1, 2), 1, 2), (2, 2, 4, 5))
    _fn("fold", "k2-s1", lambda c: R.fold(c, (3, 4), 2), (2, 8, 6))
    _fn("max_unpool2d", "k2", lambda x: R.max_unpool2d(
        *F_max_pool2d(x, 2, return_indices=True), 2), (1, 2, 4, 4), make=_distinct)
    # windows that do not overlap: a value that is two windows' max lands once but gets
    # both gradients (torch's gather), which finite differences cannot see
    _fn("max_unpool1d", "k3-s3-p1", lambda x: R.max_unpool1d(
        *F_max_pool1d(x, 3, 3, 1, return_indices=True), 3, 3, 1), (2, 2, 7), make=_distinct)
    _fn("lp_pool2d", "p2-k2", lambda x: R.lp_pool2d(x, 2, 2), (1, 2, 4, 4),
        make=_away_from_zero)
    _fn("lp_pool1d", "p3-k3-s2", lambda x: R.lp_pool1d(x, 3, 3, 2, True), (2, 2, 7),
        make=_positive)
    layer_case("r2", M.PixelShuffle(2), (1, 8, 2, 2), call=lambda m, x: m(x) ** 2)
    layer_case("r2", M.PixelUnshuffle(2), (1, 2, 4, 4), call=lambda m, x: m(x) ** 2)
    layer_case("g3", M.ChannelShuffle(3), (2, 6, 2), call=lambda m, x: m(x) ** 2)
    layer_case("k3-p1", M.Unfold(3, padding=1), (1, 2, 3, 3))
    layer_case("k2-s2", M.Fold((4, 4), 2, stride=2), (1, 12, 4))
    layer_case("k2", M.MaxUnpool2d(2), (1, 2, 4, 4), make=_distinct,
               call=lambda m, x: m(*F_max_pool2d(x, 2, return_indices=True)))
    layer_case("k2", M.MaxUnpool1d(2), (1, 2, 6), make=_distinct,
               call=lambda m, x: m(*F_max_pool1d(x, 2, return_indices=True)))
    layer_case("p2-k2", M.LPPool2d(2, 2), (1, 2, 4, 4), make=_away_from_zero)
    layer_case("p2-k3", M.LPPool1d(2, 3, 1), (1, 2, 5), make=_away_from_zero)


def _register_extras() -> None:
    from nn import functional_extras as E

    def seeded(fn: Any) -> Any:
        def run(x: Any) -> Any:
            ag.manual_seed(7)
            return fn(x)
        return run

    _fn("rrelu", "train-seeded", seeded(lambda x: E.rrelu(x, 0.1, 0.3, True)), (3, 4),
        make=_away_from_zero)
    _fn("gumbel_softmax", "tau0.5-seeded", seeded(lambda x: E.gumbel_softmax(x, 0.5)), (2, 4))
    _fn("pdist", "p2", E.pdist, (4, 3))
    _fn("relu_", "of-a-product", lambda x: E.relu_(x * 1.5), (3, 4), make=_away_from_zero)
    layer_case("eval", M.RReLU(0.1, 0.3).eval(), (3, 4), make=_away_from_zero)
    from nn.conv3d import conv3d

    _fn("conv3d", "s(2,1,1)-p1-d(1,2,1)-g2", lambda x, w, b: conv3d(
        x, w, b, (2, 1, 1), 1, (1, 2, 1), 2), (1, 4, 3, 4, 3), (2, 2, 2, 2, 1), (2,))
    layer_case("same-even-kernel", M.Conv3d(2, 2, 2, padding="same"), (1, 2, 3, 3, 2))
    from nn.conv3d import conv_transpose3d
    from nn.grid_sample import affine_grid, grid_sample

    def inner_grid(rng: np.random.Generator, shape: tuple) -> np.ndarray:
        # away from pixel centres and borders: bilinear's kinks stay off the steps
        g = rng.uniform(-0.8, 0.8, shape)
        return g + 0.013

    _fn("affine_grid", "align", lambda t: affine_grid(t, (2, 1, 3, 4), True), (2, 2, 3))
    _fn("grid_sample", "bilinear-reflection", lambda x, g: grid_sample(
        x, g, "bilinear", "reflection", False), (1, 2, 3, 4), (1, 2, 3, 2), make=inner_grid)
    from nn.resampling import interpolate

    _fn("interpolate", "bicubic-antialias-down", lambda x: interpolate(
        x, (2, 3), mode="bicubic", antialias=True), (1, 2, 5, 7))

    _fn("conv_transpose3d", "s2-p1-op1-g2", lambda x, w, b: conv_transpose3d(
        x, w, b, 2, 1, 1, 2), (1, 2, 2, 2, 2), (2, 1, 2, 2, 2), (2,))
    layer_case("k(2,1,2)-d(2,1,1)", M.ConvTranspose3d(2, 2, (2, 1, 2), dilation=(2, 1, 1)),
               (1, 2, 2, 2, 2))
    from nn.cases import _distinct
    from nn.pool3d import avg_pool3d, max_pool3d

    _fn("max_pool3d", "k2-s(1,2,1)-p1-ceil", lambda x: max_pool3d(x, 2, (1, 2, 1), 1, 1, True),
        (1, 2, 3, 4, 3), make=_distinct)
    _fn("avg_pool3d", "k3-s2-p1-exclude-pad", lambda x: avg_pool3d(x, 3, 2, 1, True, False),
        (1, 2, 4, 3, 5))
    layer_case("k2-indices", M.MaxPool3d(2, return_indices=True), (1, 1, 2, 4, 4),
               make=_distinct, call=lambda m, x: m(x)[0])
    layer_case("k2-divisor3", M.AvgPool3d(2, divisor_override=3), (1, 2, 2, 2, 4))
    from nn.pool3d import adaptive_max_pool3d, lp_pool3d
    from nn.rearrange_functions import max_unpool3d

    _fn("adaptive_max_pool3d", "2-none-3", lambda x: adaptive_max_pool3d(x, (2, None, 3)),
        (1, 2, 3, 2, 5), make=_distinct)
    _fn("lp_pool3d", "p2-k2", lambda x: lp_pool3d(x, 2, 2), (1, 1, 2, 4, 4),
        make=_away_from_zero)
    _fn("max_unpool3d", "k2", lambda x: max_unpool3d(
        *max_pool3d(x, 2, return_indices=True), 2), (1, 1, 2, 4, 4), make=_distinct)
    layer_case("1-2-2", M.AdaptiveMaxPool3d((1, 2, 2)), (1, 2, 2, 3, 4), make=_distinct)
    layer_case("p2-k2", M.LPPool3d(2, 2), (1, 1, 2, 2, 4), make=_away_from_zero)
    layer_case("k2", M.MaxUnpool3d(2), (1, 1, 2, 4, 2), make=_distinct,
               call=lambda m, x: m(*max_pool3d(x, 2, return_indices=True)))
    from nn.embedding_bag import embedding_bag

    def bag_ids() -> Any:
        return ag.tensor(np.array([1, 2, 4, 0, 4, 3, 2]))

    def bag_offsets() -> Any:
        return ag.tensor(np.array([0, 2, 2, 5]))

    _fn("embedding_bag", "sum-weighted-pad0", lambda w, p: embedding_bag(
        bag_ids(), w, bag_offsets(), mode="sum", per_sample_weights=p, padding_idx=0),
        (5, 3), (7,))
    _fn("embedding_bag", "max-2d", lambda w: embedding_bag(
        ag.tensor(np.array([[1, 2, 4], [4, 3, 0]])), w, mode="max"), (5, 3), make=_distinct_rows)
    layer_case("mean-pad2", M.EmbeddingBag(5, 3, padding_idx=2), (7,),
               params=["weight"], call=lambda m, x: m(bag_ids(), bag_offsets()) * x.sum())
    layer_case("2-none-3", M.AdaptiveAvgPool3d((2, None, 3)), (1, 2, 3, 2, 5))
    layer_case("proj2-bidirectional", M.LSTM(3, 4, bidirectional=True, proj_size=2), (3, 2, 3),
               call=lambda m, x: m(x)[0])


_register_padding()
_register_extras()
_register_rearranging()
_register_dropouts()
_register_norms()
_register_encoder()
_register_losses()
