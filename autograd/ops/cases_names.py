"""Registry cases (first and second order) for the compositions of ``ops.torch_names``:
amax/amin, nansum/nanmean, logaddexp, Tensor.unfold, diff, hstack and meshgrid. amax's
tie splitting is checked against torch's numbers in tests/autograd/test_torch_names.py
(at a tie, finite differences see one side only)."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.ops.case_registry import _distinct, case

# NaNs put in by the function (finite differences of a NaN input are NaN): every third
# (a tensor made inside the case, so that it lands on the device the case runs on)
NANS = np.arange(12).reshape(2, 6) % 3 == 0


def _nans(a: ag.Tensor) -> ag.Tensor:
    return a.masked_fill(ag.tensor(NANS), np.nan)


def _register() -> None:
    case("amax", "dim", lambda a: ag.amax(a, 1) ** 2, (3, 4), make=_distinct)
    case("amax", "all", lambda a: ag.amax(a * a, (0, 1)), (3, 4), make=_distinct)
    case("amin", "keepdim", lambda a: (ag.amin(a, 0, keepdim=True) * a).sum(), (3, 2),
         make=_distinct)
    case("nansum", "dim", lambda a: ag.nansum(_nans(a), 1) ** 2, (2, 6))
    case("nanmean", "all", lambda a: ag.nanmean(_nans(a)) ** 2, (2, 6))
    case("logaddexp", "broadcast", lambda a, b: ag.logaddexp(a, b) ** 2, (2, 3), (3,))
    case("unfold", "windows", lambda a: a.unfold(1, 3, 2) ** 2, (2, 7))
    case("diff", "second-prepend", lambda a, b: ag.diff(a, 2, 0, prepend=b) ** 2, (3, 2),
         (1, 2))
    case("hstack", "mixed", lambda a, b: ag.hstack([a, b]) ** 2, (2, 1), (2, 3))
    case("meshgrid", "xy", lambda a, b: ag.meshgrid(a, b, indexing="xy")[0] * ag.meshgrid(
        a, b, indexing="xy")[1], (3,), (2,))


_register()
