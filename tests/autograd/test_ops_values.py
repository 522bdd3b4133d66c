"""Forward values and tie rules of the ops, against NumPy and torch's documented rules."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def arr(*shape):
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


def test_unary_values() -> None:
    a = arr(3, 4)
    t = ag.tensor(a)
    for name, ref in [("exp", np.exp), ("tanh", np.tanh), ("sin", np.sin), ("cos", np.cos),
                      ("abs", np.abs), ("relu", lambda v: np.maximum(v, 0)),
                      ("sigmoid", lambda v: 1 / (1 + np.exp(-v)))]:
        np.testing.assert_allclose(getattr(t, name)()._data, ref(a), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(t.leaky_relu(0.2)._data, np.where(a > 0, a, 0.2 * a))
    np.testing.assert_allclose(t.clamp(-0.5, 0.5)._data, np.clip(a, -0.5, 0.5))


def test_sigmoid_is_stable_for_large_inputs() -> None:
    out = ag.tensor([-1e4, 0.0, 1e4]).sigmoid()._data
    np.testing.assert_allclose(out, [0.0, 0.5, 1.0])
    assert np.isfinite(out).all()


def test_reductions() -> None:
    a = arr(2, 3, 4)
    t = ag.tensor(a)
    np.testing.assert_allclose(t.sum((0, 2))._data, a.sum((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(t.mean(-1, keepdim=True)._data, a.mean(-1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(t.var(1)._data, a.var(1, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(t.var(1, unbiased=False)._data, a.var(1), rtol=1e-5)
    np.testing.assert_allclose(t.std(correction=0)._data, a.std(), rtol=1e-5)
    np.testing.assert_allclose(t.logsumexp(2)._data, np.log(np.exp(a).sum(2)), rtol=1e-5)
    assert t.argmax().item() == a.argmax()
    np.testing.assert_array_equal(t.argmin(1)._data, a.argmin(1))


def test_max_with_dim_returns_values_and_first_index() -> None:
    t = ag.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    values, indices = t.max(1)
    assert values.tolist() == [3.0, 2.0] and indices.tolist() == [1, 0]
    assert indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(t.grad._data, [[0, 1, 0], [1, 0, 0]])
    r = t.min(dim=0, keepdim=True)
    assert r.values.shape == (1, 3) and r.indices.tolist() == [[0, 1, 1]]


def test_full_max_splits_ties_evenly() -> None:
    t = ag.tensor([1.0, 5.0, 5.0, 2.0], requires_grad=True)
    t.max().backward()
    np.testing.assert_allclose(t.grad._data, [0, 0.5, 0.5, 0])


def test_maximum_splits_ties_half_and_half() -> None:
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([3.0, 2.0, 1.0], requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad._data, [0, 0.5, 1])
    np.testing.assert_allclose(b.grad._data, [1, 0.5, 0])


def test_softmax_is_stable_for_huge_logits() -> None:
    t = ag.tensor([[1e4, 0.0, -1e4]])
    np.testing.assert_allclose(t.softmax(-1)._data, [[1, 0, 0]])
    ls = t.log_softmax(-1)._data
    assert np.isfinite(ls).all() and ls[0, 0] == 0


def test_indexing_follows_numpy() -> None:
    a = arr(4, 5)
    t = ag.tensor(a)
    for key in [1, (slice(None), 2), (slice(1, None, 2), slice(None, None, -1)), (None, ...),
                (Ellipsis, 0), np.array([3, 0, 3]), a > 0, (np.array([0, 1]), np.array([4, 2]))]:
        np.testing.assert_array_equal(t[key]._data, a[key])
    np.testing.assert_array_equal(t[ag.tensor([1, 2])]._data, a[[1, 2]])


def test_integer_index_gradient_accumulates_repeats() -> None:
    t = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t[np.array([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(t.grad._data, [3.0, 0.0, 1.0])


def test_shape_ops() -> None:
    t = ag.tensor(arr(2, 1, 3))
    assert t.squeeze().shape == (2, 3) and t.squeeze(1).shape == (2, 3)
    assert t.squeeze(0).shape == (2, 1, 3)  # not size 1: unchanged, as torch
    assert t.unsqueeze(0).shape == (1, 2, 1, 3) and t.unsqueeze(-1).shape == (2, 1, 3, 1)
    assert t.flatten().shape == (6,) and t.flatten(1).shape == (2, 3)
    assert t.view(3, 2).shape == (3, 2) and t.reshape((-1,)).shape == (6,)
    assert t.permute(2, 0, 1).shape == (3, 2, 1) and t.transpose(0, 2).shape == (3, 1, 2)
    assert t.expand(2, 4, 3).shape == (2, 4, 3) and t.expand(-1, 5, -1).shape == (2, 5, 3)
    assert ag.cat([t, t], 1).shape == (2, 2, 3) and ag.stack([t, t], -1).shape == (2, 1, 3, 2)
    assert ag.pad(t, ((0, 0), (1, 1), (2, 0))).shape == (2, 3, 5)


def test_where_masked_fill() -> None:
    a = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)
    out = ag.where(a > 0, a, ag.zeros(3))
    assert out.tolist() == [1.0, 0.0, 3.0]
    m = a.masked_fill(a < 0, -9.0)
    assert m.tolist() == [1.0, -9.0, 3.0]
    (out + m).sum().backward()
    np.testing.assert_array_equal(a.grad._data, [2.0, 0.0, 2.0])


def test_matmul_shapes_like_numpy() -> None:
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3, 4)),
                   ((1, 2, 3), (4, 3, 2))]:
        a, b = arr(*sa), arr(*sb)
        np.testing.assert_allclose((ag.tensor(a) @ ag.tensor(b))._data, a @ b, rtol=1e-5)


@pytest.mark.parametrize("fn", ["exp", "tanh", "sigmoid", "relu", "abs"])
def test_function_forms_equal_methods(fn) -> None:
    t = ag.tensor(arr(3))
    np.testing.assert_array_equal(getattr(ag, fn)(t)._data, getattr(t, fn)()._data)


def test_log_softmax_is_exact_in_float32_for_huge_logits() -> None:
    out = ag.tensor(np.array([[1e4, 1e4, -1e4]], np.float32)).log_softmax(1)._data
    np.testing.assert_allclose(out[0, :2], [-np.log(2)] * 2, rtol=1e-6)


def test_masked_fill_value_tensor_gets_the_filled_positions_gradient() -> None:
    # torch 2.13: x.grad [[0, 1, 0], [3, 4, 0]], value.grad 7 (= 0 + 2 + 5)
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    v = ag.tensor(0.5, requires_grad=True)
    mask = ag.tensor([[True, False, True], [False, False, True]])
    y = x.masked_fill(mask, v)
    (y * ag.arange(6.0).reshape(2, 3)).sum().backward()
    assert y.tolist() == [[0.5, 2.0, 0.5], [4.0, 5.0, 0.5]]
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [3.0, 4.0, 0.0]]
    assert v.grad.shape == () and v.grad.item() == 7.0
    # a broadcast mask: torch gives value.grad 10 (= 0 + 2 + 3 + 5)
    v = ag.tensor(0.5, requires_grad=True)
    y = ag.ones(2, 3).masked_fill(ag.tensor([True, False, True]), v)
    (y * ag.arange(6.0).reshape(2, 3)).sum().backward()
    assert v.grad.item() == 10.0
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.masked_fill(mask, ag.tensor([0.5]))
