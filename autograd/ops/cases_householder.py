"""Registry cases (first and second order) for ``linalg.householder_product``: tall,
square with fewer reflectors than columns, batched, and the products of the
parametrization of ``nn.utils.parametrizations.orthogonal`` (τ = 2 / (1 + ‖vᵢ‖²))."""

from __future__ import annotations

import autograd as ag
from autograd.ops.case_registry import case


def _orthogonal(a: ag.Tensor) -> ag.Tensor:
    low = a.tril(-1)
    return ag.linalg.householder_product(low, 2.0 / (1.0 + (low * low).sum(-2)))


def _register() -> None:
    hp = ag.linalg.householder_product
    case("householder_product", "tall", hp, (5, 3), (3,))
    case("householder_product", "square-fewer-reflectors", hp, (4, 4), (2,))
    case("householder_product", "batched", hp, (2, 4, 3), (2, 3))
    case("householder_product", "orthogonal-map", _orthogonal, (5, 3))


_register()
