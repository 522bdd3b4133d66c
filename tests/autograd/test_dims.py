"""Dimension arguments raise as torch's (issue 13, item 11). Expected exception classes and
messages are torch 2.13's for the same calls."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

X = ag.ones(2, 3)
Z = ag.tensor(1.0)  # 0-d: dims -1 and 0 are valid


def out_of_range(lo: int, hi: int, got: int) -> str:
    return (rf"Dimension out of range \(expected to be in range of \[{lo}, {hi}\], "
            rf"but got {got}\)")


@pytest.mark.parametrize(("call", "lo", "hi", "got"), [
    (lambda: ag.cat([X, X], 5), -2, 1, 5),
    (lambda: ag.cat([X, X], -3), -2, 1, -3),
    (lambda: ag.cat([X, X], 2), -2, 1, 2),
    (lambda: ag.stack([X, X], 3), -3, 2, 3),
    (lambda: ag.stack([X, X], -4), -3, 2, -4),
    (lambda: X.flatten(5), -2, 1, 5),
    (lambda: Z.flatten(1), -1, 0, 1),
    (lambda: X.squeeze(5), -2, 1, 5),
    (lambda: X.squeeze(-3), -2, 1, -3),
    (lambda: Z.squeeze(1), -1, 0, 1),
    (lambda: X.unsqueeze(3), -3, 2, 3),
    (lambda: X.unsqueeze(-4), -3, 2, -4),
    (lambda: X.transpose(5, 0), -2, 1, 5),
    (lambda: X.permute(2, 0), -2, 1, 2),
    (lambda: X.sum(5), -2, 1, 5),
    (lambda: X.mean(-3), -2, 1, -3),
    (lambda: X.var(5), -2, 1, 5),
    (lambda: X.std(5), -2, 1, 5),
    (lambda: X.logsumexp(5), -2, 1, 5),
    (lambda: X.max(5), -2, 1, 5),
    (lambda: X.min(-3), -2, 1, -3),
    (lambda: X.argmax(5), -2, 1, 5),
    (lambda: X.argmin(-3), -2, 1, -3),
    (lambda: X.softmax(5), -2, 1, 5),
    (lambda: X.log_softmax(-3), -2, 1, -3),
    (lambda: Z.sum(1), -1, 0, 1),
    (lambda: X.size(5), -2, 1, 5),
])
def test_out_of_range_dim_raises_torchs_index_error(call, lo, hi, got) -> None:
    with pytest.raises(IndexError, match=out_of_range(lo, hi, got)):
        call()


@pytest.mark.parametrize("call", [
    lambda: X.sum((0, 0)), lambda: X.sum((0, -2)), lambda: X.mean((0, 0)),
    lambda: X.var((1, -1)), lambda: X.std((0, 0)), lambda: X.logsumexp((0, 0)),
    lambda: ag.ones(1, 3).squeeze((0, 0)), lambda: Z.sum((0, 0)),
])
def test_repeated_dims_raise(call) -> None:
    with pytest.raises(RuntimeError, match=r"dim \d appears multiple times in the list of dims"):
        call()


def test_permute_and_flatten_errors_are_torchs() -> None:
    with pytest.raises(RuntimeError, match="duplicate dims are not allowed"):
        X.permute(0, 0)
    with pytest.raises(RuntimeError, match="number of dims don't match"):
        X.permute(0, 1, 2)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        X.flatten(1, 0)
    with pytest.raises(TypeError):
        X.sum(1.0)


def test_valid_edge_dims_work_as_torch() -> None:
    assert ag.stack([X, X], 2).shape == (2, 3, 2)
    assert X.unsqueeze(2).shape == (2, 3, 1) and X.unsqueeze(-3).shape == (1, 2, 3)
    assert X.permute(-1, 0).shape == (3, 2)
    assert Z.transpose(0, -1).shape == () and Z.squeeze(0).shape == ()
    assert Z.flatten(0, -1).shape == (1,) and Z.sum(0).shape == ()
    assert Z.argmax(0).item() == 0 and Z.max(0).indices.item() == 0
    # dim=() (or []) reduces every dimension, as torch
    assert X.sum(()).shape == () and X.sum(()).item() == 6.0
    assert X.mean([]).shape == ()
    assert X.size(-1) == 3
    with pytest.raises(IndexError, match="no dimensions"):
        Z.size(0)


def test_requires_grad_assignment_on_an_int_tensor_raises_like_requires_grad_() -> None:
    t = ag.tensor([1, 2])
    with pytest.raises(TypeError, match="floating"):
        t.requires_grad_()
    with pytest.raises(TypeError, match="floating"):
        t.requires_grad = True
    assert t.requires_grad is False
    f = ag.tensor([1.0])
    f.requires_grad = True
    assert f.requires_grad is True
    y = f * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    np.testing.assert_array_equal(y.detach().numpy(), [2.0])
