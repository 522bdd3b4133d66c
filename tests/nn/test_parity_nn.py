"""nn / nn.functional against torch 2.13 where they used to differ (a differential audit of
activations, losses, layers). The numbers were computed once with torch and are written in;
torch is never imported here."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


def _grads(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(d Σf/dx, d Σ(d Σf/dx)/dx): first and second derivative, elementwise."""
    t = ag.tensor(x, requires_grad=True)
    (g,) = ag.grad(fn(t).sum(), [t], create_graph=True)
    (gg,) = ag.grad(g.sum(), [t])
    return g.detach().numpy(), gg.numpy()


@pytest.mark.parametrize(("fn", "first", "second"), [
    (F.elu, [1.0, 0.6065306597126334, 1.0, 0.1353352832366127],
     [0.0, 0.6065306597126334, 0.0, 0.1353352832366127]),
    (lambda t: F.elu(t, alpha=0.5), [0.5, 0.3032653298563167, 1.0, 0.06766764161830635],
     [0.0, 0.3032653298563167, 0.0, 0.06766764161830635]),
    (F.selu, [1.7580993408473766, 1.0663411530445053, 1.0507009873554805, 0.2379328722516818],
     [0.0, 1.0663411530445053, 0.0, 0.2379328722516818]),
    (lambda t: F.celu(t, alpha=2.0), [1.0, 0.7788007830714049, 1.0, 0.36787944117144233],
     [0.0, 0.38940039153570244, 0.0, 0.18393972058572117]),
])
def test_elu_family_second_derivative_is_zero_at_zero_as_torch(fn, first, second) -> None:
    # torch: the first derivative at x = 0 takes the negative branch (α·s·i), the second
    # derivative there is 0 (its double backward masks x < 0 strictly)
    g, gg = _grads(fn, np.array([0.0, -0.5, 0.5, -2.0]))
    np.testing.assert_allclose(g, first, rtol=1e-13)
    np.testing.assert_allclose(gg, second, rtol=1e-13, atol=0)


def test_kl_div_negative_target_is_nan_as_torch_xlogy() -> None:
    loss = F.kl_div(ag.tensor(np.array([0.5, 0.1, 0.2])), ag.tensor(np.array([0.3, -0.2, 0.0])),
                    reduction="none")
    np.testing.assert_allclose(loss.numpy(), [-0.5111918412977808, np.nan, 0.0], rtol=1e-13)


def test_bce_target_gradient_uses_unclamped_logs_as_torch() -> None:
    p = ag.tensor(np.array([0.0, 1.0, 0.25]), requires_grad=True)
    y = ag.tensor(np.array([0.5, 0.5, 0.5]), requires_grad=True)
    loss = F.binary_cross_entropy(p, y, reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 100.83698821678584, rtol=1e-13)
    np.testing.assert_allclose(p.grad.numpy(), [-500000001997.9014, 500000001997.9014,
                                                 -1.3333333333333333], rtol=1e-12)
    np.testing.assert_array_equal(y.grad.numpy()[:2], [np.inf, -np.inf])
    np.testing.assert_allclose(y.grad.numpy()[2], 1.0986122886681098, rtol=1e-13)


def test_class_target_errors_have_torchs_classes() -> None:
    x = ag.zeros(4, 3)
    with pytest.raises(IndexError):  # torch: "Target 3 is out of bounds."
        F.cross_entropy(x, np.array([0, 3, 1, 1]))
    with pytest.raises(IndexError):
        F.nll_loss(x, np.array([0, -1, 1, 1]))
    with pytest.raises(RuntimeError):  # torch: expected target dtype to be Long or Byte
        F.cross_entropy(x, np.array([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(ValueError):  # torch: Expected input batch_size (4) to match ...
        F.cross_entropy(x, np.array([0, 1, 2, 0, 1]))
