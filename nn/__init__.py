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
    "init", "load", "save", "utils", "SyncBatchNorm",
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

# Loaded on first use (PEP 562): data loading, checkpoints (json, zipfile, tempfile) and
# multi-process training are no part of a training step's own imports.
_LAZY = {
    "data": ("nn.data", None),
    "parallel": ("nn.parallel", None),
    "serialization": ("nn.serialization", None),
    "load": ("nn.serialization", "load"),
    "save": ("nn.serialization", "save"),
    "SyncBatchNorm": ("nn.parallel.sync_batchnorm", "SyncBatchNorm"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())

# round 2 of the parity audit
from nn.modules import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)

__all__ += ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d",
            "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
            "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
            "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
            "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]
from nn.modules import (  # noqa: E402
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PoissonNLLLoss,
    SoftMarginLoss,
    TripletMarginLoss,
)

__all__ += ["CosineEmbeddingLoss", "GaussianNLLLoss", "HingeEmbeddingLoss",
            "MarginRankingLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
            "PoissonNLLLoss", "SoftMarginLoss", "TripletMarginLoss"]
from nn.modules import (  # noqa: E402
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LocalResponseNorm,
    RMSNorm,
)

__all__ += ["BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
            "LocalResponseNorm", "RMSNorm"]
from nn.modules import (  # noqa: E402
    AlphaDropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)

__all__ += ["AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout"]
from nn.modules import (  # noqa: E402
    ChannelShuffle,
    Fold,
    LPPool1d,
    LPPool2d,
    MaxUnpool1d,
    MaxUnpool2d,
    PixelShuffle,
    PixelUnshuffle,
    Unfold,
)

__all__ += ["ChannelShuffle", "Fold", "LPPool1d", "LPPool2d", "MaxUnpool1d", "MaxUnpool2d",
            "PixelShuffle", "PixelUnshuffle", "Unfold"]
from nn.modules import RReLU  # noqa: E402

__all__ += ["RReLU"]
from nn.modules import AdaptiveAvgPool3d  # noqa: E402

__all__ += ["AdaptiveAvgPool3d"]
from nn.modules import MultiLabelMarginLoss, TripletMarginWithDistanceLoss  # noqa: E402

__all__ += ["MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"]
from nn.modules import EmbeddingBag  # noqa: E402

__all__ += ["EmbeddingBag"]
from nn.modules import Conv3d  # noqa: E402

__all__ += ["Conv3d"]
from nn.modules import AvgPool3d, MaxPool3d  # noqa: E402

__all__ += ["AvgPool3d", "MaxPool3d"]
from nn.modules import AdaptiveMaxPool3d, LPPool3d, MaxUnpool3d  # noqa: E402

__all__ += ["AdaptiveMaxPool3d", "LPPool3d", "MaxUnpool3d"]
from nn.modules import ConvTranspose3d  # noqa: E402

__all__ += ["ConvTranspose3d"]

from nn.modules import LazyLinear  # noqa: E402

__all__ += ["LazyLinear"]

# each name once, in the order first listed (the groups above overlap)
__all__ = list(dict.fromkeys(__all__))
