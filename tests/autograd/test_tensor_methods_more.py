"""torch's remaining Tensor methods and torch functions (ops/complex_api, numeric,
matrix_products, statistics, scatter_views, index_writes, splits, products.renorm): values
and gradients against torch 2.13's, computed by torch in a scratch script and pasted here,
and torch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag

T = ag.tensor

# -- torch 2.13's values ---------------------------------------------------------------------
COV = [[2.6458333333333335, 1.9375000000000002], [1.9375000000000002, 3.5625]]
COV_W = [[6.137096774193547, 4.330645161290323], [4.330645161290323, 4.717741935483871]]
COV_W_GRAD = [
    [13.945889698231008, -82.31633714880331, 68.37044745057231],
    [14.761706555671175, -71.11134235171696, 56.34963579604579],
]
CORR = [
    [1.0, 0.4905894068380349, -0.9621767184663561],
    [0.4905894068380349, 1.0, -0.37582301400141443],
    [-0.9621767184663561, -0.37582301400141443, 1.0],
]
MP_NEG2 = [[5.499999999999998, -2.499999999999999], [-3.749999999999999, 1.7499999999999996]]
MP_NEG2_GRAD = [
    [3.2499999999999973, -2.7499999999999982],
    [-2.2499999999999982, 1.7499999999999991],
]
MP_5 = [[1069, 1558], [2337, 3406]]
RENORM = [
    [0.4472135901451111, 0.8944271802902222],
    [0.6000000238418579, 0.800000011920929],
    [0.10000000149011612, 0.20000000298023224],
]
RENORM_GRAD = [
    [0.7155417203903198, -0.3577708899974823],
    [-0.03199999779462814, 0.024000003933906555],
    [1.0, 1.0],
]
ANGLE = [3.1415927410125732, 0.0, 0.0, math.nan, 3.1415927410125732]
LDEXP = [2.0, 0.5, 24.0]
LDEXP_GRAD = [2.0, 0.0, 8.0]
FREXP = [[0.5, 0.6000000238418579, 0.0, -0.625], [4, -1, 0, 3]]
NEXTAFTER = [1.0000000000000002, 1.9999999999999998]
FLOAT_POWER = [1.4142135623730951, 9.0]
GCD = [4, 2, 0, 7]
LCM = [24, 36, 0, 21]
DEG2RAD = [3.1415927410125732, 1.5707963705062866, -0.7853981852531433]
HEAVISIDE = [0.0, 0.5, 1.0, 0.0]
SIGNBIT = [True, False, True, False]
INNER = [[-1.0, 4.5], [-1.0, 9.5], [-1.0, 14.5]]
ADDR = [[2.5, 3.5, 7.0], [3.0, 3.0, 8.0]]
ADDBMM = [[5.5]]
ADDMM_INT = [[10, 10, 10], [22, 22, 22]]
IR_MEAN = [[2.6666666666666665, 3.3333333333333335], [2.0, 2.0], [2.5, 3.0]]
IR_MEAN_GRAD = [
    [[0.6666666666666666, 1.3333333333333333], [6.0, 8.0], [5.0, 6.0]],
    [
        [0.3333333333333333, 0.6666666666666666],
        [2.5, 3.0],
        [0.3333333333333333, 0.6666666666666666],
    ],
]
IR_AMAX = [[5.0, 6.0], [2.0, 2.0], [3.0, 4.0]]
IR_INT_MEAN = [[2, 3], [1, 1], [2, 2]]
PUT = [[1.0, 0.0, 0.0], [0.0, 0.0, 3.0]]
PUT_ACC = [[1.0, 0.0, 0.0], [0.0, 0.0, 5.0]]
DIAG_SCATTER = [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]
SLICE_SCATTER = [[1.0, 2.0], [0.0, 0.0], [3.0, 4.0], [0.0, 0.0]]
SELECT_SCATTER = [[0.0, 0.0, 1.0], [0.0, 0.0, 2.0]]
HSPLIT = [[[0], [6]], [[1, 2, 3], [7, 8, 9]], [[4, 5], [10, 11]]]
DSPLIT = [[[[0, 1], [4, 5]]], [[[2, 3], [6, 7]]]]
DIAGFLAT = [[0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0], [0, 0, 0, 4, 0]]
SUM_TO_SIZE = [[6.0], [15.0]]


def _np(t):
    return np.asarray(t.detach().numpy())


def test_cov_and_corrcoef_values_and_gradient():
    x = T([[0.5, -1.25, 2.0], [3.0, -0.75, 1.5]], dtype=ag.float64, requires_grad=True)
    np.testing.assert_allclose(_np(ag.cov(x)), COV, rtol=1e-12)
    w = T([0.5, 1.0, 2.0], dtype=ag.float64)
    c = x.cov(correction=2, fweights=T([1, 2, 1]), aweights=w)
    np.testing.assert_allclose(_np(c), COV_W, rtol=1e-12)
    (g,) = ag.grad(c.sum() + (c**2).sum(), x)
    np.testing.assert_allclose(_np(g), COV_W_GRAD, rtol=1e-10)
    r = ag.corrcoef(
        T([[0.5, -1.25, 2.0, 1.0], [3.0, -0.75, 1.5, 0.0], [1.0, 2.0, -1.0, 0.5]], dtype=ag.float64)
    )
    np.testing.assert_allclose(_np(r), CORR, rtol=1e-12)
    assert ag.cov(T([[1, 2, 4], [3, 1, 0]])).dtype == ag.float32  # integers: float32


def test_cov_errors():
    x = T([[1.0, 2, 4], [3, 1, 0]])
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        ag.cov(x, fweights=T([1.0, 2, 1]))
    with pytest.raises(RuntimeError, match="fweights cannot be negative"):
        ag.cov(x, fweights=T([-1, 2, 1]))
    with pytest.raises(RuntimeError, match="aweights to have the same numel"):
        ag.cov(x, aweights=T([1.0, 2]))
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        ag.cov(ag.ones(2, 2, 2))
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert math.isnan(ag.cov(T([[1.0]])).item())


def test_matrix_power():
    a = T([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    p = ag.matrix_power(a, -2)
    np.testing.assert_allclose(_np(p), MP_NEG2, rtol=1e-12)
    np.testing.assert_allclose(_np(ag.grad(p.sum(), a)[0]), MP_NEG2_GRAD, rtol=1e-12)
    np.testing.assert_array_equal(_np(T([[1, 2], [3, 4]]).matrix_power(5)), MP_5)
    np.testing.assert_array_equal(_np(ag.matrix_power(a, 0)), np.eye(2))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ag.matrix_power(T([1.0, 2.0]), 2)
    with pytest.raises(RuntimeError, match="batches of square matrices"):
        ag.matrix_power(ag.ones(2, 3), 2)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.matrix_power(T([[1, 2], [3, 4]]), -1)


def test_renorm_values_gradient_and_errors():
    y = T([[1.0, 2.0], [3.0, 4.0], [0.1, 0.2]], requires_grad=True)
    r = ag.renorm(y, 2, 0, 1.0)
    np.testing.assert_allclose(_np(r), RENORM, rtol=1e-6)
    (g,) = ag.grad((r * T([[1.0, -2], [0.5, 1], [1, 1]])).sum(), y)
    np.testing.assert_allclose(_np(g), RENORM_GRAD, rtol=1e-5, atol=1e-7)
    with pytest.raises(RuntimeError, match="non-positive-norm"):
        y.renorm(0, 0, 1.0)
    with pytest.raises(RuntimeError, match="maxnorm to be >= 0"):
        y.renorm(2, 0, -1.0)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        T([1.0, 2.0]).renorm(2, 0, 1.0)


def test_number_functions():
    a = T([-2.0, 0.0, 3.0, math.nan, -math.inf], requires_grad=True)
    out = ag.angle(a)
    np.testing.assert_allclose(_np(out), ANGLE, rtol=1e-7)
    assert out.requires_grad
    np.testing.assert_array_equal(_np(ag.grad(out.sum(), a)[0]), np.zeros(5))
    xx = T([1.0, 2.0, 3.0], requires_grad=True)
    out = ag.ldexp(xx, T([1, -2, 3]))
    np.testing.assert_allclose(_np(out), LDEXP)
    # torch's gradient with an integer exponent: 2^e in integers, 0 for e < 0
    np.testing.assert_allclose(_np(ag.grad(out.sum(), xx)[0]), LDEXP_GRAD)
    m, e = ag.frexp(T([8.0, 0.3, 0.0, -5.0]))
    np.testing.assert_allclose(_np(m), FREXP[0], rtol=1e-7)
    assert e.dtype == ag.int32 and e.tolist() == FREXP[1]
    assert (
        ag.nextafter(T([1.0, 2.0], dtype=ag.float64), T([2.0, 1.0], dtype=ag.float64)).tolist()
        == NEXTAFTER
    )
    fp = ag.float_power(T([2, 3]), T([0.5, 2.0]))
    assert fp.dtype == ag.float64 and fp.tolist() == FLOAT_POWER
    assert ag.gcd(T([12, -18, 0, 7]), T([8, 4, 0, -21])).tolist() == GCD
    assert T([12, -18, 0, 7]).lcm(T([8, 4, 5, -21])).tolist() == LCM
    np.testing.assert_allclose(_np(ag.deg2rad(T([180, 90, -45]))), DEG2RAD, rtol=1e-7)
    assert ag.heaviside(T([-1.5, 0.0, 2.0, math.nan]), T([0.5])).tolist() == HEAVISIDE
    assert ag.signbit(T([-0.0, 0.0, -1.0, 2.0])).tolist() == SIGNBIT


def test_number_function_errors():
    with pytest.raises(NotImplementedError, match="gcd_cpu"):
        ag.gcd(T([12.0]), T([8.0]))
    with pytest.raises(RuntimeError, match="only supports floating-point"):
        ag.frexp(T([8, 3]))
    with pytest.raises(NotImplementedError, match="nextafter_cpu"):
        ag.nextafter(T([1, 2]), T([2, 1]))
    with pytest.raises(RuntimeError, match="different dtypes"):
        ag.heaviside(T([-1, 0, 2]), T([5.0]))
    with pytest.raises(TypeError, match="must be Tensor"):
        ag.heaviside(T([-1.0]), 0.5)
    with pytest.raises(RuntimeError, match="requires dtype Double"):
        T([1.0, 2.0]).float_power_(2)
    with pytest.raises(RuntimeError, match="can't be cast"):
        T([1, 2]).deg2rad_()
    # heaviside is recorded, and its backward raises as torch's
    h = ag.heaviside(T([-1.0, 0.0], requires_grad=True), T([0.5]))
    assert h.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside"):
        h.sum().backward()


def test_products():
    np.testing.assert_allclose(
        _np(ag.inner(T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), T([[1.0, -1.0], [0.5, 2.0]]))), INNER
    )
    np.testing.assert_allclose(
        _np(ag.addr(T([1.0, 2.0, 3.0]), T([1.0, 2.0]), T([1.0, -1.0, 2.0]), beta=2, alpha=0.5)),
        ADDR,
    )
    np.testing.assert_allclose(
        _np(
            ag.addbmm(
                T([[1.0]]),
                T([[[1.0, 2.0]], [[3.0, 4.0]]]),
                T([[[1.0], [1.0]], [[2.0], [-1.0]]]),
                beta=0.5,
            )
        ),
        ADDBMM,
    )
    # integer tensors: torch truncates float beta/alpha (0.5 -> 0, 2.0 -> 2)
    out = ag.addmm(
        T([[3, 5, -7]]), T([[1, 2], [3, 4]]), T([[1, 1, 1], [2, 2, 2]]), beta=0.5, alpha=2.0
    )
    assert out.dtype == ag.int64 and out.tolist() == ADDMM_INT
    with pytest.raises(RuntimeError, match="last dimension must match"):
        ag.inner(ag.ones(2, 3), ag.ones(4, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.vdot(T([1.0, 2.0]), T([3, 4]))
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        ag.addr(T([1, 2, 3]), T([1, 2]), T([1, 2, 3]), alpha=2.5)
    x = ag.zeros(2, 3)
    assert x.addmm_(ag.ones(2, 5), ag.ones(5, 3), beta=0, alpha=2) is x
    assert x.tolist() == [[10.0] * 3] * 2
    with pytest.raises(RuntimeError, match="shape"):
        ag.zeros(3).addmm_(ag.ones(2, 5), ag.ones(5, 3))
    assert ag.addmv_(ag.zeros(2), ag.ones(2, 5), ag.ones(5)).tolist() == [5.0, 5.0]


def test_index_reduce_and_put():
    ir = ag.ones(3, 2, dtype=ag.float64, requires_grad=True)
    src = T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ag.float64, requires_grad=True)
    o = ag.index_reduce(ir * 2, 0, T([0, 2, 0]), src, "mean")
    np.testing.assert_allclose(_np(o), IR_MEAN, rtol=1e-12)
    grads = ag.grad(
        (o * T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ag.float64)).sum(), (ir, src)
    )
    for g, want in zip(grads, IR_MEAN_GRAD):
        np.testing.assert_allclose(_np(g), want, rtol=1e-12)
    o = (ir * 2).index_reduce(0, T([0, 2, 0]), src, "amax", include_self=False)
    np.testing.assert_allclose(_np(o), IR_AMAX)
    assert (
        ag.ones(3, 2, dtype=ag.int64)
        .index_reduce(0, T([0, 2, 0]), T([[1, 2], [3, 4], [6, 6]]), "mean")
        .tolist()
        == IR_INT_MEAN
    )
    with pytest.raises(RuntimeError, match="one of prod, mean, amax or amin"):
        ag.ones(3, 2).index_reduce(0, T([0]), ag.ones(1, 2), "sum")
    with pytest.raises(IndexError, match="index out of range"):
        ag.ones(3, 2).index_reduce(0, T([5]), ag.ones(1, 2), "amax")
    with pytest.raises(RuntimeError, match="same scalar type"):
        ag.ones(3, 2).index_reduce(0, T([0]), ag.ones(1, 2, dtype=ag.float64), "amax")
    assert ag.put(ag.zeros(2, 3), T([0, 5, -1]), T([1.0, 2.0, 3.0])).tolist() == PUT
    z = ag.zeros(2, 3)
    assert z.put_(T([0, 5, 5]), T([1.0, 2.0, 3.0]), accumulate=True) is z
    assert z.tolist() == PUT_ACC
    with pytest.raises(IndexError, match="out of range: tried to access index 6"):
        ag.put(ag.zeros(2, 3), T([0, 6]), T([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Expected a long tensor for index"):
        ag.put(ag.zeros(2, 3), T([0, 1], dtype=ag.int32), T([1.0, 2.0]))


def test_scatter_views_and_splits():
    assert ag.diagonal_scatter(ag.zeros(3, 3), T([1.0, 2.0]), 1).tolist() == DIAG_SCATTER
    assert (
        ag.zeros(4, 2).slice_scatter(T([[1.0, 2.0], [3.0, 4.0]]), 0, None, None, 2).tolist()
        == SLICE_SCATTER
    )
    assert ag.select_scatter(ag.zeros(2, 3), T([1.0, 2.0]), 1, -1).tolist() == SELECT_SCATTER
    assert ag.select_scatter(ag.zeros(3), T(5.0), 0, 1).tolist() == [0.0, 5.0, 0.0]
    with pytest.raises(RuntimeError, match="src to have a size equal to the slice"):
        ag.select_scatter(ag.zeros(2, 3), ag.ones(2), 0, 1)
    assert [t.tolist() for t in ag.hsplit(ag.arange(12).view(2, 6), [1, 4])] == HSPLIT
    assert [t.tolist() for t in ag.arange(8).view(1, 2, 4).dsplit(2)] == DSPLIT
    with pytest.raises(RuntimeError, match="not divisible by the split_size 4"):
        ag.hsplit(ag.arange(6), 4)
    with pytest.raises(RuntimeError, match="at least 2 dimension"):
        ag.vsplit(ag.arange(6), 2)
    assert ag.diagflat(T([[1, 2], [3, 4]]), -1).tolist() == DIAGFLAT
    assert T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).sum_to_size(2, 1).tolist() == SUM_TO_SIZE
    with pytest.raises(RuntimeError, match="is not expandable to size"):
        ag.ones(2, 2).sum_to_size(3, 2)
    assert [p.shape for p in ag.arange(6).split_with_sizes([2, 4])] == [(2,), (4,)]
    assert len(ag.zeros(0).unsafe_chunk(4)) == 4  # torch: as many empty pieces as asked
    with pytest.raises(RuntimeError, match="at least a 1-dimensional"):
        T(1.0).split(1)
    n = ag.arange(6.0)
    c = n.narrow_copy(0, 1, 2)
    c[0] = 100.0
    assert n[1].item() == 1.0  # a copy, not a view


def test_ldexp_integer_exponent_gradient_wraps_in_the_exponents_type() -> None:
    # torch 2.13: 2^e computed in e's type: uint8 2^253 = 0, int8 2^7 = -128, int64 2^63
    # = -2^63, 2^64 = 0 (the scale was 2^min(e, 62) in int64)
    for values, dtype, want in (([1, 253, 7], ag.uint8, [2.0, 0.0, 128.0]),
                                ([7, 8, -1], ag.int8, [-128.0, 0.0, 0.0]),
                                ([63, 64], ag.int64, [-9.223372036854775808e18, 0.0])):
        x = T([1.5] * len(values), requires_grad=True)
        ag.ldexp(x, T(values, dtype=dtype)).sum().backward()
        assert x.grad.tolist() == want, dtype
