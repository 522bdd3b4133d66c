"""Registry cases for the assembled tensors and the trapezoid rule (``ops/assemble.py``):
compositions, checked through the ops they are made of."""

from __future__ import annotations

from autograd import ops
from autograd.ops.case_registry import case


def _register() -> None:
    case("combinations", "r=2", lambda a: ops.combinations(a) * 1.5, (4,))
    case("combinations", "replacement-r=3",
         lambda a: ops.combinations(a, 3, with_replacement=True).prod(-1), (3,))
    case("cartesian_prod", "three", lambda a, b, c: ops.cartesian_prod(a, b, c) ** 2, (3,),
         (2,), (2,))
    case("block_diag", "mixed", lambda a, b, c: ops.block_diag(a, b, c) ** 2, (2, 3), (),
         (2,))
    case("vander", "default", lambda a: ops.vander(a), (3,))
    case("vander", "N-increasing", lambda a: ops.vander(a, 5, increasing=True), (4,))
    case("trapezoid", "dx", lambda a: ops.trapezoid(a * a, dx=0.5), (3, 4))
    case("trapezoid", "x-1d-dim0", lambda a, x: ops.trapezoid(a * a, x, dim=0), (4, 2), (4,))
    case("trapezoid", "x-full", lambda a, x: ops.trapezoid(a, x * x), (2, 5), (2, 5))
    case("cumulative_trapezoid", "dx", lambda a: ops.cumulative_trapezoid(a * a, dx=2.0),
         (2, 4))
    case("cumulative_trapezoid", "x-1d", lambda a, x: ops.cumulative_trapezoid(a, x * x),
         (3, 4), (4,))


_register()
