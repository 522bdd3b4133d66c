"""nn.AdaptiveLogSoftmaxWithLoss against torch 2.13 (values pasted from a torch run with the
same parameters, loaded through a torch-layout state_dict): forward's (output, loss), the
gradients, log_prob, predict, unbatched input, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

NAMES = [("head.weight", (4, 4)), ("head.bias", (4,)), ("tail.0.0.weight", (2, 4)),
         ("tail.0.1.weight", (2, 2)), ("tail.1.0.weight", (1, 4)), ("tail.1.1.weight", (2, 1))]
OUTPUT = [-1.8745497646671, -13.0727116937198, -6.9883572690123, -1.8765302819925,
          -0.0088009071343]
LOSS = 4.764189983305203
GRAD = [-0.3451437451345, -0.5194373531209, 0.5626244674533, -0.1237173083444,
        0.1979426907524, 0.7954740389607, -0.57369385619, 0.1108050481727, -0.2624869720747,
        -0.5011332586088, 0.1542450809673, 0.0054506018703, -0.2050360974286,
        0.0280176285789, 0.1947521878143, 0.312452302992, -0.0013023648061, 0.0010277656554,
        0.0015576060503, 0.0041463588648]
LOGPROB = [-1.8745497646671, -5.3355627411629, -5.7600343721881, -8.7973089015627,
           -2.3458725373033, -0.2974724792928, -0.0065909664405, -5.0673181013344,
           -9.9557028625558, -8.4711251032374, -11.4162600355636, -13.0727116937198,
           -6.1526367802132, -4.3054738246746, -6.9883572690123, -8.8802544762029,
           -0.0500904381661, -3.4366408718037, -4.9207287487224, -2.3367300339302,
           -0.5719782460637, -1.8765302819925, -1.7267318270936, -7.3081961162521,
           -5.5608054058374, -0.0088009071343, -18.9379091807756, -10.9224265494949,
           -12.7758644825571, -5.319391548908]
HEAD_W_GRAD = [-0.2158080287393, 0.5437647367806, -0.4718005948533, -0.4525394336814,
               -0.0222258886279, 0.0582797060967, 0.0557966561142, -0.0462766705897,
               0.5758502106847, -0.1119595406664, -0.1921629341003, 0.2174454401308,
               -0.3378162933175, -0.4900849022109, 0.6081668728394, 0.2813706641403]


def _model():
    r = np.random.default_rng(21)
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 6, [2, 4], div_value=2.0, head_bias=True).double()
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == NAMES  # torch's layout
    m.load_state_dict({k: ag.tensor(r.standard_normal(s)) for k, s in NAMES})
    x = ag.tensor(r.standard_normal((5, 4)) * 2, requires_grad=True)
    return m, x


def test_forward_loss_and_gradients_match_torch() -> None:
    m, x = _model()
    out = m(x, ag.tensor([0, 5, 2, 3, 1]))
    assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
    np.testing.assert_allclose(out.output.detach().numpy(), OUTPUT, atol=1e-12)
    np.testing.assert_allclose(out.loss.item(), LOSS, rtol=1e-13)
    out.loss.backward()
    np.testing.assert_allclose(x.grad.numpy().ravel(), GRAD, atol=1e-12)
    np.testing.assert_allclose(m.head.weight.grad.numpy().ravel(), HEAD_W_GRAD, atol=1e-12)


def test_log_prob_predict_and_unbatched() -> None:
    m, x = _model()
    lp = m.log_prob(x)
    np.testing.assert_allclose(lp.detach().numpy().ravel(), LOGPROB, atol=1e-12)
    np.testing.assert_allclose(np.exp(lp.detach().numpy()).sum(1), 1.0, rtol=1e-12)
    p = m.predict(x)
    assert p.dtype == np.int64 and p.tolist() == [5, 0, 4, 2, 1]
    u = m(x[1].detach(), ag.tensor(5))
    assert u.output.shape == ()
    np.testing.assert_allclose([u.output.item(), u.loss.item()],
                               [-13.072711693719775, 13.072711693719775], rtol=1e-13)


@pytest.mark.parametrize("cutoffs", [[], [3, 2], [0, 2], [2, 6], [2, 2], [1.5]])
def test_bad_cutoffs(cutoffs) -> None:
    with pytest.raises(ValueError, match="cutoffs should be a sequence"):
        nn.AdaptiveLogSoftmaxWithLoss(4, 6, cutoffs)


def test_bad_targets_as_torch() -> None:
    m, x = _model()
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 5\], but values "
                                           r"in range \[1, 6\] were found"):
        m(x[:2], ag.tensor([6, 1]))
    with pytest.raises(RuntimeError, match="same size in the batch dimension"):
        m(x, ag.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="0D target tensor expects 1D input"):
        m(x, ag.tensor(1))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        m(x, ag.tensor([[1]]))
