"""Predicates, truth reductions, logical and integer operators, rounding division and
counting (issue 15, part B), against torch 2.13's results (written in)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag


def test_floor_division_and_remainder_follow_python_as_torch() -> None:
    x = ag.tensor([-3.5, -1.0, 2.5, 7.0])
    assert (x // 2).tolist() == [-2.0, -1.0, 1.0, 3.0]
    assert (x % 2).tolist() == [0.5, 1.0, 0.5, 1.0]
    i = ag.tensor([-7, 7])
    assert (i // 2).tolist() == [-4, 3] and (i // 2).dtype == np.int64
    assert (i % 3).tolist() == [2, 1]
    assert (7 // ag.tensor([2, -2])).tolist() == [3, -4]
    assert (7 % ag.tensor([2, -2])).tolist() == [1, -1]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        i // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        i % ag.tensor([1, 0])


def test_div_rounding_modes() -> None:
    i = ag.tensor([-7, 7])
    assert ag.div(i, 2, rounding_mode="trunc").tolist() == [-3, 3]
    assert ag.div(i, 2, rounding_mode="floor").tolist() == [-4, 3]
    assert ag.div(i, 2, rounding_mode="trunc").dtype == np.int64
    x = ag.tensor([-3.5, -1.0, 2.5, 7.0], requires_grad=True)
    y = x.div(2, rounding_mode="trunc")
    assert y.tolist() == [-1.0, -0.0, 1.0, 3.0] and y.dtype == np.float32
    (g,) = ag.grad(y.sum(), x)
    assert g.tolist() == [0.0] * 4  # torch: zero gradient through a rounded quotient
    assert ag.divide(x, 2).tolist() == [-1.75, -0.5, 1.25, 3.5]
    with pytest.raises(ValueError, match="rounding_mode"):
        ag.div(x, 2, rounding_mode="round")
    # trunc and floor differ only for negative inexact quotients
    a = ag.tensor([-9, -8, 9, 8, -1, 0])
    assert ag.div(a, ag.tensor([4, 4, -4, -4, 3, -3]), rounding_mode="trunc").tolist() == \
        [-2, -2, -2, -2, 0, 0]


def test_bitwise_operators() -> None:
    assert (~ag.tensor([True, False])).tolist() == [False, True]
    assert (~ag.tensor([5, -1])).tolist() == [-6, 0]
    assert (ag.tensor([5, 3]) & ag.tensor([3, 1])).tolist() == [1, 1]
    assert (ag.tensor([True]) | ag.tensor([False])).tolist() == [True]
    assert (ag.tensor([5]) ^ 1).tolist() == [4]
    assert (1 ^ ag.tensor([5])).tolist() == [4]
    assert (ag.tensor([1, 2]) << 2).tolist() == [4, 8]
    assert (ag.tensor([-8, 8]) >> 1).tolist() == [-4, 4]
    with pytest.raises(TypeError, match="integer and Boolean"):
        ~ag.tensor([1.0])
    with pytest.raises(NotImplementedError, match="bitwise_and"):
        ag.tensor([1.0]) & ag.tensor([1.0])


def test_all_any_with_dims_as_torch() -> None:
    m = ag.tensor([[1, 0], [1, 1]])
    assert ag.all(m, dim=1).tolist() == [False, True]
    assert m.all(dim=(0, 1)).tolist() is False
    assert ag.any(ag.tensor([[0.0, 0], [1, 0]]), 0, keepdim=True).tolist() == [[True, False]]
    assert ag.all(m).dtype == np.bool_ and ag.all(m).shape == ()
    u8 = ag.all(ag.tensor(np.array([1, 2], dtype=np.uint8)))
    assert u8.dtype == np.uint8 and u8.item() == 1
    assert m.any(axis=0, keepdims=True).shape == (1, 2)
    assert m.all(-1).tolist() == [False, True]
    with pytest.raises(IndexError, match="Dimension out of range"):
        ag.all(ag.tensor([1, 2]), dim=2)
    assert ag.any(ag.tensor(0.0)).item() is False


def test_predicates_and_closeness() -> None:
    a = ag.tensor([1.0, math.nan, math.inf])
    b = ag.tensor([1.0 + 1e-6, math.nan, math.inf])
    assert ag.isclose(a, b).tolist() == [True, False, True]
    assert a.isclose(b, equal_nan=True).tolist() == [True, True, True]
    assert ag.allclose(ag.tensor([1.0]), ag.tensor([1.00001])) is False
    assert ag.tensor([1.0]).allclose(ag.tensor([1.000001]))
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.isclose(ag.tensor([1.0]), ag.tensor(np.array([1.0])))
    assert ag.equal(ag.tensor([1, 2]), ag.tensor([1, 2, 3])) is False
    assert ag.equal(ag.tensor([1.0, 2]), ag.tensor([1, 2])) is True
    assert ag.isfinite(ag.tensor([1, 2])).tolist() == [True, True]
    assert ag.isinf(ag.tensor([-math.inf, 1.0])).tolist() == [True, False]
    assert a.isnan().tolist() == [False, True, False]
    assert ag.logical_xor(ag.tensor([0.0, 1.0]), ag.tensor([2, 0])).tolist() == [True, True]
    assert ag.logical_and(ag.tensor([1, 1, 0]), 1).tolist() == [True, True, False]
    assert ag.logical_not(ag.tensor([0.0, 2.0])).tolist() == [True, False]
    assert ag.logical_or(ag.tensor([0, 0]), ag.tensor([0, 3])).tolist() == [False, True]
    x = ag.tensor([1.0, 2.0, 3.0])
    assert ag.eq(x, 2.0).tolist() == [False, True, False] and x.ge(2).tolist() == [False, True,
                                                                                    True]
    assert ag.lt(x, ag.tensor([2.0])).tolist() == [True, False, False]
    assert x.ne(1.0).tolist() == [False, True, True] and ag.greater(x, 2).tolist()[2]


def test_bincount() -> None:
    i = ag.tensor([0, 1, 1, 3])
    assert ag.bincount(i).tolist() == [1, 2, 0, 1] and ag.bincount(i).dtype == np.int64
    w = ag.bincount(i, weights=ag.tensor([0.5, 1.0, 2.0, 3.0]), minlength=6)
    assert w.tolist() == [0.5, 3.0, 0.0, 3.0, 0.0, 0.0] and w.dtype == np.float32
    assert ag.bincount(ag.tensor(np.array([], dtype=np.int64))).tolist() == []
    with pytest.raises(RuntimeError, match="1-d non-negative"):
        ag.bincount(ag.tensor([-1, 2]))
    with pytest.raises(RuntimeError, match="derivative for 'bincount'"):
        ag.bincount(i, weights=ag.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True))
    with ag.no_grad():
        ag.bincount(i, weights=ag.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True))


def test_histc_and_histogram_as_torch() -> None:
    x = ag.tensor([-3.5, -1.0, 2.5, 7.0], requires_grad=True)
    h = ag.histc(x, bins=4, min=-4, max=8)
    assert h.tolist() == [1.0, 1.0, 1.0, 1.0] and not h.requires_grad  # as torch
    assert ag.histc(ag.tensor([1.0, 2.0, 1.0]), bins=4).tolist() == [2.0, 0.0, 0.0, 1.0]
    assert ag.histc(ag.tensor([2.0, 2.0]), bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]
    assert ag.histc(ag.tensor([0.5, 9.0, -1.0]), bins=2, min=0, max=1).tolist() == [0.0, 1.0]
    with pytest.raises(RuntimeError, match="floating-point"):
        ag.histc(ag.tensor([1, 2]))
    hist, edges = ag.histogram(ag.tensor([1.0, 2.0, 1.0, 5.5]), bins=4, range=(0.0, 6.0))
    assert hist.tolist() == [2.0, 1.0, 0.0, 1.0]
    assert edges.tolist() == [0.0, 1.5, 3.0, 4.5, 6.0]
    r = ag.histogram(ag.tensor([1.0, 2.0, 1.0, 5.5]), bins=ag.tensor([0.0, 1.0, 2.5, 6.0]),
                     weight=ag.tensor([1.0, 2.0, 3.0, 4.0]), density=True)
    np.testing.assert_allclose(r.hist.numpy(), [0.0, 0.4, 0.1142857], rtol=1e-6)
    assert r.bin_edges.tolist() == [0.0, 1.0, 2.5, 6.0]
    hist, edges = ag.histogram(ag.tensor([1.0, 2.0, 1.0, 5.5]), bins=3)
    assert hist.tolist() == [3.0, 0.0, 1.0] and edges.tolist() == [1.0, 2.5, 4.0, 5.5]


def test_float_division_by_zero_is_quiet_as_torch() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (ag.tensor([1.0, -1.0]) // 0).tolist() == [math.inf, -math.inf]
        assert ag.div(ag.tensor([1.0]), 0.0, rounding_mode="trunc").tolist() == [math.inf]
        assert math.isnan((ag.tensor([1.0]) % 0.0).item())
