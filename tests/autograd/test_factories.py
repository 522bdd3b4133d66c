"""Deterministic factories (linspace, logspace, full_like, empty_like) and the module's
dtype names; expected values are torch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_linspace_matches_torch() -> None:
    t = ag.linspace(0, 1, 5)
    assert t.dtype == ag.float32 and t.numpy().tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # torch's symmetric float32 grid (its middle value is not exactly 0)
    assert ag.linspace(-1, 1, 7).numpy().tolist() == [
        -1.0, -0.6666666269302368, -0.3333333134651184, -2.9802322387695312e-08,
        0.3333333134651184, 0.6666666269302368, 1.0]
    assert ag.linspace(-3.3, 7.1, 11).numpy().tolist() == [
        -3.299999952316284, -2.259999990463257, -1.2200000286102295, -0.18000006675720215,
        0.8599998950958252, 1.9000000953674316, 2.940000057220459, 3.9800000190734863,
        5.019999980926514, 6.059999942779541, 7.099999904632568]
    assert ag.linspace(2, -1, 4, dtype=ag.float64).numpy().tolist() == [2.0, 1.0, 0.0, -1.0]
    assert ag.linspace(0, 10, 4, dtype=ag.int64).numpy().tolist() == [0, 3, 6, 10]
    assert ag.linspace(0, 10, 0).shape == (0,)
    assert ag.linspace(5, 7, 1).numpy().tolist() == [5.0]
    assert ag.linspace(0, 1, 3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ag.linspace(0, 1, -1)


def test_logspace_matches_torch() -> None:
    assert ag.logspace(-1.5, 2.2, 6).numpy().tolist() == [
        0.03162277489900589, 0.17378008365631104, 0.9549926519393921, 5.248075008392334,
        28.840316772460938, 158.4893341064453]
    assert ag.logspace(0, 3, 4, base=2.0).numpy().tolist() == [1.0, 2.0, 4.0, 8.0]
    t = ag.logspace(-2, 2, 5, dtype=ag.float64)
    assert t.dtype == ag.float64
    np.testing.assert_allclose(t.numpy(), [0.01, 0.1, 1.0, 10.0, 100.0], rtol=1e-15)
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.logspace(0, 1, -2)


def test_full_like_and_empty_like() -> None:
    i = ag.zeros(2, dtype=ag.int64)
    f = ag.full_like(i, 2.7)
    assert f.dtype == ag.int64 and f.numpy().tolist() == [2, 2]  # cast, as torch
    assert ag.full_like(ag.zeros(2), True).dtype == ag.float32
    assert ag.full_like(i, 1.5, dtype=ag.float64).numpy().tolist() == [1.5, 1.5]
    e = ag.empty_like(ag.zeros(3, 2, dtype=ag.float64))
    assert e.shape == (3, 2) and e.dtype == ag.float64


def test_dtype_names_are_torchs() -> None:
    expected = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
                "half": np.float16, "float": np.float32, "double": np.float64,
                "int64": np.int64, "long": np.int64, "int32": np.int32, "int": np.int32,
                "int16": np.int16, "int8": np.int8, "uint8": np.uint8, "bool": np.bool_}
    for name, dt in expected.items():
        assert np.dtype(getattr(ag, name)) == np.dtype(dt), name
    assert ag.zeros(2, dtype=ag.long).dtype == ag.int64
    assert ag.tensor([1, 0], dtype=ag.bool).dtype == ag.bool
    assert ag.ones(2).dtype == ag.float32
    # the cast methods that share these names keep working
    t = ag.tensor([1, 2])
    assert t.float().dtype == ag.float and t.double().dtype == ag.double
    assert ag.tensor([1.5]).long().dtype == ag.long
    assert "int" not in ag.__all__ and "float32" in ag.__all__


def test_range_is_torchs_deprecated_inclusive_arange() -> None:
    with pytest.warns(UserWarning, match="torch.range is deprecated and will be removed in a "
                                         "future release"):
        r = ag.range(0, 3)
    assert r.dtype == ag.float32 and r.numpy().tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.warns(UserWarning):
        assert ag.range(0, 1, 0.3).numpy().tolist() == pytest.approx([0.0, 0.3, 0.6, 0.9])
        assert ag.range(5, 1, -2).numpy().tolist() == [5.0, 3.0, 1.0]
        assert ag.range(0, 3, dtype=ag.int64).numpy().tolist() == [0, 1, 2, 3]
        assert ag.range(1, 2, 0.5, dtype=ag.float64).numpy().tolist() == [1.0, 1.5, 2.0]
        assert ag.range(0, 3, requires_grad=True).requires_grad
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            ag.range(0, 3, 0)
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent "
                                               "with step sign"):
            ag.range(3, 0)
    with pytest.raises(TypeError, match="missing 1 required positional arguments: \"end\""):
        ag.range(3)
    namespace: dict = {}
    exec("from autograd import *; r = range(3)", namespace)  # noqa: S102
    assert namespace["r"] == range(3)  # a star-import leaves the builtin alone


def test_asarray_shares_where_it_can_as_torchs() -> None:
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    y = t * 2
    assert ag.asarray(y) is y and ag.asarray(t) is t  # torch 2.13: the same tensor
    c = ag.asarray(y, copy=True)
    assert c is not y and c.grad_fn is not None  # a recorded copy
    n = np.array([1.0, 2.0])
    d = ag.asarray(n)
    n[0] = 9.0
    assert d.tolist() == [9.0, 2.0] and d.dtype == ag.float64  # shared
    with pytest.raises(ValueError, match="can't alias tensor with dtype 'Double' into dtype "
                                         "'Float'."):
        ag.asarray(n, dtype=ag.float32, copy=False)
    assert ag.asarray(n, copy=True)._data is not n
    # torch's dtypes for Python data
    assert [ag.asarray(v).dtype for v in ([1, 2.5], 3, [True], [np.float64(2.0)])] == [
        ag.float32, ag.int64, ag.bool, ag.float64]
    assert ag.asarray([1.0, 2.0], requires_grad=True).requires_grad


def test_top_level_in_place_forms_and_fill() -> None:
    x = ag.tensor([-1.5, 2.0])
    assert ag.abs_(x) is x and x.tolist() == [1.5, 2.0]
    assert ag.clamp_(ag.tensor([-3.0, 3.0]), -1, 1).tolist() == [-1.0, 1.0]
    assert ag.zero_(ag.ones(2)).tolist() == [0.0, 0.0]
    z = ag.zeros(3, 2)
    assert ag.index_put_(z, (ag.tensor([1]),), ag.tensor(7.0)) is z
    assert ag.index_put(z, (ag.tensor([0, 2]),), ag.tensor(5.0)).tolist() == [
        [5.0, 5.0], [7.0, 7.0], [5.0, 5.0]]
    assert z.tolist() == [[0.0, 0.0], [7.0, 7.0], [0.0, 0.0]]  # out of place
    v = ag.tensor(5.0, requires_grad=True)
    f = ag.fill(ag.zeros(2), v)
    f.sum().backward()
    assert f.tolist() == [5.0, 5.0] and v.grad.item() == 2.0  # torch's FillBackward


def test_arange_int64_truncates_its_bounds_before_counting_as_torchs() -> None:
    # torch 2.13's results (int32 and the float dtypes count from the float bounds)
    assert ag.arange(0, 4.5, dtype=ag.int64).tolist() == [0, 1, 2, 3]
    assert ag.arange(-2.5, 3, 1, dtype=ag.int64).tolist() == [-2, -1, 0, 1, 2]
    assert ag.arange(5, 0.5, -1.5, dtype=ag.int64).tolist() == [5, 4, 3, 2, 1]
    assert ag.arange(2.7, 9.1, 2.2, dtype=ag.int64).tolist() == [2, 4, 6, 8]
    assert ag.arange(0.5, dtype=ag.int64).tolist() == []
    assert ag.arange(1, 2.5, 0.5, dtype=ag.int32).tolist() == [1, 1, 1]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ag.arange(0, 4.5, 0.5, dtype=ag.int64)


def test_negative_ints_wrap_into_unsigned_types_as_torchs() -> None:
    # c10's overflow rule: an unsigned type takes ints down to -max; floats and larger
    # values raise
    assert ag.tensor([-2, True], dtype=ag.uint8).tolist() == [254, 1]
    assert ag.tensor([-255], dtype=ag.uint8).tolist() == [1]
    assert ag.full((2,), -2, dtype=ag.uint8).tolist() == [254, 254]
    assert ag.full((1,), 2.7, dtype=ag.int64).tolist() == [2]
    for bad in ([300], [-256], [-2.5]):
        with pytest.raises(RuntimeError, match="without overflow"):
            ag.tensor(bad, dtype=ag.uint8)
    with pytest.raises(RuntimeError, match="without overflow"):
        ag.full((2,), -2.5, dtype=ag.uint8)
    assert ag.tensor([-2.5], dtype=ag.int8).tolist() == [-2]


def test_shape_and_size_are_torch_sizes() -> None:
    # what torch 2.13 prints and returns for the same expressions
    x = ag.ones(2, 3, 4)
    s = x.shape
    assert repr(s) == str(s) == f"{s}" == "torch.Size([2, 3, 4])"
    assert repr(x.size()) == "torch.Size([2, 3, 4])" and x.size(1) == 3
    assert repr(ag.ones(()).shape) == "torch.Size([])"
    assert repr(s[1:]) == "torch.Size([3, 4])" and type(s[0]) is int
    assert repr(s + (1,)) == "torch.Size([2, 3, 4, 1])"
    assert repr((1,) + s) == "torch.Size([1, 2, 3, 4])"
    assert repr(s * 2) == "torch.Size([2, 3, 4, 2, 3, 4])"
    assert s == (2, 3, 4) and hash(s) == hash((2, 3, 4)) and list(s) == [2, 3, 4]
    assert s.numel() == 24 and isinstance(s, ag.Size) and isinstance(s, tuple)
    assert ag.zeros(s).shape == s and np.zeros(s).shape == (2, 3, 4)
