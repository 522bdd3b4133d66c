"""The gradcheck registry itself: what a case is, the list of cases and how to add one.

``autograd/ops/cases.py`` (and the op families' ``cases_*.py``, and ``nn/cases.py``) fill
:data:`CASES` through :func:`case`; the tests and ``chainrule gradcheck`` run them.
The helpers ``_positive``, ``_away_from_zero`` and ``_distinct`` make inputs that keep
finite differences away from kinks and ties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.factories import tensor


@dataclass(frozen=True)
class OpCase:
    """``fn`` applied to float64 tensors of ``shapes`` (all requiring grad).

    ``make`` may replace random normal inputs (e.g. positive values for log);
    ``second_order=False`` skips gradgradcheck where the second derivative is not
    defined by finite differences (kinks are avoided by the inputs instead).
    """

    op: str
    label: str
    fn: Callable
    shapes: tuple
    make: Callable[[np.random.Generator, tuple], np.ndarray] | None = None
    second_order: bool = True
    atol: float = 1e-5
    rtol: float = 1e-3
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.op}[{self.label}]"

    def inputs(self, seed: int = 0) -> tuple:
        rng = np.random.default_rng(seed)
        out = []
        for shape in self.shapes:
            arr = self.make(rng, shape) if self.make else rng.standard_normal(shape)
            out.append(tensor(np.asarray(arr, dtype=np.float64), requires_grad=True))
        return tuple(out)


CASES: list[OpCase] = []


def case(op: str, label: str, fn: Callable, *shapes: tuple, **kw: Any) -> None:
    """Register an example for ``op``."""
    CASES.append(OpCase(op, label, fn, tuple(shapes), **kw))


def _positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.5, 2.0, shape)


def _away_from_zero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # |x| ≥ 0.2 with random signs: kinks at 0 (abs, relu) stay farther than ε away.
    return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # A permutation of well-separated values: max/min have a unique winner.
    n = int(np.prod(shape)) if shape else 1
    return (rng.permutation(n).reshape(shape) * 0.37 + 0.1).astype(np.float64)
