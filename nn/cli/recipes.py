"""What ``chainrule train`` builds: default settings per (dataset, model), the models and the
optimizers behind the ``--model`` and ``--optimizer`` names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nn
import optim
from nn.cli.common import CLIError
from nn.modules.models import MNIST1DCNN, MNIST1DMLP
from nn.modules.seq_models import MNIST1DGRU

__all__ = ["DEFAULTS", "DEFAULT_LR", "DEFAULT_WEIGHT_DECAY", "IMAGE_SHAPES", "MODELS",
           "OPTIMIZERS", "DATASETS", "TEXT_DATA", "Recipe", "build_model", "build_optimizer"]

MODELS = ("mlp", "cnn", "gru", "transformer")
DATASETS = ("digits", "mnist1d", "mnist", "addition", "names")
TEXT_DATA = ("addition", "names")  # the character transformer's tasks (nn.cli.text)
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")


@dataclass(frozen=True)
class Recipe:
    """Training settings used for a (dataset, model) pair when the options leave them out."""

    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    weight_decay: float | None = None  # None: the optimizer's default (DEFAULT_WEIGHT_DECAY)
    lr_decay: float = 0.0


# Measured on 2 CPU cores, final test accuracy over seeds 0-4 (the README has the commands):
# digits: a few seconds of Adam; MLP 0.967-0.981, CNN 0.978-0.983.
# mnist1d: the paper's budget (batch 100, 6,000 steps = 150 epochs of 4,000 examples, lr
# 1e-2); it reports ~68% (MLP) and ~94% (CNN) with Adam. Plain Adam gave us 0.660-0.669 and
# 0.926-0.946 (seeds 0-2); AdamW's decoupled weight decay 0.05, same budget, gives MLP
# 0.652-0.690 (mean 0.670) and CNN 0.936-0.944 (mean 0.939). Decaying the lr (--lr-decay)
# made both worse: these small nets generalise better at a high constant lr. The GRU (Adam
# 1e-2, the paper's row, ~91%): 0.879-0.921 (mean 0.901).
# mnist: not measured here (no files); the usual small-budget settings.
DEFAULTS: dict[tuple[str, str], Recipe] = {
    ("digits", "mlp"): Recipe(epochs=20, batch_size=32, optimizer="adam", lr=3e-3),
    ("digits", "cnn"): Recipe(epochs=20, batch_size=32, optimizer="adam", lr=3e-3),
    ("mnist1d", "mlp"): Recipe(epochs=150, batch_size=100, optimizer="adamw", lr=1e-2,
                               weight_decay=0.05),
    ("mnist1d", "cnn"): Recipe(epochs=150, batch_size=100, optimizer="adamw", lr=1e-2,
                               weight_decay=0.05),
    ("mnist", "mlp"): Recipe(epochs=5, batch_size=128, optimizer="adam", lr=1e-3),
    ("mnist", "cnn"): Recipe(epochs=3, batch_size=128, optimizer="adam", lr=1e-3),
    # the MNIST-1D paper's GRU row: Adam 1e-2, batch 100, 6,000 steps (nn/modules/seq_models.py)
    ("mnist1d", "gru"): Recipe(epochs=150, batch_size=100, optimizer="adam", lr=1e-2,
                               weight_decay=0.0),
    # the character transformer (nn.cli.text): AdamW, cosine lr decay, gradient norm clip 1
    ("addition", "transformer"): Recipe(epochs=10, batch_size=64, optimizer="adamw", lr=2e-3,
                                        weight_decay=0.1),
    ("names", "transformer"): Recipe(epochs=30, batch_size=64, optimizer="adamw", lr=2e-3,
                                     weight_decay=0.1),
}

# Used when --optimizer differs from the recipe's and --lr is not given.
DEFAULT_LR: dict[str, float] = {
    "sgd": 0.1, "momentum": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3,
}
# torch's defaults: only AdamW decays by default.
DEFAULT_WEIGHT_DECAY: dict[str, float] = {"adamw": 1e-2}

IMAGE_SHAPES: dict[str, tuple[int, int, int]] = {
    "digits": (1, 8, 8), "mnist1d": (1, 1, 40), "mnist": (1, 28, 28),
}


def build_model(model: str, data: str, image_shape: Sequence[int] | None = None,
                num_classes: int = 10) -> tuple[Any, str]:
    """The network ``chainrule train --model MODEL --data DATA`` trains, freshly initialised.

    Args:
        model: ``"mlp"`` (takes flat vectors) or ``"cnn"`` (takes ``(N, C, H, W)`` images).
        data: ``"digits"``, ``"mnist1d"`` or ``"mnist"``; picks the sizes.
        image_shape: ``(C, H, W)`` of one example (``Split.image_shape``); by default the
            dataset's own.
        num_classes: number of logits.

    Returns:
        ``(module, description)``. To reload a run's ``model.npz``, rebuild the architecture
        from its ``metrics.json`` settings: ``build_model(s["model"], s["data"])[0]``, then
        ``.load_state_dict(nn.load(path))``.
    """
    c, h, w = (int(s) for s in (image_shape or IMAGE_SHAPES[data]))
    if model == "gru":
        return MNIST1DGRU(c * h * w, num_classes), (
            f"bidirectional GRU(1, 6) over {c * h * w} steps + linear {12 * c * h * w}"
            f"->{num_classes} (MNIST-1D paper)")
    if model == "mlp":
        if data == "mnist1d":
            return MNIST1DMLP(c * h * w, num_classes), (
                f"MLP [{c * h * w}, 100, 100, {num_classes}] relu, residual (MNIST-1D paper)")
        hidden = [128, 64] if data == "digits" else [256, 128]
        sizes = [c * h * w, *hidden, num_classes]
        return nn.MLP(sizes), f"MLP {sizes} tanh"
    if model == "cnn":
        if h == 1:  # 1-D signals stored as (N, C, 1, L) images
            net = MNIST1DCNN(c, w, num_classes)
            return net, (f"CNN 3x conv(1xk, 25 ch, stride 2) + linear {net.features_out}"
                         f"->{num_classes} (MNIST-1D paper)")
        if h != w or h % 4:
            raise CLIError(f"the CNN needs square images with a side divisible by 4, got {h}x{w}")
        return (nn.SimpleCNN(in_channels=c, num_classes=num_classes, image_size=h),
                f"SimpleCNN(in_channels={c}, image_size={h})")
    raise CLIError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def build_optimizer(name: str, params: Any, lr: float, weight_decay: float) -> Any:
    """The optimizer behind ``--optimizer NAME`` (``momentum`` is SGD with momentum 0.9)."""
    params = list(params)
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    raise CLIError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
