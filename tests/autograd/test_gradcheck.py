"""gradcheck itself: it must catch wrong gradients and say where."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.gradcheck import check_gradients


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
    x._data = np.asfortranarray(x._data)
    assert not x._data.flags.c_contiguous
    assert ag.gradcheck(lambda a: a * 2, (x,))


# -- failing loudly (issue 13, point 3): each of these returned True before -----------------
class NaNGrad(ag.Function):
    """2x forward, NaN gradient: every comparison with NaN is False, so it used to pass."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def test_a_nan_analytic_gradient_fails() -> None:
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError, match="analytic gradient is NaN"):
        ag.gradcheck(NaNGrad.apply, (x,))
    assert ag.gradcheck(NaNGrad.apply, (x,), raise_exception=False) is False


def test_a_nan_numeric_gradient_fails() -> None:
    # sqrt(x - 1) just above 1: x - eps falls below 1, so the central difference is NaN
    # while the analytic 1 / (2 sqrt(x - 1)) is finite.
    x = ag.tensor(np.array([1.0 + 1e-7, 2.0]), requires_grad=True)
    with np.errstate(invalid="ignore"), \
            pytest.raises(ag.GradcheckError, match="numeric gradient is NaN"):
        ag.gradcheck(lambda t: (t - 1).sqrt(), (x,))


def test_an_eps_too_small_to_move_the_output_fails() -> None:
    # x + 1e-300 == x: the numeric Jacobian is all zero; the analytic one, 1e-7, is under
    # atol, so an entry-by-entry comparison alone passes.
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: t * 1e-7, (x,))  # a sensible eps passes
    with pytest.raises(ag.GradcheckError, match="numeric Jacobian is all zero.*eps=1e-300"):
        ag.gradcheck(lambda t: t * 1e-7, (x,), eps=1e-300)
    assert ag.gradcheck(lambda t: t * 1e-7, (x,), eps=1e-300, raise_exception=False) is False
    with pytest.raises(ag.GradcheckError, match="numeric Jacobian is all zero"):
        ag.gradgradcheck(lambda t: t * t * 1e-8, (x,), eps=1e-300)


def test_fn_returning_a_numpy_array_is_a_type_error() -> None:
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match="output 0 is numpy.ndarray"):
        ag.gradcheck(lambda t: t.detach().numpy() * 2, (x,))
    with pytest.raises(TypeError, match="output 1"):
        ag.gradcheck(lambda t: (t * 2, 3.0), (x,), raise_exception=False)
    with pytest.raises(TypeError):
        ag.gradgradcheck(lambda t: t.detach().numpy(), (x,))


def test_inputs_that_are_not_float64_warn() -> None:
    x32 = ag.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="input #0 .*not a double precision"):
        ag.gradcheck(lambda t: t * 2, (x32,), eps=1e-3, atol=1e-3)
    x64 = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.gradcheck(lambda t: t * 2, (x64,))


# -- the report ------------------------------------------------------------------------------
def test_check_gradients_reports_the_worst_element_once() -> None:
    x = ag.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    calls = [0]

    def counted(t):
        calls[0] += 1
        return WrongSquare.apply(t)

    report = check_gradients(counted, (x,))
    # one analytic forward + two per input element: both Jacobians built exactly once
    assert calls[0] == 1 + 2 * 4
    assert not report.ok and report.order == 1
    # analytic 3x vs numeric 2x: the largest gap, x, sits at the largest element (1, 1)
    assert report.worst.input == 0 and report.worst.element == (1, 1)
    assert report.worst.analytic == pytest.approx(12) and report.worst.numeric == pytest.approx(8)
    assert report.max_abs_error == pytest.approx(4, rel=1e-6)
    # the message names the first failing element, as gradcheck's always did
    assert report.failure.element == (0, 0) and "element index (0, 0)" in report.message
    good = check_gradients(ag.tanh, (x,), order=2)
    assert good.ok and good.message is None and good.order == 2 and good.max_abs_error < 1e-6


def test_check_gradients_argument_errors() -> None:
    x = ag.tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(ValueError, match="eps"):
        check_gradients(ag.tanh, (x,), eps=0.0)
    with pytest.raises(ValueError, match="order"):
        check_gradients(ag.tanh, (x,), order=3)
