"""The layers and functions added for torch-parity (nn/modules/rmsnorm.py,
transformer_stack.py, padding.py, pixel.py, instance_norm.py, nn/margin_losses.py, ...)
against torch 2.13: values, dtypes, shapes and gradients of every call of spec_added.py
(inputs and the parameters set by ``fill``), torch's numbers written in
torch_values_added.py."""

from __future__ import annotations

import numpy as np
import pytest
from spec_added import SPEC, Kit, run
from torch_values_added import EXPECTED

import autograd as ag
import nn
import nn.functional as F


def _close(got, want, name) -> None:
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(want, dtype=float),
                               rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_matches_torch(name: str) -> None:
    got, want = run(Kit(ag, nn, F), name), EXPECTED[name]
    assert got["shapes"] == want["shapes"]
    assert got["dtypes"] == want["dtypes"]
    for g, w in zip(got["values"], want["values"], strict=True):
        _close(g, w, name)
    assert ("grads" in got) == ("grads" in want)
    for g, w in zip(got.get("grads", []), want.get("grads", []), strict=True):
        assert (g is None) == (w is None), name
        if w is not None:
            _close(g, w, name)


def test_every_spec_has_a_torch_answer() -> None:
    assert set(SPEC) == set(EXPECTED)
