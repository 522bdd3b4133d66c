"""Every error of the contract's "Errors" section: the right class, both shapes shown."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_matmul_shape_mismatch_shows_both_shapes() -> None:
    with pytest.raises((ValueError, RuntimeError), match=r"\(2, 3\).*\(4, 5\)"):
        ag.randn(2, 3) @ ag.randn(4, 5)


def test_broadcast_mismatch_shows_both_shapes() -> None:
    with pytest.raises((ValueError, RuntimeError), match=r"\(2, 3\).*\(4,\)"):
        ag.randn(2, 3) + ag.randn(4)
    with pytest.raises((ValueError, RuntimeError), match=r"\(3,\).*\(2,\)"):
        ag.randn(3) * ag.randn(2)


def test_reshape_mismatch_shows_both_shapes() -> None:
    with pytest.raises((ValueError, RuntimeError), match=r"\(4, 2\).*\(2, 3\)"):
        ag.randn(2, 3).reshape(4, 2)


def test_cat_mismatch_shows_shapes() -> None:
    with pytest.raises((ValueError, RuntimeError), match=r"\(2, 3\).*\(2, 4\)"):
        ag.cat([ag.randn(2, 3), ag.randn(2, 4)], 0)


def test_backward_on_non_scalar_without_gradient() -> None:
    with pytest.raises(RuntimeError):
        (ag.randn(3, requires_grad=True) * 2).backward()


def test_backward_on_a_tensor_that_needs_no_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).sum().backward()


def test_grad_on_an_unused_input() -> None:
    x, y = ag.randn(2, requires_grad=True), ag.randn(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        ag.grad(x.sum(), [x, y])


def test_requires_grad_on_ints() -> None:
    with pytest.raises(TypeError):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError):
        ag.arange(3).requires_grad_()


def test_dimension_out_of_range() -> None:
    with pytest.raises(IndexError):
        ag.randn(2, 3).sum(2)


def test_index_out_of_range_names_the_shape() -> None:
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        ag.randn(2, 3)[5]


def test_setitem_on_a_grad_tensor_is_refused_but_works_on_plain() -> None:
    t = ag.zeros(3)
    t[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]
    with pytest.raises(RuntimeError):
        ag.zeros(3, requires_grad=True)[0] = 1.0


def test_non_numeric_data() -> None:
    with pytest.raises(TypeError):
        ag.tensor(["a", "b"])


def test_where_and_pad_errors() -> None:
    with pytest.raises(ValueError, match=r"\(2,\)"):
        ag.where(np.array([True, False]), ag.randn(3), ag.randn(3))
    with pytest.raises(ValueError):
        ag.pad(ag.randn(2, 2), ((1, 1), (1, 1), (1, 1)))
