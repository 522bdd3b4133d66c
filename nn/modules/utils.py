"""``torch.nn.modules.utils``' argument helpers, for layers written against them:
``_pair(3)`` is ``(3, 3)``, ``_pair((1, 2))`` is ``(1, 2)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__: list = []


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    """A parser giving an iterable as a tuple and anything else repeated n times."""

    def parse(x: Any) -> tuple:
        return tuple(x) if isinstance(x, Iterable) else (x,) * n

    parse.__name__ = parse.__qualname__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t: tuple, n: int) -> tuple:
    """Each element of ``t`` repeated n times, in reverse order (F.pad's order from a
    layer's per-dimension padding): (1, 2) with n = 2 is (2, 2, 1, 1)."""
    return tuple(x for x in reversed(t) for _ in range(n))
