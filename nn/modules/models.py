"""The seed models: ``MLP`` and ``SimpleCNN``.

Both are plain module trees with torch's naming, so their state_dicts load into the
equivalent PyTorch modules: an ``MLP`` *is* a Sequential (keys ``0.weight``,
``0.bias``, ``2.weight``, ... — exactly ``torch.nn.Sequential(Linear, Tanh, ...)``),
and ``SimpleCNN``'s keys are ``features.0.weight``, ..., ``classifier.3.bias``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from autograd.tensor import Tensor
from nn.modules.activation import ReLU, Tanh
from nn.modules.container import Sequential
from nn.modules.conv import Conv2d
from nn.modules.flatten import Flatten
from nn.modules.linear import Linear
from nn.modules.module import Module
from nn.modules.pooling import MaxPool2d

__all__ = ["MLP", "SimpleCNN"]


class MLP(Sequential):
    """``MLP([d0, d1, ..., dk])``: Linear(d0→d1)-act-Linear(d1→d2)-act-...-Linear(→dk),
    logits out (no activation after the last layer; the loss applies softmax).
    Input (N, d0) → output (N, dk). ``activation`` is a Module class (or any callable
    returning a Module, or a Module instance, which is copied per layer)."""

    def __init__(self, sizes: Sequence[int], activation: Callable[[], Module] | Module = Tanh
                 ) -> None:
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s <= 0 for s in sizes):
            raise ValueError(f"MLP needs at least two positive layer sizes, got {sizes}")
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out))
            if i < len(sizes) - 2:
                act = copy.deepcopy(activation) if isinstance(activation, Module) \
                    else activation()
                layers.append(act)
        super().__init__(*layers)
        self.sizes = tuple(sizes)


class SimpleCNN(Module):
    """Conv(in→16, 3×3, pad 1)-ReLU-MaxPool(2)-Conv(16→32, 3×3, pad 1)-ReLU-MaxPool(2)
    -Flatten-Linear(32·(H//4)·(W//4)→128)-ReLU-Linear(128→num_classes).

    Input (N, in_channels, H, W) with ``image_size`` = H = W (or an (H, W) pair) →
    logits (N, num_classes). 268,650 parameters at the defaults (3, 10, 32).
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10,
                 image_size: int | tuple[int, int] = 32) -> None:
        super().__init__()
        h, w = (image_size, image_size) if isinstance(image_size, int) else image_size
        if h < 4 or w < 4:
            raise ValueError(f"SimpleCNN needs images of at least 4x4 (two 2x2 poolings), got "
                             f"{h}x{w}")
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.image_size = image_size
        self.features = Sequential(
            Conv2d(in_channels, 16, 3, padding=1), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),
        )
        self.classifier = Sequential(
            Flatten(), Linear(32 * (h // 4) * (w // 4), 128), ReLU(), Linear(128, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
