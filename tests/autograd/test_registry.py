"""gradcheck and gradgradcheck over every registered op case (the registry of
autograd/ops/cases.py), and the check that every public op has a case."""

from __future__ import annotations

import pytest

import autograd as ag
from autograd.ops import PUBLIC_OPS
from autograd.ops.cases import CASES

# nn registers its layers' cases too (named "nn.…"); tests/nn runs those.
AUTOGRAD_CASES = [c for c in CASES if not c.op.startswith("nn.")]


def test_every_public_op_has_a_case() -> None:
    covered = {c.op for c in CASES}
    missing = sorted(set(PUBLIC_OPS) - covered)
    assert not missing, f"ops without a gradcheck case: {missing}"


def test_every_public_op_is_exported() -> None:
    for name in PUBLIC_OPS:
        assert hasattr(ag.ops, name), name


@pytest.mark.parametrize("case", AUTOGRAD_CASES, ids=lambda c: c.id)
def test_gradcheck(case) -> None:
    assert ag.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in AUTOGRAD_CASES if c.second_order],
                         ids=lambda c: c.id)
def test_gradgradcheck(case) -> None:
    assert ag.gradgradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)
