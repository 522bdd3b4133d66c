"""F.ctc_loss / nn.CTCLoss against torch 2.13's values and gradients (pasted from a torch
run on the same seeded input): repeated labels, a zero-length target, an impossible
alignment (inf loss), zero_infinity, the reductions, unbatched input, the second
derivative torch does not define, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

X = np.random.default_rng(5).standard_normal((5, 3, 4))
# sample 0: a repeated label (1, 1); sample 1: empty target; sample 2: 2, 2, 2 needs 5 steps
# but has 4, so no alignment exists (inf)
TG = [[1, 1, 2], [3, 0, 0], [2, 2, 2]]
IL, TL = [5, 4, 4], [3, 0, 3]
NONE = [5.23087284973174, 4.111433676424232, np.inf]
# d/dx of Σ w·loss over samples 0, 1 (x → log_softmax → ctc_loss), w = (0.7, −1.3)
GRAD_X = np.array([
    -0.208164863752, -0.326081251732, 0.180983381105, 0.353262734379, 0.530570011327,
    -0.275699039204, -0.142160416442, -0.112710555681, -0.162778908448, 0.017155769442,
    0.12724604029, 0.018377098716, 0.797427476947, -0.170751652001, -0.291240111613,
    -0.335435713333, -0.290494700413, 0.148478911298, 0.028403183183, 0.113612605931,
    1.105944567185, -0.435169663287, -0.142518592332, -0.528256311566, 0.079620308008,
    -0.450562111567, 0.2648318394, 0.106109964159, 0.67639901127, -0.396153704015,
    -0.026242964369, -0.254002342886, 0.091384609144, 0.120718735361, -0.259940687182,
    0.047837342677, 0.0, 0.0, 0.0, 0.0]).reshape(5, 2, 4)
# torch's gradient w.r.t. log_probs itself (its formula), 'sum' with zero_infinity
GRAD_LP = np.array([
    -0.297378376789, -0.465830359618, 0.258547687293, 0.504661049113, -0.408130777944,
    0.212076184003, 0.109354166494, 0.086700427447, 0.0, 0.0, 0.0, 0.0, -0.232541297784,
    0.02450824206, 0.181780057557, 0.026252998166, -0.613405751498, 0.131347424616,
    0.224030855087, 0.258027471794, 0.0, 0.0, 0.0, 0.0, -0.414992429161, 0.212112730426,
    0.040575975976, 0.162303722759, -0.850726590142, 0.334745894836, 0.109629686409,
    0.406351008897, 0.0, 0.0, 0.0, 0.0, 0.113743297154, -0.643660159381, 0.378331199144,
    0.151585663084, -0.520306931746, 0.304733618473, 0.020186895668, 0.195386417605, 0.0,
    0.0, 0.0, 0.0, 0.130549441634, 0.17245533623, -0.371343838831, 0.068339060967, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).reshape(5, 3, 4)


def _lp(dtype=np.float64, requires_grad=False):
    x = ag.tensor(X.astype(dtype), requires_grad=requires_grad)
    return x, F.log_softmax(x, -1)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_values_none_with_repeats_empty_target_and_impossible_alignment(dtype, tol) -> None:
    _, lp = _lp(dtype)
    loss = F.ctc_loss(lp, ag.tensor(TG), IL, TL, reduction="none")
    assert loss.dtype == dtype and loss.shape == (3,)
    np.testing.assert_allclose(loss.numpy(), NONE, rtol=tol)


def test_concatenated_targets_and_tensor_lengths_give_the_same() -> None:
    _, lp = _lp()
    flat = ag.tensor([1, 1, 2, 2, 2, 2])
    loss = F.ctc_loss(lp, flat, ag.tensor(IL), ag.tensor(TL), reduction="none")
    np.testing.assert_allclose(loss.numpy(), NONE, rtol=1e-12)


def test_gradient_through_log_softmax_equals_torch() -> None:
    x = ag.tensor(X[:, :2].copy(), requires_grad=True)
    loss = F.ctc_loss(F.log_softmax(x, -1), ag.tensor(TG[:2]), IL[:2], TL[:2],
                      reduction="none")
    (loss * ag.tensor([0.7, -1.3])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), GRAD_X, atol=1e-11)


def test_gradient_wrt_log_probs_is_torchs_formula_and_zero_infinity_zeroes() -> None:
    lp = ag.tensor(F.log_softmax(ag.tensor(X), -1).numpy(), requires_grad=True)
    loss = F.ctc_loss(lp, ag.tensor(TG), IL, TL, reduction="sum", zero_infinity=True)
    np.testing.assert_allclose(loss.item(), 9.342306526155973, rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(lp.grad.numpy(), GRAD_LP, atol=1e-11)


def test_impossible_alignment_without_zero_infinity_has_nan_gradient_as_torch() -> None:
    lp = ag.tensor(F.log_softmax(ag.tensor(X), -1).numpy(), requires_grad=True)
    F.ctc_loss(lp, ag.tensor(TG), IL, TL, reduction="sum").backward()
    nan = np.isnan(lp.grad.numpy()).any(-1)
    # torch: nan for sample 2's 4 input steps, 0 after its input length
    assert nan[:4, 2].all() and not nan[4, 2] and not nan[:, :2].any()


def test_mean_divides_by_target_length_at_least_one() -> None:
    _, lp = _lp()
    m = F.ctc_loss(lp[:, :2], ag.tensor(TG[:2]), IL[:2], TL[:2])
    np.testing.assert_allclose(m.item(), 2.9275289798340727, rtol=1e-12)
    assert m.item() == pytest.approx((NONE[0] / 3 + NONE[1] / 1) / 2, rel=1e-12)
    zi = F.ctc_loss(lp, ag.tensor(TG), IL, TL, zero_infinity=True)
    np.testing.assert_allclose(zi.item(), 1.9516859865560485, rtol=1e-12)


def test_unbatched_and_zero_input_length() -> None:
    _, lp = _lp()
    u = F.ctc_loss(lp[:, 0], ag.tensor([1, 1, 2]), ag.tensor(5), ag.tensor(3), blank=3,
                   reduction="none")
    assert u.shape == ()
    np.testing.assert_allclose(u.item(), 5.202086288889296, rtol=1e-12)
    z = F.ctc_loss(lp[:, :2], ag.tensor(TG[:2]), [0, 5], [0, 2], reduction="none")
    assert z.numpy()[0] == 0 and np.signbit(z.numpy()[0])  # torch's −0.0
    z = F.ctc_loss(lp[:, :2], ag.tensor(TG[:2]), [0, 5], [1, 2], reduction="none")
    assert z.numpy()[0] == np.inf


def test_module_form() -> None:
    _, lp = _lp()
    m = nn.CTCLoss(blank=0, reduction="none")
    np.testing.assert_allclose(m(lp, ag.tensor(TG), IL, TL).numpy(), NONE, rtol=1e-12)
    assert nn.CTCLoss().reduction == "mean" and not nn.CTCLoss().zero_infinity


def test_second_derivative_raises_as_torch() -> None:
    x, lp = _lp(requires_grad=True)
    loss = F.ctc_loss(lp[:, :2], ag.tensor(TG[:2]), IL[:2], TL[:2])
    (g,) = ag.grad(loss, x, create_graph=True)
    (g1,) = ag.grad(F.ctc_loss(F.log_softmax(x, -1)[:, :2], ag.tensor(TG[:2]), IL[:2],
                               TL[:2]), x)
    np.testing.assert_allclose(g.detach().numpy(), g1.numpy(), rtol=1e-12)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward"):
        g.sum().backward()


@pytest.mark.parametrize("call,exc,match", [
    (lambda lp, t: F.ctc_loss(lp, t, [5, 6, 4], TL), RuntimeError, "at most 5, but got value 6"),
    (lambda lp, t: F.ctc_loss(lp, t, [5, -1, 4], TL), RuntimeError, "at least 0"),
    (lambda lp, t: F.ctc_loss(lp, t, IL, [4, 0, 3]), RuntimeError, "size at least 4"),
    (lambda lp, t: F.ctc_loss(lp, t, IL[:2], TL), RuntimeError, "input_lengths must be of"),
    (lambda lp, t: F.ctc_loss(lp, t, IL, TL[:2]), RuntimeError, "target_lengths must be of"),
    (lambda lp, t: F.ctc_loss(lp, t, IL, TL, blank=4), RuntimeError, "blank must be in label"),
    (lambda lp, t: F.ctc_loss(lp, t[None], IL, TL), RuntimeError, "1 to 2 dimensions"),
    (lambda lp, t: F.ctc_loss(lp[None], t, IL, TL), RuntimeError, "3-dimensional tensor"),
    (lambda lp, t: F.ctc_loss(lp, ag.tensor([1, 2]), IL, TL), RuntimeError, "size 6 at dim"),
    (lambda lp, t: F.ctc_loss(lp, t, ag.tensor([5.0, 4, 4]), ag.tensor(TL)), RuntimeError,
     "input_lengths must be integral"),
    (lambda lp, t: F.ctc_loss(lp, t, ag.tensor(IL), TL), TypeError, "ctc_loss"),
    (lambda lp, t: F.ctc_loss(lp, t, IL, TL, reduction="avg"), ValueError, "reduction"),
    (lambda lp, t: F.ctc_loss(lp.half(), t, IL, TL), NotImplementedError, "Half"),
    (lambda lp, t: F.ctc_loss(lp[:, :0], t[:0], [], []), RuntimeError, "must not be empty"),
    (lambda lp, t: F.ctc_loss(lp, t + 2, IL, TL), RuntimeError, "target labels"),
])
def test_errors_as_torch(call, exc, match) -> None:
    _, lp = _lp()
    with pytest.raises(exc, match=match):
        call(lp, ag.tensor(TG))
