"""Registry cases for the gamma family (``ops/gamma.py``): lgamma, digamma, polygamma,
mvlgamma, zeta. Inputs stay away from the poles at 0 and the negative integers (a
fraction in [0.2, 0.8] off an integer), where finite differences would see no derivative."""

from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.ops.case_registry import case
from autograd.tensor import Tensor


def _off_poles(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # k + f, k in −3..3 and f in [0.2, 0.8]: both signs, never near a pole
    return rng.integers(-3, 4, shape) + rng.uniform(0.2, 0.8, shape)


def _above(lo: float):
    def make(rng: np.random.Generator, shape: tuple) -> np.ndarray:
        return rng.uniform(lo, lo + 4, shape)
    return make


def _register() -> None:
    for name, fn in (("lgamma", ops.lgamma), ("digamma", ops.digamma)):
        case(name, "matrix", fn, (2, 3), make=_off_poles)
        case(name, "0-d", fn, (), make=_above(0.3))
    case("lgamma", "method-large", lambda a: (a * 10).lgamma(), (4,), make=_above(1.5))
    case("digamma", "method-large", lambda a: (a * 10).digamma(), (4,), make=_above(1.5))
    for n in (0, 1, 2, 3):
        case("polygamma", f"n={n}", lambda a, n=n: ops.polygamma(n, a), (2, 3),
             make=_off_poles, rtol=2e-3)
    case("polygamma", "method-0-d", lambda a: a.polygamma(2), (), make=_above(0.5))
    case("mvlgamma", "p=1", lambda a: ops.mvlgamma(a, 1), (3,), make=_above(0.3))
    case("mvlgamma", "p=3-matrix", lambda a: a.mvlgamma(3), (2, 3), make=_above(1.3))
    case("zeta", "q", lambda q: ops.zeta(Tensor(np.array([2.0, 3.5, 5.0])), q), (2, 3),
         make=_above(0.5))
    case("zeta", "q-scalar-x", lambda q: ops.zeta(3.0, q), (), make=_above(0.5))


_register()
