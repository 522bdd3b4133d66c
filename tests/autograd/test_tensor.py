"""Tensor construction, dtype rules, attributes, conversions and factories."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2], [3, 4]], np.int64), (3, np.int64),
    ([1, 2.5], np.float32), (np.array([1.0, 2.0]), np.float64),
    (np.array([1, 2], dtype=np.int32), np.int32), (True, np.bool_),
    (np.float64(2.0), np.float64),
])
def test_dtype_rules(data, dtype) -> None:
    assert Tensor(data).dtype == dtype
    assert ag.tensor(data).dtype == dtype


def test_explicit_dtype_and_tensor_input() -> None:
    t = ag.tensor([1, 2], dtype=np.float64)
    assert t.dtype == np.float64
    u = Tensor(t)
    assert u.dtype == np.float64 and u._data is not t._data


def test_tensor_copies_and_from_numpy_shares() -> None:
    a = np.zeros(3, dtype=np.float32)
    t = ag.tensor(a)
    s = ag.from_numpy(a)
    a[0] = 5
    assert t._data[0] == 0 and s._data[0] == 5
    with pytest.raises(TypeError):
        ag.from_numpy([1, 2])


def test_requires_grad_on_non_float_raises_type_error() -> None:
    with pytest.raises(TypeError, match="floating"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError):
        ag.tensor([1, 2]).requires_grad_()
    with pytest.raises(TypeError):
        ag.zeros(2, dtype=np.int64, requires_grad=True)


def test_attributes() -> None:
    t = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert t.shape == (2, 3) and isinstance(t.shape, tuple)
    assert t.ndim == 2 and t.dim() == 2 and t.numel() == 6
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.is_leaf and t.grad_fn is None and t.grad is None
    assert t.T.shape == (3, 2)
    y = t * 2
    assert not y.is_leaf and type(y.grad_fn).__name__ == "MulBackward"
    assert type((t @ t.T).grad_fn).__name__ == "MatMulBackward"
    assert ag.tensor([1.0]).is_leaf


def test_conversions() -> None:
    t = ag.tensor([[1.0, 2.0]])
    assert isinstance(t.numpy(), np.ndarray)
    assert t.tolist() == [[1.0, 2.0]]
    assert ag.tensor(3.5).item() == 3.5
    np.testing.assert_array_equal(np.asarray(t), [[1.0, 2.0]])
    assert t.double().dtype == np.float64 and t.float().dtype == np.float32
    assert t.long().dtype == np.int64 and t.astype(np.float64).dtype == np.float64
    assert float(ag.tensor(2.0)) == 2.0 and int(ag.tensor(3)) == 3
    with pytest.raises(RuntimeError):
        ag.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="detach"):
        ag.tensor([1.0], requires_grad=True).numpy()


def test_repr_like_torch() -> None:
    assert repr(ag.tensor([1.0, 2.0], requires_grad=True)) == \
        "tensor([1., 2.], requires_grad=True)"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor(np.array([1.0]))) == "tensor([1.], dtype=torch.float64)"
    assert repr(ag.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<MulBackward0>)"


def test_numpy_array_on_the_left_gives_a_tensor() -> None:
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    for out in (np.array([1.0, 1.0]) + t, np.array([2.0, 2.0]) * t,
                np.array([3.0, 3.0]) - t, np.array([4.0, 4.0]) / t):
        assert isinstance(out, Tensor) and out.requires_grad


def test_comparisons_give_bool_tensors_without_grad() -> None:
    t = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out in (t < 2, t <= 2, t > 2, t >= 2, t == 2, t != 2):
        assert isinstance(out, Tensor) and out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal((t > 1.5)._data, [False, True, True])


def test_factories() -> None:
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).dtype == np.float32
    assert ag.ones(4)._data.sum() == 4
    assert ag.full((2,), 3).dtype == np.int64 and ag.full((2,), 3.0).dtype == np.float32
    assert ag.empty(3, dtype=np.float64).dtype == np.float64
    assert ag.randn(2, 3, requires_grad=True).requires_grad
    r = ag.rand(1000)
    assert r._data.min() >= 0 and r._data.max() < 1
    assert ag.arange(5).dtype == np.int64 and ag.arange(0, 1, 0.25).dtype == np.float32
    assert ag.arange(1, 4).tolist() == [1, 2, 3]
    assert ag.eye(3)._data.trace() == 3
    x = ag.tensor(np.zeros((2, 2)))
    assert ag.zeros_like(x).dtype == np.float64 and ag.ones_like(x)._data.sum() == 4
    assert ag.randn_like(x).shape == (2, 2)


def test_manual_seed_repeats_draws() -> None:
    ag.manual_seed(7)
    a = ag.randn(5)._data.copy()
    ag.manual_seed(7)
    np.testing.assert_array_equal(a, ag.randn(5)._data)


def test_len_iter_bool() -> None:
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert len(t) == 2
    rows = list(t)
    assert rows[1].tolist() == [3.0, 4.0] and rows[1].requires_grad
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    assert bool(ag.tensor([1.0]))


def test_tensors_are_hashable_by_identity() -> None:
    a, b = ag.tensor([1.0]), ag.tensor([1.0])
    assert len({a, b}) == 2


def test_assigning_grad_checks_type_dtype_device_and_size_as_torch(double_device) -> None:
    # torch 2.13's messages; the assignment is refused and .grad keeps what it held
    p = ag.zeros(3, 4, requires_grad=True)
    p.grad = ag.ones(3, 4)
    with pytest.raises(TypeError, match="expected to be a Tensor or None but got grad of "
                                        "type int"):
        p.grad = 3
    with pytest.raises(RuntimeError, match="gradient with dtype 'double' to a tensor with "
                                           "grad_dtype 'Float'"):
        p.grad = ag.ones(4, 3, dtype=ag.float64)  # the dtype is checked before the size
    with pytest.raises(RuntimeError, match="gradient of size '\\[4, 3\\]' to a tensor of "
                                           "size '\\[3, 4\\]'"):
        p.grad = ag.ones(4, 3)
    with pytest.raises(RuntimeError, match="device type 'double' to a tensor with device "
                                           "type 'cpu'"):
        p.grad = ag.ones(3, 4).to(double_device)
    assert np.array_equal(p.grad.numpy(), np.ones((3, 4), np.float32))
    p.grad = None
    assert p.grad is None
    q = ag.zeros(3, dtype=ag.int64)  # no requires_grad needed, any dtype that matches
    q.grad = ag.zeros(3, dtype=ag.int64)
