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
    MLP,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    Parameter,
    ParameterDict,
    ParameterList,
    ReLU,
    Sequential,
    Sigmoid,
    SimpleCNN,
    Softmax,
    Tanh,
)
from nn.serialization import load, save

__all__ = [
    "MLP", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d",
    "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "Flatten",
    "Identity", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module",
    "ModuleDict", "ModuleList", "NLLLoss", "Parameter", "ParameterDict", "ParameterList",
    "ReLU", "Sequential", "Sigmoid", "SimpleCNN", "Softmax", "Tanh", "data", "functional",
    "init", "load", "save", "utils",
]
