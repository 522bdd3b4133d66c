"""gradcheck itself: it must catch wrong gradients and say where."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


class WrongSquare(ag.Function):
    """x² with a deliberately wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x


def test_catches_a_wrong_backward_and_names_input_element_and_values() -> None:
    x = ag.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    with pytest.raises(ag.GradcheckError) as err:
        ag.gradcheck(lambda t: WrongSquare.apply(t), (x,))
    msg = str(err.value)
    assert "input 0" in msg
    assert "(0, 0)" in msg
    assert "analytic 3" in msg and "numeric 2" in msg


def test_raise_exception_false_returns_false() -> None:
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: WrongSquare.apply(t), (x,), raise_exception=False) is False


def test_names_the_second_input() -> None:
    a = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.tensor(np.array([3.0, 4.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError, match="input 1"):
        ag.gradcheck(lambda x, y: x + WrongSquare.apply(y), (a, b))


def test_tuple_outputs_check_the_full_jacobian() -> None:
    x = ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: (t.exp(), (t * t).sum()), (x,))


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    class WrongCube(ag.Function):
        # x³ with the right first derivative 3x² written as a constant times x·x,
        # but "detached" so that its own derivative is missing under create_graph.
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * (x * x).detach()

    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: WrongCube.apply(t), (x,))
    with pytest.raises(ag.GradcheckError):
        ag.gradgradcheck(lambda t: WrongCube.apply(t), (x,))


def test_the_callers_arrays_are_not_modified() -> None:
    arr = np.array([1.0, 2.0])
    x = ag.from_numpy(arr).requires_grad_()
    ag.gradcheck(lambda t: t.sin(), (x,))
    np.testing.assert_array_equal(arr, [1.0, 2.0])


def test_no_input_requiring_grad_is_an_error() -> None:
    with pytest.raises(ValueError, match="requires_grad"):
        ag.gradcheck(lambda t: t * 2, (ag.tensor([1.0]),))


def test_non_contiguous_inputs_are_perturbed_correctly() -> None:
    x = ag.tensor(np.arange(6.0).reshape(2, 3).T, requires_grad=True)
    x.data = np.asfortranarray(x.data)
    assert not x.data.flags.c_contiguous
    assert ag.gradcheck(lambda a: a * 2, (x,))
