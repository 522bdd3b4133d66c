"""chainrule's ``nn``: PyTorch-style modules, layers, losses, init and data loading.

>>> import nn
>>> import nn.functional as F
>>> model = nn.MLP([784, 256, 128, 10])        # Linear-Tanh-Linear-Tanh-Linear
>>> [name for name, _ in model.named_parameters()][:2]
['0.weight', '0.bias']

``nn.datasets`` (small classification datasets) is imported on demand.
"""

import nn.autograd_check  # noqa: F401, I001 - first: one clear line if `autograd` is HIPS's
from autograd.lazy import lazy_attributes
from nn import functional, init, utils
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

__all__ = [
    "MLP", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d",
    "Conv2d", "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "LeakyReLU", "Linear",
    "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleDict", "ModuleList", "NLLLoss",
    "Parameter", "ParameterDict", "ParameterList",
    "ReLU", "Sequential", "Sigmoid", "SimpleCNN", "Softmax", "Tanh", "data", "functional",
    "init", "load", "save", "utils", "SyncBatchNorm", "DataParallel",
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

# Sequence models (issue 17).
from nn.modules import (  # noqa: E402
    GRU,
    LSTM,
    RNN,
    Embedding,
    GRUCell,
    LayerNorm,
    LSTMCell,
    MultiheadAttention,
    RNNCell,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += ["GRU", "LSTM", "RNN", "Embedding", "GRUCell", "LSTMCell", "LayerNorm", "RNNCell",
            "MultiheadAttention", "TransformerEncoder", "TransformerEncoderLayer"]

# torch's layers found missing by the parity audit
from nn.modules import (  # noqa: E402
    GLU,
    AvgPool1d,
    Bilinear,
    Hardshrink,
    MaxPool1d,
    PReLU,
    Softmax2d,
    Softmin,
    Softshrink,
    Threshold,
    Unflatten,
)

__all__ += ["AvgPool1d", "Bilinear", "GLU", "Hardshrink", "MaxPool1d", "PReLU", "Softmax2d",
            "Softmin", "Softshrink", "Threshold", "Unflatten"]

# torch names a sweep of torch's namespaces found missing (2026-12-07)
from nn.modules.module import Buffer  # noqa: E402
from nn.modules.rnn import RNNBase, RNNCellBase  # noqa: E402

__all__ += ["Buffer", "RNNBase", "RNNCellBase"]

# Loaded on first use (PEP 562): data loading, checkpoints (json, zipfile, tempfile) and
# multi-process training are no part of a training step's own imports.
_LAZY = {
    "data": ("nn.data", None),
    "parallel": ("nn.parallel", None),
    "serialization": ("nn.serialization", None),
    "load": ("nn.serialization", "load"),
    "save": ("nn.serialization", "save"),
    "SyncBatchNorm": ("nn.parallel.sync_batchnorm", "SyncBatchNorm"),
    "DataParallel": ("nn.parallel.data_parallel", "DataParallel"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())

# the layers the parity audit added: every other name nn.modules exports, listed once
# there (nn/modules/__init__.py), not again here
from nn import modules as _modules  # noqa: E402

_MORE = [n for n in _modules.__all__ if n not in globals()]
globals().update({n: getattr(_modules, n) for n in _MORE})
__all__ += _MORE

# each name once, in the order first listed (the groups above overlap)
__all__ = list(dict.fromkeys(__all__))

# torch's top-level names of functional ops (torch.dropout, torch.layer_norm...) bound onto
# autograd here, as autograd may not import nn, whose functions they wrap
from nn import torch_namespace  # noqa: E402, F401
