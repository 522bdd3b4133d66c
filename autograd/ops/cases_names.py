"""Registry cases (first and second order) for the names of ``ops.torch_names``: logaddexp
and logaddexp2, Tensor.unfold, as_strided, hstack and meshgrid; and ``ops.finite_differences``'
gradient (its input and its coordinates)."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.ops.case_registry import case


def _increasing(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # positive steps: their running sum is a strictly increasing set of coordinates
    return rng.uniform(0.5, 1.5, shape)


def _register() -> None:
    case("logaddexp", "broadcast", lambda a, b: ag.logaddexp(a, b) ** 2, (2, 3), (3,))
    case("logaddexp", "scalar", lambda a: ag.logaddexp(a, 0.5) ** 2, (4,))
    case("logaddexp2", "broadcast", lambda a, b: ag.logaddexp2(a, b) ** 2, (2, 1), (3,))
    case("unfold", "windows", lambda a: a.unfold(1, 3, 2) ** 2, (2, 7))
    # overlapping windows (each element read up to three times) and a transposed input
    case("as_strided", "windows", lambda a: a.as_strided((4, 3), (1, 1)) ** 2, (6,))
    case("as_strided", "view", lambda a: ag.as_strided(a.t(), (2, 2), (1, 2), 1).sin(), (3, 2))
    case("hstack", "mixed", lambda a, b: ag.hstack([a, b]) ** 2, (2, 1), (2, 3))
    case("meshgrid", "xy", lambda a, b: ag.meshgrid(a, b, indexing="xy")[0] * ag.meshgrid(
        a, b, indexing="xy")[1], (3,), (2,))
    case("gradient", "uniform", lambda a: sum(g.sin().sum() for g in ag.gradient(
        a, spacing=0.5, edge_order=2)), (4, 5))
    case("gradient", "coordinates", lambda a, x: ag.gradient(a, spacing=(x.cumsum(0),),
                                                             dim=1)[0].sin(),
         (2, 5), (5,), make=_increasing)


_register()
