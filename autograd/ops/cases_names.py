"""Registry cases (first and second order) for the compositions of ``ops.torch_names``:
logaddexp, Tensor.unfold, hstack and meshgrid."""

from __future__ import annotations

import autograd as ag
from autograd.ops.case_registry import case


def _register() -> None:
    case("logaddexp", "broadcast", lambda a, b: ag.logaddexp(a, b) ** 2, (2, 3), (3,))
    case("unfold", "windows", lambda a: a.unfold(1, 3, 2) ** 2, (2, 7))
    case("hstack", "mixed", lambda a, b: ag.hstack([a, b]) ** 2, (2, 1), (2, 3))
    case("meshgrid", "xy", lambda a, b: ag.meshgrid(a, b, indexing="xy")[0] * ag.meshgrid(
        a, b, indexing="xy")[1], (3,), (2,))


_register()
