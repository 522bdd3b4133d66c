"""The ``nn.functional`` names round 2 of the torch-parity audit added (margin and
likelihood losses, instance/RMS/local-response norms, channel and alpha dropouts, pixel and
channel shuffles, unfold/fold, unpooling, LP pooling, 3-D convolutions and pools,
embedding_bag, affine_grid/grid_sample, in-place activations and aliases), gathered here so
``nn/functional.py`` imports them in one line; each is defined in its family module."""

from __future__ import annotations

from nn.conv3d import conv3d, conv_transpose3d
from nn.ctc import ctc_loss
from nn.embedding_bag import embedding_bag
from nn.feature_dropout import (
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from nn.fractional_pool import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from nn.functional_extras import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    celu_,
    elu_,
    gumbel_softmax,
    hardtanh_,
    leaky_relu_,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    pdist,
    relu_,
    rrelu,
    rrelu_,
    selu_,
    threshold_,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from nn.grid_sample import affine_grid, grid_sample
from nn.margin_losses import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from nn.multihead_attention import multi_head_attention_forward
from nn.norm_functions import instance_norm, local_response_norm, rms_norm
from nn.pool3d import adaptive_max_pool3d, avg_pool3d, lp_pool3d, max_pool3d
from nn.rearrange_functions import (
    channel_shuffle,
    fold,
    lp_pool1d,
    lp_pool2d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)

__all__ = [
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "affine_grid", "alpha_dropout", "avg_pool3d", "celu_",
    "channel_shuffle", "conv3d", "conv_transpose3d", "cosine_embedding_loss", "ctc_loss",
    "dropout1d", "dropout2d", "dropout3d", "elu_", "embedding_bag", "feature_alpha_dropout",
    "fold", "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d", "fractional_max_pool3d_with_indices",
    "gaussian_nll_loss", "grid_sample", "gumbel_softmax", "hardtanh_", "hinge_embedding_loss",
    "instance_norm", "leaky_relu_", "local_response_norm", "lp_pool1d", "lp_pool2d",
    "lp_pool3d", "margin_ranking_loss", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d", "multi_margin_loss",
    "multi_head_attention_forward", "multilabel_margin_loss", "multilabel_soft_margin_loss",
    "native_channel_shuffle", "pdist",
    "pixel_shuffle",
    "pixel_unshuffle", "poisson_nll_loss", "relu_", "rms_norm", "rrelu", "rrelu_", "selu_",
    "soft_margin_loss", "threshold_", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "unfold", "upsample", "upsample_bilinear",
    "upsample_nearest"
]

# the differentiable ones: nn/cases.py registers a gradcheck case for each
DIFFERENTIABLE = (
    "margin_ranking_loss hinge_embedding_loss soft_margin_loss multilabel_soft_margin_loss "
    "multi_margin_loss cosine_embedding_loss triplet_margin_loss poisson_nll_loss "
    "gaussian_nll_loss instance_norm local_response_norm rms_norm dropout1d dropout2d dropout3d "
    "alpha_dropout feature_alpha_dropout pixel_shuffle pixel_unshuffle channel_shuffle unfold "
    "fold max_unpool1d max_unpool2d lp_pool1d lp_pool2d rrelu gumbel_softmax pdist "
    "multilabel_margin_loss triplet_margin_with_distance_loss embedding_bag conv3d avg_pool3d "
    "max_pool3d adaptive_max_pool3d lp_pool3d max_unpool3d conv_transpose3d affine_grid "
    "grid_sample ctc_loss multi_head_attention_forward fractional_max_pool2d "
    "fractional_max_pool3d "
).split()
