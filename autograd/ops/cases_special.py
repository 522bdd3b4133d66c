"""Registry cases for torch.special's own functions (``ops/special.py``'s erfcx,
``ops/gaussian.py``, ``ops/information.py``) and for quantile/nanquantile
(``ops/quantile.py``): each inside its domain and away from its kinks (x = 0 for xlogy's
first operand, the clamp ends of logit with eps; distinct values for the quantiles, so
that no tie moves under a finite-difference step)."""

from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.ops.case_registry import _away_from_zero, _distinct, _positive, case
from autograd.tensor import Tensor


def _unit(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.05, 0.95, shape)


def _register() -> None:
    case("erfcx", "matrix", ops.erfcx, (2, 3))
    case("erfcx", "wide", lambda a: ops.erfcx(a * 8), (5,), make=_away_from_zero)
    case("erfcx", "0-d", ops.erfcx, ())
    case("ndtr", "matrix", ops.ndtr, (2, 3))
    case("ndtr", "0-d", lambda a: ops.ndtr(a * 3), ())
    case("log_ndtr", "matrix", ops.log_ndtr, (2, 3))
    case("log_ndtr", "tail", lambda a: ops.log_ndtr(a * -4), (4,), make=_positive)
    case("ndtri", "matrix", ops.ndtri, (2, 3), make=_unit)
    case("ndtri", "0-d", ops.ndtri, (), make=_unit)
    case("xlogy", "broadcast", ops.xlogy, (2, 3), (3,), make=_positive)
    case("xlogy", "method-size1", lambda a, b: a.xlogy(b), (2, 1), (1, 3), make=_positive)
    case("xlogy", "scalar", lambda a: ops.xlogy(a, 2.5), (4,), make=_away_from_zero)
    case("xlogy", "scalar-self", lambda b: ops.xlogy(1.5, b), (4,), make=_positive)
    case("xlog1py", "broadcast", ops.xlog1py, (2, 3), (2, 1), make=_positive)
    case("xlog1py", "0-d", ops.xlog1py, (), (), make=_positive)
    case("entr", "matrix", ops.entr, (2, 3), make=_positive)
    case("entr", "0-d", ops.entr, (), make=_positive)
    case("logit", "matrix", ops.logit, (2, 3), make=_unit)
    case("logit", "eps-method", lambda a: (a * 1.2 - 0.1).logit(eps=0.02), (6,), make=_unit)
    case("sinc", "matrix", ops.sinc, (2, 3))
    case("sinc", "method-0-d", lambda a: a.sinc(), ())
    for name in ("i0", "i0e", "i1", "i1e"):
        fn = getattr(ops, name)
        case(name, "matrix", fn, (2, 3), make=_away_from_zero)
        case(name, "wide", lambda a, fn=fn: fn(a * 9), (6,), make=_away_from_zero)
        case(name, "0-d", fn, ())
    case("i0", "method", lambda a: a.i0(), (3,))

    q = Tensor(np.array([0.1, 0.5, 0.85]))
    case("quantile", "all", lambda a: ops.quantile(a, 0.3), (3, 4), make=_distinct)
    case("quantile", "dim-q-tensor", lambda a: a.quantile(q, dim=1, keepdim=True), (3, 5),
         make=_distinct)
    case("quantile", "midpoint", lambda a: ops.quantile(a, 0.4, 0, interpolation="midpoint"),
         (5, 2), make=_distinct)
    case("quantile", "lower-0-d", lambda a: ops.quantile(a, 0.7, interpolation="lower"), (),
         make=_distinct)
    case("nanquantile", "dim", lambda a: ops.nanquantile(a, q, dim=-1), (2, 6),
         make=_distinct)
    case("nanquantile", "nearest", lambda a: a.nanquantile(0.45, interpolation="nearest"),
         (7,), make=_distinct)


_register()
