"""torch's functional forms added for parity, gathered for ``nn.functional`` (each lives
in the module named after its family)."""

from __future__ import annotations

from nn.dropout_functions import (
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from nn.embedding_bag import embedding_bag
from nn.fold import (
    fold,
    unfold,
)
from nn.likelihood_losses import (
    gaussian_nll_loss,
    poisson_nll_loss,
)
from nn.lp_pool import (
    lp_pool1d,
    lp_pool2d,
)
from nn.margin_losses import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from nn.norm_functions import (
    instance_norm,
    local_response_norm,
    rms_norm,
)
from nn.pixel import (
    channel_shuffle,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
)
from nn.unpool import max_unpool1d, max_unpool2d

# the differentiable ones: nn/cases_added.py registers a gradcheck case for each
ADDED_DIFFERENTIABLE = [
    "embedding_bag",
    "max_unpool1d", "max_unpool2d",
    "rms_norm", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "fold", "unfold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "instance_norm",
    "local_response_norm", "lp_pool1d", "lp_pool2d", "cosine_embedding_loss",
    "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
]
__all__ = [
    "embedding_bag",
    "max_unpool1d", "max_unpool2d",
    "alpha_dropout", "channel_shuffle", "cosine_embedding_loss", "dropout1d", "dropout2d",
    "dropout3d", "feature_alpha_dropout", "fold", "gaussian_nll_loss", "hinge_embedding_loss",
    "instance_norm", "local_response_norm", "lp_pool1d", "lp_pool2d", "margin_ranking_loss",
    "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss",
    "native_channel_shuffle", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "rms_norm",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss", "unfold",
]
