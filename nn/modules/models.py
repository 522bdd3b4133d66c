"""The seed models (``MLP``, ``SimpleCNN``) and the MNIST-1D paper's two models.

All are plain module trees with torch's naming, so their state_dicts load into the
equivalent PyTorch modules: an ``MLP`` *is* a Sequential (keys ``0.weight``,
``0.bias``, ``2.weight``, ... — exactly ``torch.nn.Sequential(Linear, Tanh, ...)``),
``SimpleCNN``'s keys are ``features.0.weight``, ..., ``classifier.3.bias``,
``MNIST1DMLP``'s ``linear1.weight``, ..., and ``MNIST1DCNN`` is a Sequential
(``0.weight``, ``2.weight``, ``4.weight``, ``7.weight``).
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

__all__ = ["MLP", "MNIST1DCNN", "MNIST1DMLP", "SimpleCNN"]


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


class MNIST1DMLP(Module):
    """The MNIST-1D paper's MLP: ``h = relu(W1 x)``, ``h = h + relu(W2 h)``, logits ``W3 h``.

    Input (N, in_features) → logits (N, num_classes). The residual connection around the
    second layer is part of the paper's model (its ``MLPBase``), kept to compare with the
    paper's ~68%.
    """

    def __init__(self, in_features: int = 40, num_classes: int = 10, hidden: int = 100) -> None:
        super().__init__()
        self.linear1 = Linear(in_features, hidden)
        self.linear2 = Linear(hidden, hidden)
        self.linear3 = Linear(hidden, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


class MNIST1DCNN(Sequential):
    """The MNIST-1D paper's CNN for signals stored as ``(N, C, 1, L)`` images: three
    convolutions of ``channels`` channels (kernels 1×5, 1×3, 1×3; stride (1, 2); padding
    (0, 1)), each followed by ReLU, then Flatten and one Linear to ``num_classes``.

    Each convolution maps a length ``L`` to ``(L + 2 − k) // 2 + 1``; ``length`` is the
    input's ``L``. Input (N, in_channels, 1, length) → logits (N, num_classes).
    """

    def __init__(self, in_channels: int = 1, length: int = 40, num_classes: int = 10,
                 channels: int = 25) -> None:
        layers: list[Module] = []
        in_ch = in_channels
        for k in (5, 3, 3):
            layers += [Conv2d(in_ch, channels, (1, k), stride=(1, 2), padding=(0, 1)), ReLU()]
            in_ch = channels
            length = (length + 2 - k) // 2 + 1
        if length < 1:
            raise ValueError("MNIST1DCNN: the signal is too short for three stride-2 "
                             "convolutions")
        super().__init__(*layers, Flatten(), Linear(channels * length, num_classes))
        self.features_out = channels * length
