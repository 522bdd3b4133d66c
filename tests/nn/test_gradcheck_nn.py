"""gradcheck and gradgradcheck over nn's registered cases (nn/cases.py): every
differentiable functional form and every layer, in float64."""

from __future__ import annotations

import inspect

import pytest

import autograd as ag
import nn
import nn.cases  # noqa: F401 - registers the cases
import nn.functional as F
from autograd.ops.cases import CASES

NN_CASES = [c for c in CASES if c.op.startswith("nn.")]
LAYERS = sorted(
    name for name in nn.__all__
    if inspect.isclass(getattr(nn, name)) and issubclass(getattr(nn, name), nn.Module)
    # the base classes and containers with no forward (RNNCellBase: its cells have)
    and name not in ("Module", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList",
                     "RNNCellBase")
)


def test_every_differentiable_functional_form_has_a_case() -> None:
    covered = {c.op for c in NN_CASES}
    missing = [n for n in F.DIFFERENTIABLE if f"nn.functional.{n}" not in covered]
    assert not missing, f"nn.functional forms without a gradcheck case: {missing}"
    for name in F.DIFFERENTIABLE:
        assert callable(getattr(F, name)), name


def test_every_layer_has_a_case() -> None:
    covered = {c.op for c in NN_CASES}
    missing = [n for n in LAYERS if f"nn.{n}" not in covered]
    assert not missing, f"layers without a gradcheck case: {missing}"
    assert "Conv2d" in LAYERS and "CrossEntropyLoss" in LAYERS  # the scan itself works


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in NN_CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", NN_CASES, ids=lambda c: c.id)
def test_gradcheck(case) -> None:
    assert ag.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in NN_CASES if c.second_order], ids=lambda c: c.id)
def test_gradgradcheck(case) -> None:
    assert ag.gradgradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)
