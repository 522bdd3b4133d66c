"""Gradcheck cases for nn: every differentiable functional form and every layer.

Importing this module adds the cases to ``autograd.ops.cases.CASES`` (the registry
that ``gradcheck``/``gradgradcheck`` are run over). Functional forms are registered
as ``nn.functional.<name>``, layers as ``nn.<ClassName>``. A layer case checks the
function (input, *parameters) ↦ output: the module is built, converted with
``.double()``, and each call swaps the case's tensors in for its parameters, so
the gradients with respect to the weights are checked as well as the input's.
Targets of losses, and dropout masks (drawn after a fixed seed), are constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.ops.cases import case
from autograd.ops.resample import make_taps, resample
from nn import functional as F
from nn.modules import (
    CELU,
    ELU,
    GELU,
    MLP,
    SELU,
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    CosineSimilarity,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    GroupNorm,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    HuberLoss,
    Identity,
    KLDivLoss,
    L1Loss,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    MaxPool2d,
    Mish,
    Module,
    MSELoss,
    NLLLoss,
    PairwiseDistance,
    ReLU,
    ReLU6,
    Sequential,
    Sigmoid,
    SiLU,
    SimpleCNN,
    SmoothL1Loss,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)
from nn.parallel.sync_batchnorm import SyncBatchNorm

__all__ = ["layer_case"]


# -- input makers (rng, shape) -> array --------------------------------------------------------
def _away_from_zero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # |x| ≥ 0.2: relu's kink at 0 stays far from the finite-difference steps
    return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # well-separated values: every pooling window has a unique maximum
    n = int(np.prod(shape)) if shape else 1
    return rng.permutation(n).reshape(shape) * 0.37 - 0.2 * n


def _probability(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.1, 0.9, shape)


# -- layers --------------------------------------------------------------------------------------
def _call_with(module: Module, names: Sequence[str], values: Sequence[Any],
               fn: Callable[[Module], Any]) -> Any:
    """``fn(module)`` with the parameters ``names`` temporarily replaced by ``values``."""
    slots = []
    for name in names:
        path, _, leaf = name.rpartition(".")
        owner = module.get_submodule(path)
        slots.append((owner, leaf, owner._parameters[leaf]))
    try:
        for (owner, leaf, _), v in zip(slots, values):
            owner._parameters[leaf] = v
        return fn(module)
    finally:
        for owner, leaf, old in slots:
            owner._parameters[leaf] = old


def layer_case(label: str, module: Module, input_shape: tuple, params: Sequence[str] | None = None,
               call: Callable[[Module, Any], Any] | None = None, seed: int | None = None,
               **kw: Any) -> None:
    """Register ``nn.<Class>[label]``: gradcheck of (input, *params) ↦ module(input).

    ``params`` picks the parameters to check (all by default; the rest stay
    constants); ``call(module, x)`` replaces ``module(x)`` (e.g. a loss with its
    target); ``seed`` reseeds the engine before each call (a fixed dropout mask).
    """
    module = module.double()
    named = dict(module.named_parameters())
    names = list(named) if params is None else list(params)
    shapes = [tuple(named[n].shape) for n in names]
    run = call or (lambda m, x: m(x))

    def fn(x: Any, *values: Any) -> Any:
        if seed is not None:
            ag.manual_seed(seed)
        return _call_with(module, names, values, lambda m: run(m, x))

    fn.__name__ = f"{type(module).__name__}_{label}"
    fn.module = module  # what a device test moves (buffers, parameters left unchecked)
    case(f"nn.{type(module).__name__}", label, fn, input_shape, *shapes, **kw)


def _fn(name: str, label: str, fn: Callable, *shapes: tuple, **kw: Any) -> None:
    case(f"nn.functional.{name}", label, fn, *shapes, **kw)


def _register() -> None:
    rng = np.random.default_rng(1234)
    targets4 = np.array([2, 0, 4, 1])
    targets_kdim = np.array([[0, 2], [1, 1]])
    soft = rng.dirichlet(np.ones(5), size=4)

    # -- functional forms ----------------------------------------------------------------------
    _fn("linear", "bias", F.linear, (3, 4), (2, 4), (2,))
    _fn("linear", "no-bias-batched", lambda x, w: F.linear(x, w), (2, 3, 4), (5, 4))
    _fn("conv1d", "stride2-pad2", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2),
        (2, 2, 7), (3, 2, 3), (3,))
    _fn("conv1d", "dilation-groups", lambda x, w: F.conv1d(x, w, dilation=2, groups=2),
        (1, 4, 7), (4, 2, 2))
    _fn("conv2d", "stride2-pad2", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=2),
        (2, 2, 5, 5), (3, 2, 3, 3), (3,))
    _fn("conv2d", "rect-kernel-pairs",
        lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(1, 0), dilation=(2, 1)),
        (1, 2, 6, 7), (2, 2, 2, 3))
    _fn("conv2d", "groups", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
        (1, 4, 4, 3), (4, 2, 2, 2), (4,))
    _fn("max_pool2d", "k2", lambda x: F.max_pool2d(x, 2), (2, 2, 4, 4), make=_distinct)
    _fn("max_pool2d", "k3-s2-p1", lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
        (1, 2, 5, 6), make=_distinct)
    _fn("avg_pool2d", "k2", lambda x: F.avg_pool2d(x, 2), (2, 2, 4, 4))
    _fn("avg_pool2d", "k3-s2-p1", lambda x: F.avg_pool2d(x, (3, 2), stride=2, padding=1),
        (1, 2, 5, 6))
    _fn("relu", "away-from-0", F.relu, (3, 4), make=_away_from_zero)
    _fn("leaky_relu", "slope0.2", lambda x: F.leaky_relu(x, 0.2), (3, 4), make=_away_from_zero)
    _fn("tanh", "matrix", F.tanh, (3, 4))
    _fn("sigmoid", "matrix", F.sigmoid, (3, 4))
    _fn("softmax", "dim1", lambda x: F.softmax(x, dim=1), (3, 4))
    _fn("log_softmax", "dim-last", lambda x: F.log_softmax(x, dim=-1), (2, 3, 4))

    def seeded_dropout(x: Any) -> Any:
        ag.manual_seed(3)  # the same mask on every call: dropout is linear given its mask
        return F.dropout(x, 0.4, training=True)

    _fn("dropout", "training-fixed-mask", seeded_dropout, (4, 5))
    _fn("dropout", "eval", lambda x: F.dropout(x, 0.4, training=False), (4, 5))

    def bn_train(x: Any, w: Any, b: Any) -> Any:
        rm, rv = ag.zeros(w.shape[0], dtype=np.float64), ag.ones(w.shape[0], dtype=np.float64)
        return F.batch_norm(x, rm, rv, w, b, training=True)

    running_mean = rng.standard_normal(3)
    running_var = rng.uniform(0.5, 2.0, 3)

    def bn_eval(x: Any, w: Any, b: Any) -> Any:
        return F.batch_norm(x, ag.tensor(running_mean), ag.tensor(running_var), w, b,
                            training=False)

    _fn("batch_norm", "training-2d", bn_train, (5, 3), (3,), (3,))
    _fn("batch_norm", "training-4d", bn_train, (2, 3, 2, 2), (3,), (3,))
    _fn("batch_norm", "training-no-affine",
        lambda x: F.batch_norm(x, None, None, training=True), (4, 3, 2))
    _fn("batch_norm", "eval", bn_eval, (4, 3), (3,), (3,))

    _fn("mse_loss", "mean", F.mse_loss, (3, 4), (3, 4))
    _fn("mse_loss", "none", lambda x, y: F.mse_loss(x, y, reduction="none"), (5,), (5,))
    _fn("binary_cross_entropy", "mean", F.binary_cross_entropy, (3, 4), (3, 4),
        make=_probability)
    weight_bce = rng.uniform(0.5, 2.0, (3, 4))
    _fn("binary_cross_entropy", "weight-sum",
        lambda x, y: F.binary_cross_entropy(x, y, weight=ag.tensor(weight_bce), reduction="sum"),
        (3, 4), (3, 4), make=_probability)
    _fn("binary_cross_entropy_with_logits", "mean", F.binary_cross_entropy_with_logits,
        (3, 4), (3, 4))
    pos_weight = np.array([0.5, 1.0, 2.0, 3.0])
    _fn("binary_cross_entropy_with_logits", "pos-weight-none",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none",
                                                        pos_weight=ag.tensor(pos_weight)),
        (3, 4), (3, 4), make=_probability)
    _fn("cross_entropy", "mean", lambda x: F.cross_entropy(x, ag.tensor(targets4)), (4, 5))
    _fn("cross_entropy", "none",
        lambda x: F.cross_entropy(x, ag.tensor(targets4), reduction="none"), (4, 5))
    class_weight = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    _fn("cross_entropy", "weight-ignore-smoothing",
        lambda x: F.cross_entropy(x, ag.tensor([2, -100, 4, 1]), weight=ag.tensor(class_weight),
                                  label_smoothing=0.1), (4, 5))
    _fn("cross_entropy", "k-dim", lambda x: F.cross_entropy(x, ag.tensor(targets_kdim)), (2, 3, 2))
    _fn("cross_entropy", "probabilities", lambda x: F.cross_entropy(x, ag.tensor(soft)), (4, 5))
    _fn("cross_entropy", "probability-targets-with-grad",
        lambda x, p: F.cross_entropy(x, p, weight=ag.tensor(class_weight), label_smoothing=0.1),
        (4, 5), (4, 5))
    _fn("nll_loss", "mean", lambda x: F.nll_loss(x, ag.tensor(targets4)), (4, 5))
    _fn("nll_loss", "weight-sum",
        lambda x: F.nll_loss(x, ag.tensor(targets4), weight=ag.tensor(class_weight),
                             reduction="sum"), (4, 5))

    # -- layers ----------------------------------------------------------------------------------
    layer_case("bias", Linear(4, 3), (2, 4))
    layer_case("no-bias", Linear(3, 2, bias=False), (2, 5, 3))
    # a full backward hook wraps inputs and outputs in an identity Function (as torch)
    hooked = Linear(3, 2)
    hooked.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    layer_case("full-backward-hook", hooked, (2, 3))
    layer_case("stride2-pad2", Conv1d(2, 3, 3, stride=2, padding=2), (2, 2, 6))
    layer_case("stride2-pad2", Conv2d(2, 3, 3, stride=2, padding=2), (2, 2, 5, 4))
    layer_case("pairs-no-bias", Conv2d(2, 2, (2, 3), stride=(2, 1), padding=(0, 1),
                                       bias=False), (1, 2, 5, 5))
    layer_case("k2", MaxPool2d(2), (2, 2, 4, 4), make=_distinct)
    layer_case("k3-s1-p1", MaxPool2d(3, stride=1, padding=1), (1, 1, 4, 4), make=_distinct)
    layer_case("k2-s1", AvgPool2d(2, stride=1), (2, 1, 3, 4))
    layer_case("training-2d", BatchNorm1d(3), (6, 3))
    layer_case("training-3d", BatchNorm1d(2), (3, 2, 4))
    layer_case("training", BatchNorm2d(2), (2, 2, 3, 3))
    layer_case("training-one-rank", SyncBatchNorm(3), (4, 3, 2))  # its sync path, 1 rank
    bn_eval_layer = BatchNorm2d(2).double()
    bn_eval_layer.running_mean[...] = np.array([0.3, -0.2])
    bn_eval_layer.running_var[...] = np.array([0.5, 2.0])
    layer_case("eval", bn_eval_layer.eval(), (2, 2, 2, 2))
    layer_case("training-fixed-mask", Dropout(0.3), (4, 5), seed=11)
    layer_case("eval", Dropout(0.3).eval(), (4, 5))
    layer_case("default", Flatten(), (2, 3, 2, 2))
    layer_case("identity", Identity(), (2, 3))
    layer_case("away-from-0", ReLU(), (3, 4), make=_away_from_zero)
    layer_case("away-from-0", LeakyReLU(0.1), (3, 4), make=_away_from_zero)
    layer_case("matrix", Tanh(), (3, 4))
    layer_case("matrix", Sigmoid(), (3, 4))
    layer_case("dim1", Softmax(dim=1), (3, 4))
    layer_case("dim1", LogSoftmax(dim=1), (3, 4))
    layer_case("linear-tanh-linear", Sequential(Linear(3, 4), Tanh(), Linear(4, 2)), (2, 3))
    layer_case("3-layer", MLP([3, 4, 4, 2]), (5, 3))
    layer_case("tiny", SimpleCNN(in_channels=1, num_classes=3, image_size=4), (2, 1, 4, 4),
               params=["features.0.bias", "features.3.bias", "classifier.3.weight"],
               make=_away_from_zero, second_order=False,
               extra={"why": "its parts' own cases (conv2d, relu, max_pool2d, linear) check "
                             "second order"})

    mse = MSELoss()
    y34 = rng.standard_normal((3, 4))
    layer_case("mean", mse, (3, 4), call=lambda m, x: m(x, ag.tensor(y34)))
    bce = BCELoss(reduction="sum")
    p34 = rng.uniform(0, 1, (3, 4))
    layer_case("sum", bce, (3, 4), call=lambda m, x: m(x, ag.tensor(p34)), make=_probability)
    bcel = BCEWithLogitsLoss()
    layer_case("mean", bcel, (3, 4), call=lambda m, x: m(x, ag.tensor(p34)))
    ce = CrossEntropyLoss()
    layer_case("mean", ce, (4, 5), call=lambda m, x: m(x, ag.tensor(targets4)))
    nll = NLLLoss(reduction="none")
    layer_case("none", nll, (4, 5), call=lambda m, x: m(x, ag.tensor(targets4)))


def _register_transposed_conv() -> None:
    _fn("conv_transpose2d", "stride2-pad1-outpad1-groups2",
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                           groups=2), (2, 4, 3, 3), (4, 1, 3, 3), (2,))
    _fn("conv_transpose2d", "rect-dilation-no-bias",
        lambda x, w: F.conv_transpose2d(x, w, stride=(1, 2), padding=(1, 0), dilation=(2, 1),
                                        output_padding=(1, 1)), (1, 2, 3, 4), (2, 3, 2, 3))
    _fn("conv_transpose2d", "unbatched", lambda x, w: F.conv_transpose2d(x, w), (2, 2, 3),
        (2, 2, 2, 2))
    _fn("conv_transpose1d", "stride3-pad1-outpad2",
        lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
        (2, 2, 4), (2, 3, 3), (3,))
    layer_case("stride2-pad1-outpad1", ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                       output_padding=1), (1, 2, 3, 3))
    layer_case("groups2-dilation2", ConvTranspose1d(4, 2, 2, groups=2, dilation=2), (2, 4, 5))


def _register_activations_losses_distances() -> None:
    # elementwise activations: inputs |x| ≥ 0.2 keep every kink (0, ±3, ±1, 6) out of ε
    for name, fn in (("elu", lambda x: F.elu(x, 0.7)), ("selu", F.selu),
                     ("celu", lambda x: F.celu(x, 1.5)), ("softplus", F.softplus),
                     ("logsigmoid", F.logsigmoid), ("mish", F.mish), ("silu", F.silu),
                     ("gelu", F.gelu), ("softsign", F.softsign), ("tanhshrink", F.tanhshrink)):
        _fn(name, "away-from-0", fn, (3, 4), make=_away_from_zero)
    _fn("softplus", "beta2-threshold1", lambda x: F.softplus(x * 3, beta=2.0, threshold=1.0),
        (3, 4), make=_away_from_zero)
    _fn("gelu", "tanh", lambda x: F.gelu(x, approximate="tanh"), (3, 4))
    wide = lambda rng, shape: _away_from_zero(rng, shape) * 4  # noqa: E731 - spans ±3, ±6
    _fn("hardtanh", "wide", lambda x: F.hardtanh(x, -1.5, 2.0), (3, 4), make=wide)
    _fn("relu6", "wide", F.relu6, (3, 4), make=wide)
    _fn("hardsigmoid", "wide", F.hardsigmoid, (3, 4), make=wide)
    _fn("hardswish", "wide", F.hardswish, (3, 4), make=wide)
    for module, label in ((ELU(0.5), "alpha0.5"), (CELU(), "default"), (SELU(), "default"),
                          (Softplus(beta=0.5), "beta0.5"), (LogSigmoid(), "default"),
                          (Mish(), "default"), (SiLU(), "default"), (GELU(), "erf"),
                          (GELU("tanh"), "tanh"), (Softsign(), "default"),
                          (Tanhshrink(), "default")):
        layer_case(label, module, (3, 4), make=_away_from_zero)
    for module in (Hardtanh(-2.0, 1.0), ReLU6(), Hardsigmoid(), Hardswish()):
        layer_case("wide", module, (3, 4), make=wide)

    # pointwise losses: d = input − target stays ≥ 0.2 from the branch points
    def shifted(rng: np.random.Generator, shape: tuple) -> np.ndarray:
        return _away_from_zero(rng, shape) * 1.3

    y = np.zeros((3, 4))
    _fn("l1_loss", "mean", lambda x: F.l1_loss(x, ag.tensor(y)), (3, 4), make=_away_from_zero)
    _fn("l1_loss", "sum-both", lambda x, t: F.l1_loss(x, t * 0.01, reduction="sum"), (3, 4),
        (3, 4), make=_away_from_zero)
    _fn("smooth_l1_loss", "beta0.8", lambda x: F.smooth_l1_loss(x, ag.tensor(y), beta=0.8), (3, 4),
        make=shifted)
    _fn("smooth_l1_loss", "beta0-none",
        lambda x: F.smooth_l1_loss(x, ag.tensor(y), beta=0.0, reduction="none"), (3, 4),
        make=_away_from_zero)
    _fn("huber_loss", "delta0.7", lambda x: F.huber_loss(x, ag.tensor(y), delta=0.7), (3, 4),
        make=shifted)
    _fn("kl_div", "batchmean", lambda x, t: F.kl_div(x, t, reduction="batchmean"), (3, 4),
        (3, 4), make=_probability)
    _fn("kl_div", "log-target-sum",
        lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True), (3, 4), (3, 4))
    layer_case("mean", L1Loss(), (3, 4), call=lambda m, x: m(x, ag.tensor(y)), make=_away_from_zero)
    layer_case("beta0.8", SmoothL1Loss(beta=0.8), (3, 4), call=lambda m, x: m(x, ag.tensor(y)),
               make=shifted)
    layer_case("delta2", HuberLoss(delta=2.0), (3, 4), call=lambda m, x: m(x, ag.tensor(y)),
               make=shifted)
    probs = np.random.default_rng(7).dirichlet(np.ones(4), size=3)
    layer_case("batchmean", KLDivLoss(reduction="batchmean"), (3, 4),
               call=lambda m, x: m(x, ag.tensor(probs)))

    # norms and distances
    _fn("normalize", "p2-dim1", F.normalize, (3, 4))
    _fn("normalize", "p1-dim0", lambda x: F.normalize(x, p=1.0, dim=0), (3, 4),
        make=_away_from_zero)
    _fn("normalize", "p3-last", lambda x: F.normalize(x, p=3.0, dim=-1), (2, 3, 4))
    _fn("cosine_similarity", "dim1", F.cosine_similarity, (3, 4), (3, 4))
    _fn("cosine_similarity", "broadcast-last",
        lambda a, b: F.cosine_similarity(a, b, dim=-1), (2, 3, 4), (4,))
    _fn("pairwise_distance", "p2", F.pairwise_distance, (3, 4), (3, 4))
    _fn("pairwise_distance", "p1-keepdim",
        lambda a, b: F.pairwise_distance(a * 0.5, b, p=1.0, keepdim=True), (3, 4), (3, 4),
        make=_away_from_zero)
    layer_case("dim1", CosineSimilarity(), (3, 4), call=lambda m, x: m(x, x * x + 0.5))
    layer_case("p2", PairwiseDistance(), (3, 4), call=lambda m, x: m(x, x * x))


def _register_resampling() -> None:
    # the primitive itself, and its transpose (its VJP): taps with repeated and unsorted
    # source indices, so the transpose's padded taps are exercised
    taps = make_taps(1, 4, np.array([[0, 0, 3, 1, 1, 2], [1, 2, 3, 3, 0, 0]]),
                     np.array([[0.5, 1.0, -1.0, 2.0, 0.25, 1.0], [1.5, 0.5, 1.0, -0.5, 1.0, 2.0]]))
    case("resample", "two-taps-unsorted", lambda x: resample(x, taps), (2, 4, 3))
    case("resample", "transposed", lambda g: resample(g * g, taps.T), (2, 6, 3))
    _fn("interpolate", "nearest-size", lambda x: F.interpolate(x, size=(5, 3)), (1, 2, 3, 4))
    _fn("interpolate", "nearest-exact-scale",
        lambda x: F.interpolate(x, scale_factor=1.7, mode="nearest-exact"), (1, 2, 3, 4))
    _fn("interpolate", "bilinear", lambda x: F.interpolate(x, size=(5, 3), mode="bilinear"),
        (2, 1, 3, 4))
    _fn("interpolate", "bilinear-align-scale",
        lambda x: F.interpolate(x, scale_factor=(1.5, 0.75), mode="bilinear",
                                align_corners=True), (1, 2, 4, 4))
    _fn("interpolate", "linear", lambda x: F.interpolate(x, size=7, mode="linear"), (2, 2, 4))
    _fn("interpolate", "bicubic", lambda x: F.interpolate(x, size=(5, 6), mode="bicubic"),
        (1, 1, 4, 3))
    _fn("interpolate", "trilinear", lambda x: F.interpolate(x, size=(3, 2, 3),
                                                           mode="trilinear"), (1, 1, 2, 3, 2))
    _fn("interpolate", "area", lambda x: F.interpolate(x, size=(2, 3), mode="area"),
        (1, 2, 5, 4))
    _fn("adaptive_avg_pool1d", "7to3", lambda x: F.adaptive_avg_pool1d(x, 3), (2, 2, 7))
    _fn("adaptive_avg_pool2d", "5x7to3x4", lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
        (1, 2, 5, 7))
    _fn("adaptive_avg_pool3d", "to2x1x3", lambda x: F.adaptive_avg_pool3d(x, (2, 1, 3)),
        (1, 1, 3, 2, 4))
    _fn("pad", "reflect-2d", lambda x: F.pad(x, (2, 1, 1, 3), mode="reflect"), (1, 2, 4, 3))
    _fn("pad", "replicate-1d", lambda x: F.pad(x, (3, 1), mode="replicate"), (2, 2, 3))
    _fn("pad", "circular-crop", lambda x: F.pad(x, (-1, 2, 2, 1), mode="circular"),
        (1, 1, 3, 4))
    _fn("pad", "constant-crop", lambda x: F.pad(x, (1, -1, 0, 2), value=0.5), (2, 3, 4))
    layer_case("scale2-nearest", Upsample(scale_factor=2), (1, 2, 2, 3))
    layer_case("bilinear-size", Upsample(size=(3, 5), mode="bilinear"), (1, 1, 2, 3))
    layer_case("scale2", UpsamplingBilinear2d(scale_factor=2), (1, 1, 2, 3))
    layer_case("size3", UpsamplingNearest2d(size=3), (1, 1, 2, 2))
    layer_case("to3", AdaptiveAvgPool1d(3), (2, 1, 5))
    layer_case("to2xNone", AdaptiveAvgPool2d((2, None)), (1, 2, 5, 3))


def _register_group_norm() -> None:
    _fn("group_norm", "affine-4d", lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3, 2),
        (4,), (4,))
    _fn("group_norm", "no-affine-3d", lambda x: F.group_norm(x, 3, eps=1e-3), (2, 6, 3))
    _fn("group_norm", "weight-only-2d", lambda x, w: F.group_norm(x, 1, w), (3, 4), (4,))
    layer_case("groups2", GroupNorm(2, 4), (2, 4, 3))
    layer_case("no-affine-channels-last", GroupNorm(3, 3, affine=False), (2, 3, 2, 2),
               call=lambda m, x: m(x.permute(0, 2, 3, 1).permute(0, 3, 1, 2) * 2))


def _register_pooling_options() -> None:
    _fn("max_pool2d", "k3-s2-p1-ceil-dil2",
        lambda x: F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True), (1, 2, 7, 6),
        make=_distinct)
    _fn("max_pool2d", "ceil-return-indices",
        lambda x: F.max_pool2d(x, 2, ceil_mode=True, return_indices=True)[0], (2, 1, 5, 3),
        make=_distinct)
    _fn("avg_pool2d", "ceil-exclude-pad",
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        (1, 2, 6, 5))
    _fn("avg_pool2d", "divisor-override", lambda x: F.avg_pool2d(x, 2, divisor_override=3),
        (1, 2, 4, 4))
    _fn("adaptive_max_pool2d", "7x5to3x2", lambda x: F.adaptive_max_pool2d(x, (3, 2)),
        (1, 2, 7, 5), make=_distinct)
    _fn("adaptive_max_pool2d", "overlapping-up", lambda x: F.adaptive_max_pool2d(x, (5, 4)),
        (2, 1, 3, 3), make=_distinct)
    _fn("adaptive_max_pool1d", "7to3", lambda x: F.adaptive_max_pool1d(x, 3), (2, 2, 7),
        make=_distinct)
    layer_case("ceil-dilation-indices", MaxPool2d(2, 1, 1, dilation=2, ceil_mode=True,
                                                  return_indices=True), (1, 2, 5, 5),
               call=lambda m, x: m(x)[0], make=_distinct)
    layer_case("ceil-no-pad-count", AvgPool2d(3, 2, 1, ceil_mode=True,
                                              count_include_pad=False), (1, 1, 6, 6))
    layer_case("to2x3", AdaptiveMaxPool2d((2, 3)), (1, 2, 5, 7), make=_distinct)
    layer_case("to3-indices", AdaptiveMaxPool1d(3, return_indices=True), (2, 1, 8),
               call=lambda m, x: m(x)[0], make=_distinct)


_register()


def _flat_outputs(out: Any) -> Any:
    """One vector of every tensor in a (possibly nested) tuple of outputs."""
    parts = []
    stack = [out]
    while stack:
        o = stack.pop(0)
        if isinstance(o, (tuple, list)):
            stack[:0] = list(o)
        elif o is not None:
            parts.append(o.reshape(-1))
    return ag.cat(parts)


def _register_sequence() -> None:
    """Embedding, LayerNorm, GELU/SiLU, attention and the recurrent layers (issue 17)."""
    from nn.modules.embedding import Embedding
    from nn.modules.layernorm import LayerNorm
    from nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

    idx = np.array([[1, 3, 3], [0, 1, 4]])
    _fn("embedding", "repeats", lambda w: F.embedding(ag.tensor(idx), w) ** 2, (5, 3))
    _fn("layer_norm", "affine", lambda x, w, b: F.layer_norm(x, (4,), w, b), (2, 3, 4), (4,),
        (4,))
    _fn("layer_norm", "two-axes-no-affine", lambda x: F.layer_norm(x, (3, 4)), (2, 3, 4))
    causal = np.tril(np.ones((3, 3), dtype=bool))
    _fn("scaled_dot_product_attention", "plain", F.scaled_dot_product_attention,
        (2, 3, 4), (2, 5, 4), (2, 5, 2))
    _fn("scaled_dot_product_attention", "causal-scale",
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        (1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 3))
    _fn("scaled_dot_product_attention", "bool-mask",
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(causal)),
        (2, 3, 4), (2, 3, 4), (2, 3, 2))
    float_mask = np.random.default_rng(5).standard_normal((3, 4))
    _fn("scaled_dot_product_attention", "float-mask",
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(float_mask)),
        (2, 3, 4), (2, 4, 4), (2, 4, 2))
    dead = causal.copy()
    dead[1] = False  # query 1 sees no key: output and gradient 0 (torch's _safe_softmax)
    _fn("scaled_dot_product_attention", "fully-masked-query",
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(dead)),
        (2, 3, 4), (2, 3, 4), (2, 3, 2))
    _fn("embedding", "max-norm-untouched",  # the renorm changes no row here (norms < 9)
        lambda w: F.embedding(ag.tensor(idx), w, max_norm=9.0) ** 2, (5, 3))

    emb = Embedding(5, 3, padding_idx=2)
    layer_case("padding-idx-unused", emb, (2, 3, 3), call=lambda m, x: m(ag.tensor(idx)) * x)
    layer_case("affine", LayerNorm(4), (2, 3, 4))
    layer_case("no-bias-two-axes", LayerNorm((3, 4), bias=False), (2, 3, 4))
    layer_case("no-affine", LayerNorm(4, elementwise_affine=False), (3, 4))
    def run(m: Module, x: Any) -> Any:
        return _flat_outputs(m(x))

    layer_case("tanh-2layer-bi", RNN(2, 3, num_layers=2, bidirectional=True), (3, 2, 2),
               call=run)
    layer_case("relu-batch-first-no-bias", RNN(2, 3, nonlinearity="relu", bias=False,
                                                batch_first=True), (2, 3, 2), call=run,
               make=_away_from_zero)
    layer_case("2layer-bi-batch-first", GRU(2, 2, num_layers=2, bidirectional=True,
                                            batch_first=True), (2, 3, 2), call=run)
    layer_case("dropout-fixed-mask", GRU(2, 2, num_layers=2, dropout=0.3), (3, 1, 2),
               call=run, seed=4)
    layer_case("2layer-bi", LSTM(2, 2, num_layers=2, bidirectional=True), (3, 2, 2),
               call=run)
    layer_case("unbatched", LSTM(3, 2), (4, 3), call=run)
    layer_case("tanh", RNNCell(3, 2), (2, 3))
    layer_case("relu-unbatched", RNNCell(3, 2, nonlinearity="relu"), (3,),
               make=_away_from_zero)
    layer_case("batch", GRUCell(3, 2), (2, 3))
    layer_case("batch", LSTMCell(3, 2), (2, 3), call=run)

    from nn.modules.attention import MultiheadAttention
    from nn.modules.transformer import TransformerEncoderLayer

    kpm = np.array([[False, False, True], [False, False, False]])
    layer_case("self-causal-kpm-batch-first", MultiheadAttention(4, 2, batch_first=True),
               (2, 3, 4), call=lambda m, x: _flat_outputs(
                   m(x, x, x, attn_mask=~ag.tensor(causal), key_padding_mask=ag.tensor(kpm),
                     is_causal=True)))
    layer_case("self-causal-kpm-fused", MultiheadAttention(4, 2, batch_first=True),
               (2, 3, 4), call=lambda m, x: m(x, x, x, attn_mask=~ag.tensor(causal),
                                              key_padding_mask=ag.tensor(kpm),
                                              need_weights=False)[0])
    cross_kv = np.random.default_rng(6).standard_normal((4, 2, 4))
    layer_case("cross-per-head-weights", MultiheadAttention(4, 2), (3, 2, 4),
               call=lambda m, x: _flat_outputs(
                   m(x, ag.tensor(cross_kv), ag.tensor(cross_kv), average_attn_weights=False)))
    layer_case("post-norm-relu", TransformerEncoderLayer(4, 2, 6, dropout=0.0), (3, 2, 4),
               call=lambda m, x: m(x, src_mask=~ag.tensor(causal)), make=_away_from_zero)
    layer_case("pre-norm-gelu-batch-first",
               TransformerEncoderLayer(4, 2, 5, dropout=0.0, activation="gelu",
                                       norm_first=True, batch_first=True), (2, 3, 4))
    from nn.modules.layernorm import LayerNorm
    from nn.modules.transformer import TransformerEncoder

    layer_case("two-layers-norm-kpm",
               TransformerEncoder(TransformerEncoderLayer(4, 2, 5, dropout=0.0,
                                                          activation="gelu", batch_first=True),
                                  2, norm=LayerNorm(4)), (2, 3, 4),
               call=lambda m, x: m(x, src_key_padding_mask=ag.tensor(kpm)))


def _register_parity_additions() -> None:
    """torch's layers and functions the parity audit added (nn/pool1d.py,
    nn/activation_extras.py, nn/modules/activation_extras.py)."""
    from nn.modules import activation_extras as act
    from nn.modules.flatten import Unflatten
    from nn.modules.linear import Bilinear
    from nn.modules.pooling import AvgPool1d, MaxPool1d

    _fn("max_pool1d", "k3-s2-p1-dil2-ceil",
        lambda x: F.max_pool1d(x, 3, 2, 1, dilation=2, ceil_mode=True), (2, 2, 9),
        make=_distinct)
    _fn("avg_pool1d", "k3-s2-p1-exclude-pad",
        lambda x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 7))
    _fn("softmin", "dim1", lambda x: F.softmin(x, 1), (3, 4))
    _fn("glu", "dim0", lambda x: F.glu(x, 0), (4, 3))
    _fn("hardshrink", "lambda0.5", lambda x: F.hardshrink(x) ** 2, (3, 4), make=_away_from_zero)
    _fn("softshrink", "lambda0.3", lambda x: F.softshrink(x, 0.3) ** 2, (3, 4),
        make=_away_from_zero)
    _fn("prelu", "per-channel", lambda x, w: F.prelu(x, w) ** 2, (2, 3, 4), (3,),
        make=_away_from_zero)
    _fn("bilinear", "bias", F.bilinear, (2, 3, 4), (2, 3, 2), (5, 4, 2), (5,))
    layer_case("k2-indices", MaxPool1d(2, return_indices=True), (2, 2, 6),
               call=lambda m, x: m(x)[0], make=_distinct)
    layer_case("k3-p1", AvgPool1d(3, 1, 1), (2, 2, 5))
    layer_case("shared-slope", act.PReLU(), (3, 4), make=_away_from_zero)
    for label, m in (("t0.1-v2", act.Threshold(0.1, 2.0)), ("lambda0.4", act.Hardshrink(0.4)),
                     ("lambda0.3", act.Softshrink(0.3))):
        layer_case(label, m, (3, 4), make=_away_from_zero)
    layer_case("dim1", act.Softmin(1), (3, 4))
    layer_case("dim1", act.GLU(1), (2, 4, 3))
    layer_case("chw", act.Softmax2d(), (2, 3, 2, 2))
    layer_case("dim1-to-2x3", Unflatten(1, (2, 3)), (2, 6), call=lambda m, x: m(x) ** 2)
    layer_case("no-bias", Bilinear(3, 2, 4, bias=False), (5, 3),
               call=lambda m, x: m(x, x[:, :2] * x[:, 1:]))


_register_sequence()
_register_parity_additions()
_register_transposed_conv()
_register_pooling_options()
_register_group_norm()
_register_resampling()
_register_activations_losses_distances()

import nn.cases_added  # noqa: E402, F401 - the parity additions register theirs
import nn.cases_lazy  # noqa: E402, F401 - lazy layers, DataParallel, RNNBase
import nn.cases_parity2  # noqa: E402, F401 - round 2's cases (it imports this module's helpers)
import nn.cases_structured  # noqa: E402, F401 - CTC, adaptive softmax, fractional pooling
