"""Hypothesis: every binary op broadcasts like NumPy and sums its gradients back to
each input's shape, for random compatible shapes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

OPS = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda a, b, g: (g / b, -g * a / b**2)),
    "maximum": (ag.maximum, lambda a, b, g: (g * ((a > b) + 0.5 * (a == b)),
                                              g * ((b > a) + 0.5 * (a == b)))),
}


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1:
            g = g.sum(i, keepdims=True)
    return g


@settings(max_examples=60, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                max_side=4),
       op=st.sampled_from(sorted(OPS)), data=st.data())
def test_binary_ops_broadcast_and_reduce_gradients(shapes, op, data) -> None:
    sa, sb = shapes.input_shapes
    elems = st.floats(0.5, 3.0)
    a = data.draw(hnp.arrays(np.float64, sa, elements=elems))
    b = data.draw(hnp.arrays(np.float64, sb, elements=elems))
    fn, vjp = OPS[op]
    ta = ag.tensor(a, requires_grad=True)
    tb = ag.tensor(b, requires_grad=True)
    out = fn(ta, tb)
    ref = fn(ag.tensor(a), ag.tensor(b))._data
    assert out.shape == np.broadcast_shapes(sa, sb) == shapes.result_shape
    np.testing.assert_allclose(out._data, ref)
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(ag.tensor(g))
    ga, gb = vjp(np.broadcast_to(a, out.shape), np.broadcast_to(b, out.shape), g)
    assert ta.grad.shape == sa and tb.grad.shape == sb
    np.testing.assert_allclose(ta.grad._data, unbroadcast(np.asarray(ga), sa), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(tb.grad._data, unbroadcast(np.asarray(gb), sb), rtol=1e-10,
                               atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=4), data=st.data())
def test_sum_to_is_the_adjoint_of_broadcasting(shape, data) -> None:
    from autograd.ops.broadcast import sum_to_array

    lead = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    target = tuple(lead) + tuple(shape)
    small = tuple(1 if data.draw(st.booleans()) else s for s in shape)
    g = np.random.default_rng(0).standard_normal(np.broadcast_shapes(small, target))
    x = np.random.default_rng(1).standard_normal(small)
    # <broadcast(x), g> == <x, sum_to(g)>: the defining property of an adjoint
    lhs = np.sum(np.broadcast_to(x, g.shape) * g)
    rhs = np.sum(x * sum_to_array(g, small))
    assert np.isclose(lhs, rhs)
    assert sum_to_array(g, small).shape == small
