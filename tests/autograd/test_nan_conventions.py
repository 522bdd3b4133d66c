"""NaN/inf conventions as torch's (issue 13, item 4). Every expected value was printed by
torch 2.13 for the same input (values and gradients)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

INF, NAN = float("inf"), float("nan")


def value_and_grad(fn, values, **kw):
    x = ag.tensor(values, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        y = fn(x, **kw)
        y.sum().backward()
    return y.numpy() if not y.requires_grad else y.detach().numpy(), x.grad.numpy()


def same(got, want) -> None:
    np.testing.assert_array_equal(np.asarray(got, dtype=np.float64),
                                  np.asarray(want, dtype=np.float64))


@pytest.mark.parametrize(("fn", "values", "kw", "want_y", "want_g"), [
    # a constant vector: torch gives std 0 and gradient 0 (not 0/0 = NaN)
    (ag.std, [2.0, 2.0, 2.0, 2.0], {}, 0.0, [0.0, 0.0, 0.0, 0.0]),
    (ag.var, [2.0, 2.0, 2.0, 2.0], {}, 0.0, [0.0, 0.0, 0.0, 0.0]),
    (lambda x: x.std(1), [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]], {}, [0.0, 0.0], [[0.0] * 3] * 2),
    # one element (n − c = 0): NaN, no ZeroDivisionError
    (ag.std, [3.0], {}, NAN, [NAN]),
    (ag.var, [3.0], {}, NAN, [NAN]),
    (lambda x: x.std(correction=2), [3.0], {}, NAN, [NAN]),
    (lambda x: x.var(1), [[3.0]], {}, [NAN], [[NAN]]),
    (lambda x: x.std(1), [[3.0]], {}, [NAN], [[NAN]]),
    (lambda x: x.var(), 3.0, {}, NAN, NAN),  # 0-d
    # correction >= n without dim: inf, gradient g·inf (NaN where x = mean)
    (lambda x: x.var(correction=2), [1.0, 2.0], {}, INF, [INF, INF]),
    (lambda x: x.std(correction=2), [1.0, 2.0], {}, INF, [NAN, NAN]),
    (lambda x: x.var(correction=3), [1.0, 2.0], {}, INF, [INF, INF]),
    (lambda x: x.std(correction=2), [2.0, 2.0], {}, NAN, [NAN, NAN]),
    # with a dim torch uses 2/(n − c) as it is: inf at n = c, −2 past it
    (lambda x: x.var(1, correction=2), [[1.0, 2.0]], {}, [INF], [[-INF, INF]]),
    (lambda x: x.var(1, correction=3), [[1.0, 2.0]], {}, [INF], [[1.0, -1.0]]),
    (lambda x: x.std(1, correction=3), [[1.0, 2.0]], {}, [INF], [[0.0, 0.0]]),
    (lambda x: x.var(1, correction=2), [[2.0, 2.0]], {}, [NAN], [[NAN, NAN]]),
    # max/min over NaN: NaN, the gradient split over the NaN entries
    (lambda x: x.max(), [1.0, NAN, 3.0], {}, NAN, [0.0, 1.0, 0.0]),
    (lambda x: x.max(), [1.0, NAN, 3.0, NAN], {}, NAN, [0.0, 0.5, 0.0, 0.5]),
    (lambda x: x.min(), [1.0, NAN, 3.0], {}, NAN, [0.0, 1.0, 0.0]),
    (lambda x: x.max(1).values, [[1.0, NAN, 3.0], [1.0, 2.0, 3.0]], {}, [NAN, 3.0],
     [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    (lambda x: x.min(1).values, [[1.0, NAN, 3.0], [1.0, 2.0, 3.0]], {}, [NAN, 1.0],
     [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    # pow with a constant exponent
    (lambda x: x ** 0.0, [0.0, 0.0, -1.0], {}, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]),
    (lambda x: x ** 0.5, [0.0, 0.0, -1.0], {}, [0.0, 0.0, NAN], [INF, INF, NAN]),
    (lambda x: x ** 2, [0.0, 0.0, -1.0], {}, [0.0, 0.0, 1.0], [0.0, 0.0, -2.0]),
    (lambda x: x ** 1.0, [0.0, 0.0, -1.0], {}, [0.0, 0.0, -1.0], [1.0, 1.0, 1.0]),
    # pow with a constant base
    (lambda b: 0.0 ** b, [0.0, 1.0, -1.0, 2.0], {}, [1.0, 0.0, INF, 0.0],
     [0.0, 0.0, -INF, 0.0]),
    (lambda b: (-2.0) ** b, [0.0, 1.0, -1.0, 2.0], {}, [1.0, -2.0, -0.5, 4.0],
     [NAN, NAN, NAN, NAN]),
])
def test_values_and_gradients_are_torchs(fn, values, kw, want_y, want_g) -> None:
    y, g = value_and_grad(fn, values, **kw)
    same(y, want_y)
    same(g, want_g)


def test_pow_of_two_tensors_at_zero_and_infinity() -> None:
    a = ag.tensor([0.0, 0.0, 0.0, 0.0, 2.0, -2.0, INF, -INF, 0.0, 0.0, INF, 2.0, 0.5, -0.5],
                  requires_grad=True)
    b = ag.tensor([0.0, 1.0, 2.0, -1.0, 0.0, 0.5, 2.0, 2.0, 0.5, -0.5, 0.0, INF, INF, 2.0],
                  requires_grad=True)
    with np.errstate(all="ignore"):
        y = a ** b
        y.sum().backward()
    same(y.detach().numpy(), [1, 0, 0, INF, 1, NAN, INF, INF, 0, INF, 1, INF, 0, 0.25])
    same(a.grad.numpy(), [0, 1, 0, -INF, 0, NAN, INF, -INF, INF, -INF, 0, INF, NAN, -1])
    same(b.grad.numpy(), [0, 0, 0, -INF, np.log(np.float32(2)), NAN, INF, NAN, 0, -INF, INF,
                          INF, 0, NAN])


def test_pow_zero_to_zero_gradient_under_create_graph_is_torchs() -> None:
    a = ag.tensor([0.0, 1.5], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([0.0, 2.0], dtype=ag.float64, requires_grad=True)
    (ga,) = ag.grad((a ** b).sum(), [a], create_graph=True)
    same(ga.detach().numpy(), [0.0, 3.0])


@pytest.mark.parametrize("fn", [ag.maximum, ag.minimum])
def test_maximum_minimum_propagate_nan_and_send_g_to_both(fn) -> None:
    a = ag.tensor([1.0, NAN, 3.0, NAN, 2.0], requires_grad=True)
    b = ag.tensor([2.0, 1.0, NAN, NAN, 2.0], requires_grad=True)
    y = fn(a, b)
    y.sum().backward()
    lo = fn is ag.minimum
    same(y.detach().numpy(), [1.0 if lo else 2.0, NAN, NAN, NAN, 2.0])
    same(a.grad.numpy(), [1.0 if lo else 0.0, 1, 1, 1, 0.5])
    same(b.grad.numpy(), [0.0 if lo else 1.0, 1, 1, 1, 0.5])


def test_max_pool2d_all_minus_inf_windows_route_into_the_input() -> None:
    x = ag.full((1, 1, 2, 2), -INF, requires_grad=True)
    y = F.max_pool2d(x, 2, padding=1)
    y.sum().backward()
    same(y.detach().numpy(), np.full((1, 1, 2, 2), -INF))
    same(x.grad.numpy(), np.ones((1, 1, 2, 2)))  # torch: each window's in-bounds entry
    x = ag.tensor([[[[-INF, 1.0], [-INF, -INF]]]], requires_grad=True)
    y = F.max_pool2d(x, 2, stride=1, padding=1)
    y.sum().backward()
    same(y.detach().numpy(), [[[[-INF, 1, 1], [-INF, 1, 1], [-INF, -INF, -INF]]]])
    same(x.grad.numpy(), [[[[2.0, 4.0], [2.0, 1.0]]]])


def test_max_pool2d_propagates_nan() -> None:
    x = ag.tensor([[[[NAN, 1.0], [2.0, 3.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2, stride=1, padding=1)
    y.sum().backward()
    same(y.detach().numpy(), [[[[NAN, NAN, 1], [NAN, NAN, 3], [2, 3, 3]]]])
    same(x.grad.numpy(), [[[[4.0, 1.0], [1.0, 3.0]]]])
    x = ag.tensor([[[[NAN, 1.0], [2.0, 3.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2)  # the tiling path
    y.sum().backward()
    same(y.detach().numpy(), [[[[NAN]]]])
    same(x.grad.numpy(), [[[[1.0, 0.0], [0.0, 0.0]]]])


def grads(fn, *columns):
    """The gradients of ``fn(*columns)`` weighted by 1.5 (float64)."""
    xs = [ag.tensor(c, dtype=ag.float64, requires_grad=True) for c in columns]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        fn(*xs).backward(ag.full((len(columns[0]),), 1.5, dtype=ag.float64))
    return [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("fn, columns, want", [
    # torch 2.13's gradients; before: asin/acos gave 0 at ±inf ((−inf)^(−1/2) = 0 where
    # torch's rsqrt(−inf) is NaN), remainder −inf·g for an infinite input (floor(inf/b)
    # where torch's floor division gives NaN), logaddexp(2) NaN for inf against a finite
    # number (its composition took inf − inf), cumprod NaN over a dim of one inf or NaN
    (ag.asin, ([0.5, -INF, 2.0, INF],), [[1.7320508075688776, NAN, NAN, NAN]]),
    (ag.acos, ([0.5, -INF, -1.5],), [[-1.7320508075688776, NAN, NAN]]),
    (ag.remainder, ([INF, 2.5, -7.5], [3.25, -1.0, 2.0]), [[1.5, 1.5, 1.5], [NAN, 4.5, 6.0]]),
    (ag.fmod, ([INF, 2.5, -7.5], [3.25, -1.0, 2.0]), [[1.5, 1.5, 1.5], [-INF, 3.0, 4.5]]),
    (ag.logaddexp, ([INF, -2.0, INF, -INF], [1.0, INF, INF, -INF]),
     [[1.5, 0.0, NAN, NAN], [0.0, 1.5, NAN, NAN]]),
    (ag.logaddexp2, ([INF, -2.0, 0.5], [1.0, INF, -0.25]),
     [[1.5, 0.0, 0.9406726787631166], [0.0, 1.5, 0.5593273212368837]]),
    (lambda x: ag.cumprod(x.reshape(3, 1), 1).reshape(3), ([INF, NAN, 2.0],),
     [[1.5, 1.5, 1.5]]),
])
def test_gradients_at_infinities_are_torchs(fn, columns, want) -> None:
    for got, expected in zip(grads(fn, *columns), want):
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("fn, want", [
    # torch 2.13's second derivatives in b (the VJP a/(b·b) gave NaN at b = ±inf)
    (lambda b: ag.tensor([1.5, -0.5, 3.0], dtype=ag.float64) / b, [-0.0, -0.125, 0.0]),
    (ag.reciprocal, [-0.0, 0.25, 0.0]),
])
def test_second_derivative_of_a_quotient_at_an_infinite_divisor_is_torchs(fn, want) -> None:
    b = ag.tensor([-INF, 2.0, INF], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(fn(b).sum(), [b], create_graph=True)
    (gg,) = ag.autograd.grad(g.sum(), [b])
    np.testing.assert_array_equal(gg.numpy(), want)


def test_remainder_keeps_torchs_signed_zeros() -> None:
    # torch 2.13: fmod moved into the divisor's sign, so -2 % 2 is -0.0 (NumPy's +0.0)
    a = ag.tensor([-2.0, 2.0, -0.0, 0.0, 5.5, -5.5, 3.0, INF, 1.0])
    b = ag.tensor([2.0, -2.0, 3.0, -3.0, -2.0, 2.0, 0.0, 2.0, INF])
    got = ag.remainder(a, b).numpy()
    want = np.array([-0.0, 0.0, -0.0, 0.0, -0.5, 0.5, NAN, NAN, 1.0], dtype=np.float32)
    np.testing.assert_array_equal(got, want)
    number = ~np.isnan(want)  # (a NaN's sign bit is the CPU's choice)
    np.testing.assert_array_equal(np.signbit(got)[number], np.signbit(want)[number])
    assert np.signbit((a % 2).numpy()[:4]).tolist() == [True, False, True, False]
