"""Every layer, container, loss and seed model, re-exported as ``nn.<Name>``."""

from nn.modules.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from nn.modules.container import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from nn.modules.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from nn.modules.dropout import Dropout
from nn.modules.flatten import Flatten
from nn.modules.linear import Identity, Linear
from nn.modules.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from nn.modules.models import MLP, SimpleCNN
from nn.modules.module import Module, Parameter
from nn.modules.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "MLP", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d",
    "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "Flatten",
    "Identity", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module",
    "ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "NLLLoss", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "SimpleCNN", "Softmax", "Tanh",
]
