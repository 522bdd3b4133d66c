"""backward(): accumulation, retain_graph, hooks, detach, grad modes, ag.grad,
create_graph, the version counter, anomaly detection, memory and deep graphs."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest

import autograd as ag


def test_chain_rule_on_a_small_expression() -> None:
    x = ag.tensor(2.0, requires_grad=True)
    y = ag.tensor(3.0, requires_grad=True)
    z = (x * y + x.sin()) * y
    z.backward()
    assert np.isclose(x.grad.item(), (3 + np.cos(2)) * 3)
    assert np.isclose(y.grad.item(), 2 * 3 * 2 + np.sin(2))


def test_gradients_accumulate_on_leaves_until_zeroed() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, [4.0, 8.0])
    x.grad.zero_()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 3.0])


def test_a_tensor_used_twice_gets_the_sum() -> None:
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    y = x * 3
    (y + y * y).sum().backward()
    np.testing.assert_allclose(x.grad._data, 3 + 2 * 9 * np.array([1.0, -2.0]))


def test_leaf_grads_never_alias() -> None:
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([1.0, 2.0], requires_grad=True)
    seed = np.ones(2, dtype=np.float32)
    (a + b).backward(seed)
    assert a.grad._data is not b.grad._data
    assert not np.shares_memory(a.grad._data, b.grad._data)
    assert not np.shares_memory(a.grad._data, seed)
    a.grad._data *= 10
    np.testing.assert_array_equal(b.grad._data, [1.0, 1.0])


def test_gradient_argument_and_non_scalar_error() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar"):
        y.backward()
    y.backward(ag.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad._data, [2.0, 0.0, 4.0])
    with pytest.raises(RuntimeError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(ag.tensor([1.0, 2.0]))


def test_second_backward_through_freed_graph_says_retain_graph() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1, 2]))),
                               rtol=1e-6)


def test_saved_arrays_are_released_while_the_output_lives() -> None:
    x = ag.randn(1000, 1000, requires_grad=True)
    y = x.tanh()
    z = (y * y).sum()
    nodes = [z.grad_fn, z.grad_fn.edges[0], y.grad_fn]
    z.backward()
    for n in nodes:
        assert n.saved is None or n.saved == ()
        assert n.out is None and n.cache is None
    assert z.grad_fn is not None  # the output is still referenced


def test_memory_returns_after_backward() -> None:
    import tracemalloc

    x = ag.randn(512, 512, requires_grad=True)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    h = x
    for _ in range(10):
        h = (h * 1.0001).tanh()
    loss = h.sum()
    held = tracemalloc.get_traced_memory()[0] - base
    loss.backward()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    one = 512 * 512 * 4
    assert held > 8 * one           # the forward kept its activations for backward
    assert after < 3 * one          # ...and backward released them (x.grad remains)


def test_chain_of_100k_ops_forward_and_backward_without_recursion() -> None:
    limit = sys.getrecursionlimit()
    x = ag.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad.item() == 1.0
    del y
    gc.collect()


def test_deep_graph_is_freed_without_recursion_when_dropped() -> None:
    x = ag.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y  # deallocating a long chain of nodes must not overflow the C stack
    gc.collect()


def test_detach_and_no_grad() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d._data is x._data
    with ag.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert ag.is_grad_enabled()
    with ag.no_grad():
        with ag.enable_grad():
            assert (x * 2).requires_grad
    ag.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    ag.set_grad_enabled(True)
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_hooks_see_and_replace_gradients() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g._data.copy()))
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [30.0, 30.0])
    np.testing.assert_allclose(x.grad._data, [30.0, 30.0])


def test_hook_removal() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    remove = x.register_hook(lambda g: g * 0)
    remove()
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    z = y * 3
    z.sum().backward()
    np.testing.assert_allclose(y.grad._data, [3.0, 3.0])
    with pytest.warns(UserWarning, match="not a leaf"):  # as torch
        assert z.grad is None


def test_ag_grad_returns_without_touching_dot_grad() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    (gx,) = ag.grad((x * w).sum(), x)
    np.testing.assert_allclose(gx._data, [3.0, 4.0])
    assert x.grad is None and w.grad is None


def test_ag_grad_unused_input() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    u = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), [x, u])
    gx, gu = ag.grad((x * 2).sum(), [x, u], allow_unused=True)
    assert gu is None and gx.item() == 2.0


def test_ag_grad_with_respect_to_a_non_leaf() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (gh,) = ag.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh._data, [4.0, 8.0])


def test_second_derivatives_with_create_graph() -> None:
    x = ag.tensor(np.array([0.3, -1.2]), requires_grad=True)
    y = (x.tanh() * x.exp()).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    t, e = np.tanh(x._data), np.exp(x._data)
    d1 = (1 - t**2) * e + t * e
    d2 = -2 * t * (1 - t**2) * e + 2 * (1 - t**2) * e + t * e
    np.testing.assert_allclose(g._data, d1)
    np.testing.assert_allclose(gg._data, d2)


def test_backward_create_graph_then_backward_on_grad() -> None:
    x = ag.tensor(np.array(2.0), requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad
    x.grad = None
    gx.backward()
    assert np.isclose(x.grad.item(), 12.0)


def test_in_place_change_of_a_saved_tensor_raises_at_backward() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    a = ag.tensor([3.0, 4.0])
    out = (w * a).sum()
    a += 1
    assert a._version == 1
    with pytest.raises(RuntimeError, match="MulBackward"):
        out.backward()


def test_in_place_change_of_a_tensor_no_backward_needs_is_fine() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    a = ag.tensor([3.0, 4.0])
    out = (w + a).sum()
    a += 1
    out.backward()
    np.testing.assert_allclose(w.grad._data, [1.0, 1.0])


def test_in_place_change_of_a_saved_output_raises() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    with ag.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="ExpBackward"):
        y.sum().backward()


def test_in_place_ops_semantics() -> None:
    leaf = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf += 1
    with ag.no_grad():
        leaf += 1  # an optimizer update
    assert leaf.item() == 2.0 and leaf.is_leaf
    plain = ag.tensor([1.0, 2.0])
    same = plain
    plain *= 3
    assert plain is same and plain.tolist() == [3.0, 6.0]
    h = leaf * 2
    h2 = h
    h += leaf  # in place and recorded, as torch: every alias of h sees the new node
    assert h is h2 and type(h.grad_fn).__name__ == "AddBackward"
    h.sum().backward()
    assert leaf.grad.item() == 3.0


def test_running_loss_accumulation_keeps_graphs_alive() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    running = 0.0
    for _ in range(3):
        running += (x * 2).sum()
    assert running.requires_grad  # the recorded form, as in torch


def test_detect_anomaly_names_the_op_and_the_forward_line() -> None:
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(divide="ignore"):
        y = x.sqrt()  # d sqrt at 0 is inf
        with pytest.raises(RuntimeError) as err:
            y.sum().backward()
    msg = str(err.value)
    assert "SqrtBackward" in msg
    assert "y = x.sqrt()" in msg


def test_float32_stays_float32_end_to_end() -> None:
    x = ag.randn(3, 4, requires_grad=True)
    w = ag.randn(4, 2, requires_grad=True)
    y = ((x @ w).tanh() * 1.5 + 0.5).softmax(-1).log().mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_gradient_of_a_float32_input_mixed_with_float64_is_float32() -> None:
    x = ag.randn(3, requires_grad=True)
    c = np.array([1.0, 2.0, 3.0])  # float64 constant
    (x * c).sum().backward()
    assert x.grad.dtype == np.float32


def test_numpy_scalar_gradients_are_recorded_for_drawings() -> None:
    from autograd.engine import grad_norm

    x = ag.randn(3, requires_grad=True)
    s = (x * x).sum()
    (s * 0.5).backward()  # Mul's VJP hands the Sum a NumPy scalar, not a 0-d array
    assert grad_norm(s.grad_fn) == 0.5


def test_hook_handle_remove_as_torch() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_no_grad_as_a_bare_decorator() -> None:
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad
    def f(t):
        return t * 2

    @ag.enable_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with ag.no_grad():
        assert g(x).requires_grad


def test_edges_of_one_input_and_number_ops_are_kept_without_a_tuple() -> None:
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    y = ag.tensor([2.0, 3.0], requires_grad=True)
    t, m, r = x.tanh(), x * 2.0, 2.0 - x
    # one object less for the GC to track per node: the lone edge itself, no tuple
    assert t.grad_fn._edges is x and m.grad_fn._edges is x
    assert t.grad_fn.edges == (x,) and m.grad_fn.edges == (x, None)
    assert r.grad_fn.edges == (None, x) and m.grad_fn.edges == (x, None)
    assert (t * y).grad_fn.edges == (t.grad_fn, y)
    assert (t + y.detach()).grad_fn.edges == (t.grad_fn, None)


def test_a_lone_edge_into_a_node_with_two_consumers_waits_for_both() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.5  # consumed by two number ops, each with y's node as its only edge
    ((y * 2.0) + (y * 3.0).exp()).sum().backward()
    want = 1.5 * (2.0 + 3.0 * np.exp(3.0 * 1.5 * np.array([1.0, 2.0])))
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)


def test_an_elementwise_chain_keeps_one_shape_tuple() -> None:
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    m = x * 1.01
    a = m + 0.01
    t = a.tanh()
    s = t.sum()
    # a node's shape is its input node's tuple where equal: no tuple per node to track
    assert a.grad_fn.shape is m.grad_fn.shape and t.grad_fn.shape is m.grad_fn.shape
    assert m.grad_fn.shape == (2,) and s.grad_fn.shape == ()
    r = t.reshape(2, 1).exp()
    assert r.grad_fn.shape == (2, 1) and r.grad_fn.edges[0].shape == (2, 1)
    (s + r.sum()).backward()
    y = np.tanh(np.array([0.5, -1.0]) * 1.01 + 0.01)
    want = (1 - y * y) * (1 + np.exp(y)) * 1.01
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)


def test_products_by_numbers_keep_each_number() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    two, three = float("2.0"), float("3.0")
    m2, m3, m2b, d3 = x * two, x * three, x * two, x / three
    # the same number object twice in a row shares the saved tuple; another number does not
    assert m2.grad_fn.saved == (None, 2.0) and m3.grad_fn.saved == (None, 3.0)
    assert d3.grad_fn.saved == (None, 3.0)
    (m2 + m3 + m2b + d3 + x * float("2.0")).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [9.0 + 1 / 3] * 2, rtol=1e-6)
