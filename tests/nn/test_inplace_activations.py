"""``inplace=True`` as torch: the activation (or dropout) is written into its input, which
comes back; values and gradients equal the out-of-place form's; torch's errors hold."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

LAYERS = [
    ("ReLU", ()), ("LeakyReLU", (0.2,)), ("ELU", ()), ("SELU", ()), ("CELU", (0.7,)),
    ("ReLU6", ()), ("SiLU", ()), ("Mish", ()), ("Hardswish", ()), ("Hardsigmoid", ()),
    ("Hardtanh", (-0.5, 2.0)), ("Threshold", (0.1, 20.0)),
]


@pytest.mark.parametrize(("name", "args"), LAYERS, ids=[n for n, _ in LAYERS])
def test_inplace_writes_into_the_input_and_keeps_the_gradient(name: str, args: tuple) -> None:
    grid = np.linspace(-4.0, 4.0, 17)
    expected = []
    for inplace in (False, True):
        w = ag.tensor(grid, requires_grad=True)
        x = w * 1.0  # a non-leaf: in-place is allowed on it
        y = getattr(nn, name)(*args, inplace=inplace)(x)
        assert (y is x) == inplace
        (y * ag.arange(17.0)).sum().backward()
        expected.append((y.detach().numpy().copy(), w.grad.numpy().copy()))
    np.testing.assert_array_equal(expected[0][0], expected[1][0])
    np.testing.assert_allclose(expected[0][1], expected[1][1], rtol=1e-15, atol=0)


def test_inplace_on_a_leaf_that_requires_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="leaf"):
        nn.ReLU(inplace=True)(ag.ones(3, requires_grad=True))


def test_after_an_op_that_saved_its_output_backward_raises_as_torch() -> None:
    x = ag.randn(5, requires_grad=True)
    y = nn.ReLU(inplace=True)(x.tanh())  # tanh's backward needs its output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_after_batch_norm_as_in_a_resnet() -> None:
    """conv → BatchNorm → ReLU(inplace=True): torch's ResNet block; the gradients equal
    the out-of-place block's (to the order of summation: float64, 1e-12)."""
    grads = []
    for inplace in (False, True):
        ag.manual_seed(0)
        conv, bn = nn.Conv2d(3, 4, 3, padding=1).double(), nn.BatchNorm2d(4).double()
        x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)))
        h = nn.ReLU(inplace=inplace)(bn(conv(x)))
        (h * h.detach()).sum().backward()
        grads.append([conv.weight.grad.numpy(), bn.weight.grad.numpy()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_dropout_inplace_scales_the_input_itself() -> None:
    w = ag.ones(1000, requires_grad=True)
    x = w * 1.0
    y = nn.Dropout(0.25, inplace=True)(x)
    assert y is x
    kept = x.detach().numpy() != 0
    np.testing.assert_allclose(x.detach().numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.where(kept, 1 / 0.75, 0.0))
    z = ag.ones(3)
    assert nn.Dropout(0.5, inplace=True).eval()(z) is z
