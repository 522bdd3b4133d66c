"""Custom ops with ag.Function: ctx, saved tensors, needs_input_grad, second order."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


class Cube(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class ScaleBy(ag.Function):
    """Non-tensor argument and needs_input_grad."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        ctx.seen = ctx.needs_input_grad
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


class ExpSavesOutput(ag.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class SplitTwo(ag.Function):
    """Two outputs: (2x, x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, ga, gb):
        (x,) = ctx.saved_tensors
        return ga * 2 + gb * 2 * x


def test_custom_function_forward_backward_and_name() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 12.0])


def test_custom_function_passes_gradcheck_and_gradgradcheck() -> None:
    x = ag.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert ag.gradcheck(Cube.apply, (x,))
    assert ag.gradgradcheck(Cube.apply, (x,))
    assert ag.gradgradcheck(ExpSavesOutput.apply, (x,))


def test_non_tensor_args_and_needs_input_grad() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ScaleBy.apply(x, 3.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 3.0])


def test_multi_output_function() -> None:
    x = ag.tensor(np.array([1.0, 3.0]), requires_grad=True)
    a, b = SplitTwo.apply(x)
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad._data, 2 + 2 * x._data)
    x.grad = None
    _, b = SplitTwo.apply(x)
    b.sum().backward()  # only one output used: the other's gradient is zeros
    np.testing.assert_allclose(x.grad._data, 2 * x._data)
    assert ag.gradcheck(lambda t: SplitTwo.apply(t), (x,))


def test_wrong_gradient_count_and_shape_raise() -> None:
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    class BadShape(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match="shape"):
        BadShape.apply(x).sum().backward()


def test_no_grad_inputs_record_nothing() -> None:
    y = Cube.apply(ag.tensor([2.0]))
    assert y.grad_fn is None and not y.requires_grad
