"""gradcheck cases (first and second order) for the layers a sweep of torch.nn's names
added (2026-12-07): the lazy convolutions and norms (materialised by a first input, as a
program's first forward does), ``DataParallel`` (one device: the module it wraps) and
``RNNBase`` built directly (torch's ``nn.RNNBase(mode, input_size, hidden_size)``).
Imported by ``nn/cases.py``."""

from __future__ import annotations

from typing import Any

import autograd as ag
from nn.cases import layer_case
from nn.modules import (
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
    Linear,
)
from nn.modules.rnn import RNNBase
from nn.parallel.data_parallel import DataParallel

__all__: list = []


def _materialised(module: Any, input_shape: tuple) -> Any:
    """``module`` in float64 with its shapes taken from an input of ``input_shape`` (the
    case registers it under its lazy class name: the class changes on its first call)."""
    module = module.double()
    module.initialize_parameters(ag.zeros(*input_shape, dtype=ag.float64))
    return module


def _register() -> None:
    for cls, shape in ((LazyConv1d, (2, 3, 6)), (LazyConv2d, (1, 2, 5, 4)),
                       (LazyConv3d, (1, 2, 3, 4, 3))):
        layer_case("materialised", _materialised(cls(2, 2, padding=1), shape), shape)
    for cls, shape in ((LazyConvTranspose1d, (2, 3, 4)), (LazyConvTranspose2d, (1, 2, 3, 3)),
                       (LazyConvTranspose3d, (1, 2, 2, 3, 2))):
        layer_case("materialised", _materialised(cls(2, 2, stride=2), shape), shape)
    for cls, shape in ((LazyBatchNorm1d, (4, 3)), (LazyBatchNorm2d, (3, 2, 2, 2)),
                       (LazyBatchNorm3d, (2, 2, 2, 2, 2))):
        layer_case("materialised", _materialised(cls(), shape), shape)
    for cls, shape in ((LazyInstanceNorm1d, (2, 3, 4)), (LazyInstanceNorm2d, (2, 2, 3, 3)),
                       (LazyInstanceNorm3d, (1, 2, 2, 2, 3))):
        layer_case("materialised", _materialised(cls(affine=True), shape), shape)
    layer_case("one-device", DataParallel(Linear(4, 3)), (2, 4))
    layer_case("lstm", RNNBase("LSTM", 3, 4), (5, 2, 3), call=lambda m, x: m(x)[0])


_register()
