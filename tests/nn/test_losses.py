"""Losses against hand-computed NumPy values, their analytic gradients, stability for
logits of magnitude 1e4, reductions and the errors bad targets get."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _np_log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def _leaf(a) -> ag.Tensor:
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# -- MSE ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_matches_numpy_with_gradient(reduction: str) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x = _leaf(a)
    loss = nn.MSELoss(reduction=reduction)(x, b)
    want = {"mean": ((a - b) ** 2).mean(), "sum": ((a - b) ** 2).sum(),
            "none": (a - b) ** 2}[reduction]
    np.testing.assert_allclose(loss._data, want, rtol=1e-12)
    loss.sum().backward()
    scale = 1 / a.size if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad._data, 2 * (a - b) * scale, rtol=1e-12)


def test_mse_shape_mismatch_is_a_value_error_naming_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        F.mse_loss(ag.zeros(4), ag.zeros(4, 1))


def test_bad_reduction() -> None:
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(ag.zeros(2), ag.zeros(2), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="max")


def test_legacy_size_average_and_reduce_flags() -> None:
    x, y = ag.tensor([1.0, 3.0]), ag.tensor([0.0, 0.0])
    assert F.mse_loss(x, y, size_average=False).item() == 10.0
    assert F.mse_loss(x, y, reduce=False).shape == (2,)


# -- cross-entropy -----------------------------------------------------------------------------
def test_cross_entropy_value_and_gradient_is_softmax_minus_onehot_over_n() -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((6, 4))
    t = np.array([0, 3, 1, 1, 2, 0])
    x = _leaf(logits)
    loss = nn.CrossEntropyLoss()(x, t)
    logp = _np_log_softmax(logits)
    np.testing.assert_allclose(loss.item(), -logp[np.arange(6), t].mean(), rtol=1e-12)
    loss.backward()
    p = np.exp(logp)
    onehot = np.eye(4)[t]
    np.testing.assert_allclose(x.grad._data, (p - onehot) / 6, rtol=1e-10, atol=1e-14)


def test_cross_entropy_is_stable_for_logits_of_magnitude_1e4() -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [1e4, 1e4, -1e4]])
    t = np.array([1, 1, 0])
    for dtype in (np.float32, np.float64):
        x = ag.tensor(logits.astype(dtype), requires_grad=True)
        loss = F.cross_entropy(x, t, reduction="none")
        # by hand: logsumexp − x_t, with the max factored out
        want = [2e4, 0.0, np.log(2.0)]
        # float32 cannot resolve better than its spacing at 1e4 (~1e-3)
        np.testing.assert_allclose(loss._data, want, rtol=1e-6,
                                   atol=1e-3 if dtype == np.float32 else 1e-9)
        loss.sum().backward()
        assert np.isfinite(x.grad._data).all()
        # the sum of per-sample losses: gradient p − onehot. In float32 log_softmax adds the
        # row max (1e4) back before subtracting it, so ~ulp(1e4) = 1e-3 leaks into log p.
        np.testing.assert_allclose(x.grad._data, [[1, -1, 0], [0, 0, 0], [-0.5, 0.5, 0]],
                                   atol=1e-3 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_reductions(reduction: str) -> None:
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    t = np.array([0, 1])
    per = -_np_log_softmax(logits)[np.arange(2), t]
    want = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    got = F.cross_entropy(ag.tensor(logits), t, reduction=reduction)
    np.testing.assert_allclose(got._data, want, rtol=1e-12)


def test_cross_entropy_with_class_weights_and_ignore_index() -> None:
    logits = np.random.default_rng(2).standard_normal((5, 3))
    t = np.array([0, 2, -100, 1, 2])
    w = np.array([1.0, 2.0, 0.5])
    logp = _np_log_softmax(logits)
    keep = t != -100
    tk = t[keep]
    want = -(w[tk] * logp[keep][np.arange(keep.sum()), tk]).sum() / w[tk].sum()
    got = F.cross_entropy(ag.tensor(logits), t, weight=w)
    np.testing.assert_allclose(got.item(), want, rtol=1e-12)
    none = F.cross_entropy(ag.tensor(logits), t, weight=ag.tensor(w), reduction="none")
    assert none._data[2] == 0 and none.shape == (5,)


def test_cross_entropy_label_smoothing_matches_formula() -> None:
    logits = np.random.default_rng(3).standard_normal((4, 5))
    t = np.array([1, 0, 4, 2])
    eps = 0.2
    logp = _np_log_softmax(logits)
    q = np.full((4, 5), eps / 5)
    q[np.arange(4), t] += 1 - eps
    want = -(q * logp).sum(1).mean()
    got = F.cross_entropy(ag.tensor(logits), t, label_smoothing=eps)
    np.testing.assert_allclose(got.item(), want, rtol=1e-12)


def test_cross_entropy_with_probability_targets_and_k_dims() -> None:
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((3, 4))
    probs = rng.dirichlet(np.ones(4), size=3)
    want = -(probs * _np_log_softmax(logits)).sum(1).mean()
    np.testing.assert_allclose(F.cross_entropy(ag.tensor(logits), probs).item(), want,
                               rtol=1e-12)
    # (N, C, L) logits with (N, L) targets = the flattened (N·L, C) problem
    x3 = rng.standard_normal((2, 3, 4))
    t3 = rng.integers(0, 3, (2, 4))
    flat = F.cross_entropy(ag.tensor(x3.transpose(0, 2, 1).reshape(-1, 3)), t3.reshape(-1))
    np.testing.assert_allclose(F.cross_entropy(ag.tensor(x3), t3).item(), flat.item(),
                               rtol=1e-12)


def test_cross_entropy_unbatched() -> None:
    logits = np.array([0.1, 2.0, -1.0])
    got = F.cross_entropy(ag.tensor(logits), np.array(1))
    np.testing.assert_allclose(got.item(), -_np_log_softmax(logits[None])[0, 1], rtol=1e-12)


def test_cross_entropy_bad_targets_raise_torchs_errors() -> None:
    # torch: IndexError (target out of bounds), ValueError (batch sizes), RuntimeError (dtype)
    x = ag.zeros(4, 3)
    with pytest.raises(IndexError, match=r"\[3, 7\].*3 classes"):
        F.cross_entropy(x, np.array([0, 3, 7, 1]))
    with pytest.raises(IndexError, match=r"-1"):
        F.cross_entropy(x, np.array([0, -1, 1, 1]))
    with pytest.raises(ValueError, match=r"\(5,\).*\(4, 3\)"):
        F.cross_entropy(x, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(RuntimeError, match="float"):
        F.cross_entropy(x, np.array([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(RuntimeError, match="integers"):
        nn.CrossEntropyLoss()(x, ag.tensor([0.0, 1.0, 2.0, 1.0]))


def test_cross_entropy_accepts_tensor_and_list_targets() -> None:
    x = ag.tensor([[1.0, 2.0], [3.0, 0.0]])
    a = F.cross_entropy(x, ag.tensor([1, 0])).item()
    b = F.cross_entropy(x, [1, 0]).item()
    assert a == b


# -- NLL ---------------------------------------------------------------------------------------
def test_nll_loss_picks_the_target_log_probabilities() -> None:
    logp = _np_log_softmax(np.random.default_rng(5).standard_normal((4, 3)))
    t = np.array([2, 0, 1, 2])
    x = _leaf(logp)
    loss = nn.NLLLoss()(x, t)
    np.testing.assert_allclose(loss.item(), -logp[np.arange(4), t].mean(), rtol=1e-12)
    loss.backward()
    want = np.zeros((4, 3))
    want[np.arange(4), t] = -0.25
    np.testing.assert_array_equal(x.grad._data, want)
    ce = F.cross_entropy(ag.tensor(logp), t)  # log_softmax of log-probs changes nothing
    np.testing.assert_allclose(ce.item(), loss.item(), rtol=1e-12)
    with pytest.raises(IndexError, match="out of range"):  # torch's class
        F.nll_loss(ag.tensor(logp), np.array([0, 1, 2, 3]))


# -- binary cross-entropies --------------------------------------------------------------------
def test_bce_matches_numpy_and_its_gradient() -> None:
    rng = np.random.default_rng(6)
    p, y = rng.uniform(0.05, 0.95, (3, 4)), rng.integers(0, 2, (3, 4)).astype(float)
    x = _leaf(p)
    loss = nn.BCELoss()(x, y)
    want = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    np.testing.assert_allclose(loss.item(), want, rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(x.grad._data, (p - y) / (p * (1 - p)) / 12, rtol=1e-10)


def test_bce_clamps_log_at_minus_100() -> None:
    x = _leaf([0.0, 1.0, 0.0, 1.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(x, y, reduction="none")
    np.testing.assert_array_equal(loss._data, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert np.isfinite(x.grad._data).all()
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))
    with pytest.raises(ValueError, match="shape"):
        F.binary_cross_entropy(ag.tensor([0.5, 0.5]), ag.tensor([[1.0, 0.0]]))


def test_bce_with_logits_matches_numpy_and_is_stable() -> None:
    logits = np.array([-1e4, -30.0, -1.0, 0.0, 2.0, 40.0, 1e4])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    x = _leaf(logits)
    loss = nn.BCEWithLogitsLoss(reduction="none")(x, y)
    want = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))
    np.testing.assert_allclose(loss._data, want, rtol=1e-12)
    assert loss._data[0] == 1e4 and loss._data[-1] == 1e4
    loss.sum().backward()
    sig = 0.5 * (1 + np.tanh(logits / 2))
    np.testing.assert_allclose(x.grad._data, sig - y, rtol=1e-12, atol=1e-300)
    assert x.grad._data[3] == -0.5  # exactly σ(0) − 1 at the kink of the |x| formula


def test_bce_with_logits_equals_sigmoid_then_bce_and_pos_weight() -> None:
    rng = np.random.default_rng(7)
    logits, y = rng.standard_normal((4, 3)), rng.uniform(0, 1, (4, 3))
    a = F.binary_cross_entropy_with_logits(ag.tensor(logits), y).item()
    b = F.binary_cross_entropy(ag.sigmoid(ag.tensor(logits)), y).item()
    np.testing.assert_allclose(a, b, rtol=1e-10)
    pw = np.array([1.0, 2.0, 3.0])
    got = F.binary_cross_entropy_with_logits(ag.tensor(logits), y, pos_weight=pw,
                                             reduction="sum").item()
    log_sig = -np.logaddexp(0, -logits)
    log_1msig = -np.logaddexp(0, logits)
    want = -(pw * y * log_sig + (1 - y) * log_1msig).sum()
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_loss_weight_is_a_buffer_that_follows_double() -> None:
    loss = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0], dtype=np.float32))
    assert list(loss.state_dict()) == ["weight"]
    loss.double()
    assert loss.weight.dtype == np.float64
    assert "weight" not in nn.CrossEntropyLoss().state_dict()


# -- one_hot -----------------------------------------------------------------------------------
def test_one_hot() -> None:
    out = F.one_hot(ag.tensor([0, 2, 1]), 4)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out._data, np.eye(4, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(np.array([[1], [3]])).shape == (2, 1, 4)
    with pytest.raises(RuntimeError):
        F.one_hot(ag.tensor([0, 5]), 3)
    with pytest.raises(RuntimeError):
        F.one_hot(ag.tensor([0.0, 1.0]))


def test_ignore_index_may_be_a_valid_class_and_targets_may_be_any_int_dtype() -> None:
    logits = np.random.default_rng(8).standard_normal((4, 3))
    t = np.array([0, 2, 0, 1])
    per = -_np_log_softmax(logits)[np.arange(4), t]
    got = F.cross_entropy(ag.tensor(logits), t, ignore_index=0)
    np.testing.assert_allclose(got.item(), per[[1, 3]].mean(), rtol=1e-12)
    for dtype in (np.uint8, np.int32):
        np.testing.assert_allclose(F.cross_entropy(ag.tensor(logits), t.astype(dtype)).item(),
                                   per.mean(), rtol=1e-12)
    with pytest.raises(IndexError, match=r"\[3\]"):
        F.cross_entropy(ag.tensor(logits), np.array([0, 3, 1, 1], dtype=np.uint8))


@pytest.mark.parametrize("kw", [{"ignore_index": 1}, {"ignore_index": 1, "label_smoothing": 0.1},
                                {"ignore_index": 1, "weight": ag.tensor([1.0, 2.0])}])
def test_cross_entropy_with_every_target_ignored_is_nan_with_zero_gradient(kw) -> None:
    # torch 2.13: loss nan, gradient 0 (issue 13, item 4)
    x = ag.tensor([[1.0, 2.0], [0.0, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([1, 1]), **kw)
    loss.backward()
    assert np.isnan(loss.item())
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    x = ag.tensor([[[1.0, 2.0], [0.0, 1.0]]], requires_grad=True)  # (N, C, d1)
    loss = F.cross_entropy(x, ag.tensor([[-100, -100]]))
    loss.backward()
    assert np.isnan(loss.item()) and x.grad.tolist() == [[[0.0, 0.0], [0.0, 0.0]]]
    x = ag.tensor([[1.0, 2.0], [0.0, 1.0]], requires_grad=True)
    loss = F.nll_loss(x, ag.tensor([-100, -100]), reduction="sum")
    loss.backward()
    assert loss.item() == 0.0 and x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_cross_entropy_probability_targets_that_require_grad_get_their_gradient() -> None:
    # torch 2.13 (issue 13, item 6): d loss / d p = −w·log_softmax(x), reduced as the loss
    x = ag.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
    p = ag.tensor([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], requires_grad=True)
    loss = F.cross_entropy(x, p)
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1.8401264, rtol=1e-6)
    np.testing.assert_allclose(p.grad.numpy(), [[0.7321844, 0.2321844, 0.9821844],
                                                [1.5329419, 2.0329421, 0.0329420]], rtol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), [[0.0156119, 0.1642658, -0.1798778],
                                                [-0.2766937, -0.0414261, 0.3181198]],
                               rtol=1e-5, atol=1e-7)
    x = ag.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
    p = ag.tensor([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], requires_grad=True)
    loss = F.cross_entropy(x, p, weight=ag.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1,
                           reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 3.8395224, rtol=1e-6)
    np.testing.assert_allclose(p.grad.numpy(), [[1.3179319, 0.8358638, 0.8839660],
                                                [2.7592955, 7.3185911, 0.0296478]], rtol=1e-5)
    p = ag.tensor([0.2, 0.3, 0.5], requires_grad=True)  # unbatched (C,)
    F.cross_entropy(ag.tensor([1.0, 2.0, 0.5]), p).backward()
    assert p.grad is not None and p.grad.shape == (3,)
