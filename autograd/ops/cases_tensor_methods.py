"""Registry cases (first and second order) for the torch methods of the modules
``complex_api``, ``numeric``, ``matrix_products``, ``statistics``, ``scatter_views``,
``index_writes``, ``splits`` and ``products.renorm``; imported by ``autograd/ops/cases.py``."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.ops.case_registry import _away_from_zero, _distinct, _positive, case

_I = ag.tensor  # index constants made at call time (on the default device)


def _spd(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Well-conditioned square matrices (identity plus a small perturbation)."""
    n = shape[-1]
    return np.eye(n) * 2.0 + 0.3 * rng.standard_normal(shape)


def _register_numbers() -> None:
    case("angle", "zero-gradient", lambda a: a.angle() + a * a, (2, 3), make=_away_from_zero)
    case("deg2rad", "scale", lambda a: ag.deg2rad(a) ** 2, (2, 3))
    case("rad2deg", "scale", lambda a: a.rad2deg() ** 2, (3,))
    case("float_power", "tensor-exponent", lambda a, b: ag.float_power(a, b),
         (2, 3), (3,), make=_positive)
    case("float_power", "scalar-exponent", lambda a: a.float_power(2.5), (4,), make=_positive)
    case("ldexp", "both", lambda a, b: ag.ldexp(a, b) ** 2, (2, 3), (3,))
    case("ldexp", "int-exponent", lambda a: a.ldexp(_I([2, 0, 1])) ** 2, (2, 3))
    case("frexp", "mantissa", lambda a: ag.frexp(a).mantissa ** 2, (2, 3),
         make=_away_from_zero)
    case("nextafter", "towards", lambda a: ag.nextafter(a, _I([1.0, -1.0, 0.5],
                                                              dtype=ag.float64)) ** 2, (2, 3))


def _register_products() -> None:
    case("inner", "batched", lambda a, b: ag.inner(a, b), (2, 3), (4, 3))
    case("inner", "scalar", lambda a, b: a.inner(b) ** 2, (), (2, 2))
    case("vdot", "vectors", lambda a, b: ag.vdot(a, b) ** 2, (4,), (4,))
    case("addr", "scaled", lambda c, u, v: ag.addr(c, u, v, beta=0.5, alpha=2.0) ** 2,
         (3,), (2,), (3,))
    case("addbmm", "scaled", lambda c, a, b: ag.addbmm(c, a, b, beta=2.0, alpha=0.5),
         (2, 3), (4, 2, 5), (4, 5, 3))
    case("matrix_power", "cube", lambda a: ag.matrix_power(a, 3), (3, 3))
    case("matrix_power", "five", lambda a: a.matrix_power(5), (2, 2, 2), make=_spd, rtol=1e-2)
    case("matrix_power", "inverse-squared", lambda a: ag.matrix_power(a, -2), (3, 3),
         make=_spd)
    case("matrix_power", "zero", lambda a: ag.matrix_power(a, 0) + a * a, (2, 2))


def _register_statistics() -> None:
    case("cov", "rows", lambda a: ag.cov(a), (3, 5))
    case("cov", "weighted", lambda a, w: ag.cov(a, correction=2, fweights=_I([1, 2, 1, 3]),
                                                aweights=w), (2, 4), (4,), make=_positive)
    case("cov", "vector", lambda a: a.cov(), (6,))
    case("corrcoef", "rows", lambda a: ag.corrcoef(a), (3, 6), make=_distinct)
    case("corrcoef", "one-row", lambda a: a.corrcoef() * a.sum(), (5,), second_order=False)


def _register_writes() -> None:
    case("select_scatter", "dim1", lambda a, s: ag.select_scatter(a, s, 1, -1) ** 2,
         (2, 3), (2,))
    case("slice_scatter", "step", lambda a, s: a.slice_scatter(s, 0, 1, None, 2) ** 2,
         (5, 2), (2, 2))
    case("diagonal_scatter", "offset", lambda a, s: ag.diagonal_scatter(a, s, 1) ** 2,
         (3, 3), (2,))
    case("index_reduce", "prod", lambda a, s: ag.index_reduce(
        a, 0, _I([0, 2, 0]), s, "prod"), (3, 2), (3, 2), make=_away_from_zero,
        second_order=False)  # scatter_reduce's prod: differentiable once (it raises)
    case("index_reduce", "mean-excluded", lambda a, s: a.index_reduce(
        1, _I([1, 1]), s, "mean", include_self=False) ** 2, (2, 3), (2, 2))
    case("index_reduce", "amax", lambda a, s: a.index_reduce(0, _I([1, 0, 1]), s, "amax"),
         (2, 3), (3, 3), make=_distinct)
    case("put", "overwrite", lambda a, s: ag.put(a, _I([0, 5, -1]), s) ** 2, (2, 4), (3,))
    case("put", "accumulate", lambda a, s: a.put(_I([[1], [1]]), s, accumulate=True) ** 2,
         (2, 2), (2,))
    case("renorm", "rows", lambda a: ag.renorm(a, 2, 0, 1.0), (3, 4))
    case("renorm", "inf-cols", lambda a: a.renorm(float("inf"), 1, 0.8), (3, 4),
         make=_distinct)


def _register_splits() -> None:
    case("split_with_sizes", "pieces", lambda a: a.split_with_sizes([1, 3], 1)[1] ** 2,
         (2, 4))
    case("hsplit", "sections", lambda a: ag.hsplit(a, 2)[0] * ag.hsplit(a, 2)[1], (3, 4))
    case("vsplit", "indices", lambda a: ag.vsplit(a, [1])[1] ** 2, (3, 2))
    case("dsplit", "sections", lambda a: ag.dsplit(a, 2)[1] ** 2, (1, 2, 4))
    case("narrow_copy", "middle", lambda a: ag.narrow_copy(a, 1, 1, 2) ** 2, (2, 4))
    case("diagflat", "offset", lambda a: ag.diagflat(a, -1) ** 2, (2, 2))
    case("sum_to_size", "rows", lambda a: a.sum_to_size(2, 1) ** 2, (2, 3))


_register_numbers()
_register_products()
_register_statistics()
_register_writes()
_register_splits()
