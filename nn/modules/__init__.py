"""Every layer, container, loss and seed model, re-exported as ``nn.<Name>``."""

from nn.modules.activation import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
)
from nn.modules.activation_extras import (
    GLU,
    Hardshrink,
    PReLU,
    Softmax2d,
    Softmin,
    Softshrink,
    Threshold,
)
from nn.modules.attention import MultiheadAttention
from nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from nn.modules.container import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from nn.modules.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from nn.modules.distance import (
    CosineSimilarity,
    PairwiseDistance,
)
from nn.modules.dropout import Dropout
from nn.modules.embedding import Embedding
from nn.modules.flatten import Flatten, Unflatten
from nn.modules.layernorm import LayerNorm
from nn.modules.linear import Bilinear, Identity, Linear
from nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from nn.modules.models import MLP, SimpleCNN
from nn.modules.module import Module, Parameter
from nn.modules.normalization import (
    GroupNorm,
)
from nn.modules.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from nn.modules.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from nn.modules.upsampling import (
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

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
    "UpsamplingNearest2d",
]
__all__ += ["GRU", "LSTM", "RNN", "Embedding", "GRUCell", "LSTMCell", "LayerNorm", "RNNCell",
            "MultiheadAttention", "TransformerEncoderLayer"]
__all__ += ["AvgPool1d", "Bilinear", "GLU", "Hardshrink", "MaxPool1d", "PReLU", "Softmax2d",
            "Softmin", "Softshrink", "Threshold", "Unflatten"]
__all__ += ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder"]
from nn.modules.padding import (  # noqa: E402
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
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)

__all__ += ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d",
            "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
            "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
            "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]
from nn.modules.margin_loss import (  # noqa: E402
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
from nn.modules.instancenorm import (  # noqa: E402
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LocalResponseNorm,
    RMSNorm,
)

__all__ += ["BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
            "LocalResponseNorm", "RMSNorm"]
from nn.modules.dropout import (  # noqa: E402
    AlphaDropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)

__all__ += ["AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout"]
from nn.modules.rearrange import (  # noqa: E402
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
from nn.modules.activation_extras import RReLU  # noqa: E402

__all__ += ["RReLU"]
from nn.modules.pooling import AdaptiveAvgPool3d  # noqa: E402

__all__ += ["AdaptiveAvgPool3d"]
from nn.modules.margin_loss import MultiLabelMarginLoss, TripletMarginWithDistanceLoss  # noqa: E402

__all__ += ["MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"]
from nn.modules.embedding import EmbeddingBag  # noqa: E402

__all__ += ["EmbeddingBag"]
from nn.modules.conv import Conv3d  # noqa: E402

__all__ += ["Conv3d"]
from nn.modules.pooling import AvgPool3d, MaxPool3d  # noqa: E402

__all__ += ["AvgPool3d", "MaxPool3d"]
from nn.modules.pooling import AdaptiveMaxPool3d  # noqa: E402
from nn.modules.rearrange import LPPool3d, MaxUnpool3d  # noqa: E402

__all__ += ["AdaptiveMaxPool3d", "LPPool3d", "MaxUnpool3d"]
from nn.modules.conv import ConvTranspose3d  # noqa: E402

__all__ += ["ConvTranspose3d"]
from nn.modules.lazy import LazyLinear  # noqa: E402
from nn.modules.lazy_layers import (  # noqa: E402
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
)

__all__ += ["LazyLinear", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d",
            "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
            "LazyConvTranspose3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
            "LazyInstanceNorm3d"]
from nn.modules.ctc import CTCLoss  # noqa: E402

__all__ += ["CTCLoss"]
from nn.modules.adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402

__all__ += ["AdaptiveLogSoftmaxWithLoss"]
from nn.modules.pooling import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402

__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]
