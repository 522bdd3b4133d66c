"""chainrule's ``nn``: PyTorch-style modules, layers, losses, init and data loading.

>>> import nn
>>> import nn.functional as F
>>> model = nn.MLP([784, 256, 128, 10])        # Linear-Tanh-Linear-Tanh-Linear
>>> [name for name, _ in model.named_parameters()][:2]
['0.weight', '0.bias']

``nn.datasets`` (small classification datasets) is imported on demand.
"""

import nn.autograd_check  # noqa: F401, I001 - first: one clear line if `autograd` is HIPS's
from nn import data, functional, init, utils
from nn.modules import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BCELoss,
    BCEWithLogitsLoss,
    BatchNorm1d,
    BatchNorm2d,
    CELU,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    CosineSimilarity,
    CrossEntropyLoss,
    Dropout,
    ELU,
    Flatten,
    GELU,
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
    MLP,
    MSELoss,
    MaxPool2d,
    Mish,
    Module,
    ModuleDict,
    ModuleList,
    NLLLoss,
    PairwiseDistance,
    Parameter,
    ParameterDict,
    ParameterList,
    ReLU,
    ReLU6,
    SELU,
    Sequential,
    SiLU,
    Sigmoid,
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
from nn.serialization import load, save

__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "CELU", "Conv1d",
    "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "CosineSimilarity", "CrossEntropyLoss",
    "Dropout", "ELU", "Flatten", "GELU", "GroupNorm", "Hardsigmoid", "Hardswish", "Hardtanh",
    "HuberLoss", "Identity", "KLDivLoss", "L1Loss", "LeakyReLU", "Linear", "LogSigmoid",
    "LogSoftmax", "MLP", "MSELoss", "MaxPool2d", "Mish", "Module", "ModuleDict", "ModuleList",
    "NLLLoss", "PairwiseDistance", "Parameter", "ParameterDict", "ParameterList", "ReLU",
    "ReLU6", "SELU", "Sequential", "SiLU", "Sigmoid", "SimpleCNN", "SmoothL1Loss", "Softmax",
    "Softplus", "Softsign", "Tanh", "Tanhshrink", "Upsample", "UpsamplingBilinear2d",
    "UpsamplingNearest2d", "data", "functional", "init", "load", "save", "utils",
]
