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
from nn import functional as F
from nn.modules import (
    MLP,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv1d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    SimpleCNN,
    Softmax,
    Tanh,
)

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
        lambda x, y: F.binary_cross_entropy(x, y, weight=weight_bce, reduction="sum"),
        (3, 4), (3, 4), make=_probability)
    _fn("binary_cross_entropy_with_logits", "mean", F.binary_cross_entropy_with_logits,
        (3, 4), (3, 4))
    pos_weight = np.array([0.5, 1.0, 2.0, 3.0])
    _fn("binary_cross_entropy_with_logits", "pos-weight-none",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none",
                                                        pos_weight=pos_weight),
        (3, 4), (3, 4), make=_probability)
    _fn("cross_entropy", "mean", lambda x: F.cross_entropy(x, targets4), (4, 5))
    _fn("cross_entropy", "none", lambda x: F.cross_entropy(x, targets4, reduction="none"),
        (4, 5))
    class_weight = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    _fn("cross_entropy", "weight-ignore-smoothing",
        lambda x: F.cross_entropy(x, np.array([2, -100, 4, 1]), weight=class_weight,
                                  label_smoothing=0.1), (4, 5))
    _fn("cross_entropy", "k-dim", lambda x: F.cross_entropy(x, targets_kdim), (2, 3, 2))
    _fn("cross_entropy", "probabilities", lambda x: F.cross_entropy(x, soft), (4, 5))
    _fn("cross_entropy", "probability-targets-with-grad",
        lambda x, p: F.cross_entropy(x, p, weight=class_weight, label_smoothing=0.1),
        (4, 5), (4, 5))
    _fn("nll_loss", "mean", lambda x: F.nll_loss(x, targets4), (4, 5))
    _fn("nll_loss", "weight-sum",
        lambda x: F.nll_loss(x, targets4, weight=class_weight, reduction="sum"), (4, 5))

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
    layer_case("mean", mse, (3, 4), call=lambda m, x: m(x, y34))
    bce = BCELoss(reduction="sum")
    p34 = rng.uniform(0, 1, (3, 4))
    layer_case("sum", bce, (3, 4), call=lambda m, x: m(x, p34), make=_probability)
    bcel = BCEWithLogitsLoss()
    layer_case("mean", bcel, (3, 4), call=lambda m, x: m(x, p34))
    ce = CrossEntropyLoss()
    layer_case("mean", ce, (4, 5), call=lambda m, x: m(x, targets4))
    nll = NLLLoss(reduction="none")
    layer_case("none", nll, (4, 5), call=lambda m, x: m(x, targets4))


_register()
