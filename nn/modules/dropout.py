"""``Dropout``: inverted dropout in training mode, the identity in eval mode; its
channel-wise (``Dropout1d/2d/3d``) and SELU (``AlphaDropout``, ``FeatureAlphaDropout``)
kinds."""

from __future__ import annotations

from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.module import Module

__all__ = ["AlphaDropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
           "FeatureAlphaDropout"]


class Dropout(Module):
    """In training, zero each element with probability ``p`` (mask drawn from
    ``autograd.random.generator()``) and scale survivors by 1/(1 − p); in eval, identity."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _DropoutNd(Dropout):
    _fn = "dropout"

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn)(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Channel-wise dropout of (N, C, L) or (C, L): whole channels zeroed with
    probability ``p``, the rest scaled by 1/(1 − p)."""

    _fn = "dropout1d"


class Dropout2d(_DropoutNd):
    """Channel-wise dropout of (N, C, H, W) (a 3-D input is read as (N, C, L), as torch)."""

    _fn = "dropout2d"


class Dropout3d(_DropoutNd):
    """Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W)."""

    _fn = "dropout3d"


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps zero mean and unit variance."""

    _fn = "alpha_dropout"


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout with one draw per (sample, channel)."""

    _fn = "feature_alpha_dropout"
