"""Registry cases for the elementary and special functions, rounding and activations
(issue 15, part B): imported by ``autograd/ops/cases.py`` into the one registry.

Inputs keep each op inside its domain (``_unit`` for asin/atanh/erfinv, ``_above_one`` for
acosh) and away from its kinks and jumps (steps of round/floor/fmod, the ends of hardtanh),
so that finite differences see the derivative the VJP gives.
"""

from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.ops.case_registry import _away_from_zero, _positive, case


def _unit(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(-0.9, 0.9, shape)


def _above_one(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(1.2, 3.0, shape)


def _off_grid(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # k + f with f in [0.1, 0.4] (and sign): never near an integer or a half-integer
    return (rng.integers(-3, 4, shape) + rng.uniform(0.1, 0.4, shape)) * rng.choice([-1, 1], shape)


def _register() -> None:
    # one-input elementary functions: a matrix and a 0-d input each
    unary = [
        ("square", ops.square, None), ("rsqrt", ops.rsqrt, _positive),
        ("log1p", ops.log1p, _positive), ("expm1", ops.expm1, None),
        ("log2", ops.log2, _positive), ("log10", ops.log10, _positive),
        ("exp2", ops.exp2, None), ("erf", ops.erf, None), ("erfc", ops.erfc, None),
        ("erfinv", ops.erfinv, _unit), ("sinh", ops.sinh, None), ("cosh", ops.cosh, None),
        ("asinh", ops.asinh, None), ("acosh", ops.acosh, _above_one),
        ("atanh", ops.atanh, _unit), ("tan", ops.tan, _unit), ("asin", ops.asin, _unit),
        ("acos", ops.acos, _unit), ("atan", ops.atan, None), ("frac", ops.frac, _off_grid),
        ("round", ops.round, _off_grid), ("floor", ops.floor, _off_grid),
        ("ceil", ops.ceil, _off_grid), ("trunc", ops.trunc, _off_grid),
        ("sign", ops.sign, _away_from_zero),
        # activations
        ("softplus", ops.softplus, None), ("silu", ops.silu, None), ("gelu", ops.gelu, None),
        ("mish", ops.mish, None), ("elu", ops.elu, _away_from_zero),
        ("selu", ops.selu, _away_from_zero), ("celu", ops.celu, _away_from_zero),
        ("hardtanh", ops.hardtanh, _away_from_zero), ("logsigmoid", ops.logsigmoid, None),
        ("softsign", ops.softsign, _away_from_zero), ("tanhshrink", ops.tanhshrink, None),
        ("hardsigmoid", ops.hardsigmoid, None), ("hardswish", ops.hardswish, None),
    ]
    for name, fn, make in unary:
        case(name, "matrix", fn, (2, 3), make=make)
        case(name, "0-d", fn, (), make=make)
    case("round", "decimals", lambda a: ops.round(a * 10, decimals=1), (4,), make=_off_grid)
    case("sign", "method", lambda a: a.sign() * a, (5,), make=_away_from_zero)
    case("square", "method", lambda a: a.square(), (1, 3))
    case("log10", "method", lambda a: a.log10(), (3, 1), make=_positive)
    case("erf", "method-wide", lambda a: (a * 3).erf(), (8,))
    case("erfc", "tail", lambda a: (a + 2.5).erfc(), (4,), make=_positive)

    # activations with their options (the kink of each stays away from the inputs)
    case("softplus", "beta-threshold", lambda a: ops.softplus(a, beta=2, threshold=0.1),
         (3, 4), make=_away_from_zero)
    case("gelu", "tanh", lambda a: ops.gelu(a * 2, approximate="tanh"), (3, 4))
    case("gelu", "tanh-0-d", lambda a: ops.gelu(a, approximate="tanh"), ())
    case("elu", "alpha", lambda a: ops.elu(a, alpha=0.5), (4,), make=_away_from_zero)
    case("celu", "alpha", lambda a: ops.celu(a, alpha=0.5), (4,), make=_away_from_zero)
    case("hardtanh", "range", lambda a: ops.hardtanh(a * 2, -0.5, 2.0), (3, 4),
         make=_away_from_zero)
    case("relu6", "wide", lambda a: ops.relu6(a * 5), (3, 4), make=_away_from_zero)
    case("relu6", "0-d", ops.relu6, (), make=_away_from_zero)
    case("hardsigmoid", "wide", lambda a: ops.hardsigmoid(a * 4), (3, 4), make=_away_from_zero)
    case("hardswish", "wide", lambda a: ops.hardswish(a * 4), (3, 4), make=_away_from_zero)
    case("threshold", "value", lambda a: ops.threshold(a, 0.1, 20.0), (3, 4),
         make=_away_from_zero)
    case("threshold", "0-d", lambda a: ops.threshold(a, -0.1, -2.0), (), make=_away_from_zero)

    # two operands: broadcasting, size-1 dims, scalars, 0-d
    case("atan2", "broadcast", ops.atan2, (2, 3), (3,), make=_away_from_zero)
    case("atan2", "size1-method", lambda a, b: a.atan2(b), (2, 1), (1, 3),
         make=_away_from_zero)
    case("atan2", "0-d-scalar", lambda a: ops.atan2(a, 0.7), (), make=_away_from_zero)
    case("hypot", "broadcast", ops.hypot, (2, 3), (2, 1), make=_away_from_zero)
    case("hypot", "0-d", ops.hypot, (), (3,), make=_away_from_zero)
    case("lerp", "tensor-weight", ops.lerp, (2, 3), (3,), (2, 1))
    case("lerp", "scalar-weight", lambda a, b: ops.lerp(a, b, 0.7), (3,), (2, 3))
    case("lerp", "0-d", lambda a, b: a.lerp(b, 0.25), (), ())
    case("copysign", "broadcast", ops.copysign, (2, 3), (3,), make=_away_from_zero)
    case("copysign", "scalar", lambda a: ops.copysign(a, -1.0), (4,), make=_away_from_zero)
    # a·2 in [0.4, 3] over b + 2.5 in [2.7, 4] (b > 0.2): a/b stays off the integers
    case("fmod", "broadcast", lambda a, b: ops.fmod(a * -2 + 0.0, b + 2.5), (2, 3), (3,),
         make=_pos_small)
    case("fmod", "scalar", lambda a: ops.fmod(a * 2 + 3.2, 3.0), (4,), make=_pos_small)
    case("remainder", "broadcast", lambda a, b: ops.remainder(a * -2, b + 2.5), (2, 3),
         (2, 1), make=_pos_small)
    # div with rounding_mode: piecewise constant, zero gradient (quotients stay off integers)
    case("div_rounding", "floor-broadcast",
         lambda a, b: ops.div_rounding(a * -0.1, b + 2.5, rounding_mode="floor") + a, (2, 3),
         (3,), make=_pos_small)
    case("div_rounding", "trunc-method",
         lambda a, b: a.div(b + 2.5, rounding_mode="trunc") * b, (2, 1), (1, 3), make=_pos_small)
    case("div_rounding", "0-d-scalar", lambda a: ops.div_rounding(a, 7.0, rounding_mode="floor"),
         (), make=_pos_small)
    case("remainder", "0-d", lambda a, b: a.remainder(b + 2.5), (), (), make=_pos_small)


def _pos_small(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.2, 1.3, shape)


_register()
