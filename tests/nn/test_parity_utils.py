"""nn.utils against torch 2.13 (values computed once by torch and written in): the
pieces clip_grad_norm_ is made of, its keywords and warnings, parameter vectors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn


def _params(*grads: np.ndarray, dtype=np.float32) -> list[ag.Tensor]:
    ps = []
    for g in grads:
        p = ag.tensor(np.zeros(g.shape, dtype=dtype), requires_grad=True)
        p.grad = ag.tensor(np.asarray(g, dtype=dtype))
        ps.append(p)
    return ps


def test_get_total_norm_then_clip_grads_with_norm() -> None:
    ps = _params(np.array([3.0, -4.0]), np.array([12.0]))
    total = nn.utils.get_total_norm([p.grad for p in ps], 2.0)
    assert total.item() == 13.0 and total.dtype == ag.float32 and total.shape == ()
    nn.utils.clip_grads_with_norm_(ps, 1.0, total)
    # torch: [[0.23076921701431274, -0.307692289352417], [0.923076868057251]]
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.23076921701431274, -0.307692289352417],
                               rtol=1e-6)
    np.testing.assert_allclose(ps[1].grad.numpy(), [0.923076868057251], rtol=1e-6)


def test_clip_grad_norm_takes_foreach_and_scales_inf_silently() -> None:
    ps = _params(np.array([3.0, -4.0]), np.array([1.0, np.inf]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns nothing (no NumPy RuntimeWarning)
        total = nn.utils.clip_grad_norm_(ps, 1.0, foreach=True)
    assert total.item() == np.inf
    assert ps[0].grad.numpy().tolist() == [0.0, 0.0]
    assert ps[1].grad.numpy()[0] == 0.0 and np.isnan(ps[1].grad.numpy()[1])
    nn.utils.clip_grad_value_(ps, 0.5, foreach=False)


def test_inf_norm_of_an_empty_gradient_raises_as_torch() -> None:
    ps = _params(np.array([3.0, -4.0]), np.zeros(0))
    with pytest.raises(RuntimeError, match="empty tensor"):
        nn.utils.clip_grad_norm_(ps, 1.0, float("inf"))
    assert nn.utils.clip_grad_norm_(ps, 10.0, 2.0).item() == 5.0  # finite p is fine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.utils.clip_grad_norm_(_params(np.zeros(3)), 1.0, -1.0).item() == 0.0


def test_deprecated_alias_and_empty_generator_warn() -> None:
    with pytest.warns(FutureWarning):
        nn.utils.clip_grad_norm(_params(np.array([3.0])), 1.0)
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_parameters_to_vector_and_back() -> None:
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.array([7.0, 8.0]), requires_grad=True)
    v = nn.utils.parameters_to_vector([a, b])
    assert v.tolist() == [0, 1, 2, 3, 4, 5, 7, 8] and v.dtype == ag.float64
    (v * ag.tensor(np.arange(8.0))).sum().backward()  # a graph, as torch.cat of views
    assert a.grad.numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert b.grad.numpy().tolist() == [6, 7]
    nn.utils.vector_to_parameters(ag.tensor(np.arange(10.0, 18.0)), [a, b])
    assert a.tolist() == [[10, 11, 12], [13, 14, 15]] and b.tolist() == [16, 17]
    assert a.is_leaf and a.requires_grad
    with pytest.raises(TypeError):
        nn.utils.vector_to_parameters(np.arange(8.0), [a, b])
    with pytest.raises(ValueError):
        nn.utils.parameters_to_vector([])


def test_total_norm_of_mixed_dtypes_is_promoted_as_torch() -> None:
    # torch: clip_grad_norm_ over a float32 grad [3, 4] and a float64 grad [12] returns
    # tensor(13., dtype=torch.float64) (was float32: the first gradient's dtype)
    a = ag.zeros(2, requires_grad=True)
    a.grad = ag.tensor([3.0, 4.0])
    b = ag.zeros(1, dtype=ag.float64, requires_grad=True)
    b.grad = ag.tensor([12.0], dtype=ag.float64)
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert total.dtype == ag.float64 and total.item() == 13.0
    np.testing.assert_allclose(a.grad.numpy(), [0.2308, 0.3077], atol=1e-4)
    assert a.grad.dtype == ag.float32 and b.grad.dtype == ag.float64
    np.testing.assert_allclose(b.grad.numpy(), [0.9231], atol=1e-4)


def test_float32_norm_overflows_as_torch() -> None:
    # torch computes a float32 gradient's norm in float32: [1e20] * 4 has norm inf
    # (chainrule went through float64 and gave 2e20, clipping where torch zeroes), and
    # error_if_nonfinite raises on it; in float64 the norm is 2e20 in both
    assert nn.utils.get_total_norm([ag.full((4,), 1e20)]).item() == float("inf")
    assert nn.utils.get_total_norm([ag.full((4,), 1e20, dtype=ag.float64)]).item() == 2e20
    (p,) = _params(np.full(4, 1e20))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == float("inf")
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(4))
    (q,) = _params(np.full(4, 1e20))
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)


def test_pad_sequence_as_torch() -> None:
    # torch: pad_sequence([a, b], batch_first=True, padding_value=-1, padding_side="left")
    # of a = [1, 2, 3], b = [4] is [[1, 2, 3], [-1, -1, 4]]; weights [[1..3], [4..6]]
    # give a.grad = [1, 2, 3], b.grad = [6]
    from nn.utils.rnn import pad_sequence

    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([4.0], requires_grad=True)
    y = pad_sequence([a, b], batch_first=True, padding_value=-1.0, padding_side="left")
    assert y.detach().numpy().tolist() == [[1.0, 2.0, 3.0], [-1.0, -1.0, 4.0]]
    (y * ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert a.grad.numpy().tolist() == [1.0, 2.0, 3.0] and b.grad.numpy().tolist() == [6.0]
    # time-major by default, trailing dims kept: (T, B, *)
    y = pad_sequence([ag.ones(2, 2), ag.zeros(1, 2)])
    assert y.shape == (2, 2, 2) and y[:, 1].numpy().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # the first sequence's dtype: -1.5 into int64 is -1, as torch
    y = pad_sequence([ag.tensor([1, 2]), ag.tensor([3])], padding_value=-1.5)
    assert y.dtype == ag.int64 and y.numpy().tolist() == [[1, 3], [2, -1]]
    for bad in ([], [ag.ones(2), ag.ones(2, 1)]):
        with pytest.raises(RuntimeError):
            pad_sequence(bad)
    with pytest.raises(RuntimeError, match="padding_side"):
        pad_sequence([ag.ones(2)], padding_side="middle")


def test_weight_norm_as_torch() -> None:
    # torch.nn.utils.weight_norm on Linear(3, 2) with weight [[1, -2, 2], [0.5, 0, 0]]:
    # parameters bias, weight_g ([[3], [0.5]]), weight_v; with g doubled the forward of
    # [1, 2, 3] is [6.1, 0.8] and the gradients of y·[1, -1] are torch's below
    from nn.utils import remove_weight_norm, weight_norm

    m = nn.Linear(3, 2)
    with ag.no_grad():
        m.weight.copy_(ag.tensor([[1.0, -2.0, 2.0], [0.5, 0.0, 0.0]]))
        m.bias.copy_(ag.tensor([0.1, -0.2]))
    with pytest.warns(FutureWarning, match="deprecated"):
        weight_norm(m)
    assert [k for k, _ in m.named_parameters()] == ["bias", "weight_g", "weight_v"]
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    np.testing.assert_allclose(m.weight_g.detach().numpy(), [[3.0], [0.5]])
    with ag.no_grad():
        m.weight_g.mul_(2)
    y = m(ag.tensor([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(y.detach().numpy(), [[6.1, 0.8]], rtol=1e-6)
    (y * ag.tensor([[1.0, -1.0]])).sum().backward()
    np.testing.assert_allclose(m.weight_g.grad.numpy(), [[1.0], [-1.0]], rtol=1e-6)
    np.testing.assert_allclose(m.weight_v.grad.numpy(),
                               [[4 / 3, 16 / 3, 14 / 3], [0.0, -4.0, -6.0]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="two weight_norm"), pytest.warns(FutureWarning):
        weight_norm(m)
    remove_weight_norm(m)
    assert [k for k, _ in m.named_parameters()] == ["bias", "weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), [[2, -4, 4], [1, 0, 0]], rtol=1e-6)
    with pytest.raises(ValueError, match="not found"):
        remove_weight_norm(m)
    # dim=None: one norm for the whole weight (a 0-d weight_g), as torch
    with pytest.warns(FutureWarning):
        m = weight_norm(nn.Linear(3, 2), dim=None)
    assert m.weight_g.shape == ()
