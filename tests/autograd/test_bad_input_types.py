"""Wrong types get a TypeError naming the culprit (issue 13 items 7 and 12).

torch's class and wording where torch raises; where torch lets it through (a Function
whose forward returns an array) the contract asks for the TypeError.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_tensors_cannot_require_grad(dtype) -> None:
    with pytest.raises(TypeError, match="floating-point"):
        ag.tensor(np.ones(2, dtype), requires_grad=True)
    t = ag.tensor(np.ones(2, dtype))
    with pytest.raises(TypeError, match="floating-point"):
        t.requires_grad_()
    assert not t.requires_grad


def test_a_hook_returning_an_array_is_named() -> None:
    def double_it(g):
        return g.numpy() * 2
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(double_it)
    with pytest.raises(TypeError, match=r"hook 'test_.*double_it' returned 'numpy.ndarray'"):
        y.sum().backward()
    leaf = ag.ones(3, requires_grad=True)
    leaf.register_hook(lambda g: np.ones(3))
    with pytest.raises(TypeError, match="expected Variable, but hook"):
        (leaf * 2).sum().backward()


def test_a_hook_changing_the_shape_raises_as_torch() -> None:
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g[:2])
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        y.sum().backward()


class ForwardArray(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x.detach().numpy() * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


class BackwardArray(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g.numpy() * 2


def test_a_function_returning_arrays_is_named() -> None:
    with pytest.raises(TypeError, match="ForwardArray.forward returned a NumPy ndarray"):
        ForwardArray.apply(ag.ones(3, requires_grad=True))
    y = BackwardArray.apply(ag.ones(3, requires_grad=True))
    with pytest.raises(TypeError, match="BackwardArrayBackward returned a ndarray"):
        y.sum().backward()


def test_linear_and_batch_norm_name_the_argument_that_is_no_tensor() -> None:
    with pytest.raises(TypeError, match=r"linear\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not list"):  # torch's message
        nn.Linear(3, 2)([1.0, 2.0, 3.0])
    for training in (True, False):
        with pytest.raises(TypeError, match="argument 'running_mean' .* must be Tensor, not "
                                            "numpy.ndarray"):
            F.batch_norm(ag.ones(4, 3), np.zeros(3), np.ones(3), training=training)
