"""ag.checkpoint: same outputs and gradients as the plain call, less memory held for
backward, the random state replayed for dropout, and torch's argument rules."""

import gc

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.random import generator

MODES = [True, False]  # use_reentrant


def deep_stack(depth=20, width=32, seed=0):
    ag.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.Tanh()]
    return nn.Sequential(*layers).double()


def segmented(net, n_segments, use_reentrant):
    size = len(net) // n_segments

    def forward(x):
        for s in range(n_segments):
            x = ag.checkpoint(net[s * size:(s + 1) * size], x, use_reentrant=use_reentrant)
        return x
    return forward


def grads_of(net, x, forward):
    net.zero_grad()
    x.grad = None
    loss = (forward(x) ** 2).sum()
    loss.backward()
    return loss.item(), x.grad.numpy().copy(), [p.grad.numpy().copy() for p in net.parameters()]


@pytest.mark.parametrize("use_reentrant", MODES)
def test_same_values_and_gradients_as_plain_call(use_reentrant):
    net = deep_stack()
    x = ag.tensor(np.random.default_rng(1).standard_normal((8, 32)), requires_grad=True)
    plain = grads_of(net, x, net)
    ck = grads_of(net, x, segmented(net, 4, use_reentrant))
    assert ck[0] == plain[0]
    np.testing.assert_array_equal(ck[1], plain[1])
    for a, b in zip(ck[2], plain[2]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("use_reentrant", MODES)
def test_gradients_match_finite_differences(use_reentrant):
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda x, w: ag.checkpoint(lambda x, w: (x @ w.T).tanh(), x, w,
                                                   use_reentrant=use_reentrant), (x, w))


def saved_bytes_for_backward(make_loss):
    gc.collect()
    before = ag.viz.live_graph().saved_bytes
    loss = make_loss()
    held = ag.viz.live_graph().saved_bytes - before
    loss.backward()
    return held


@pytest.mark.parametrize("use_reentrant", MODES)
def test_checkpointing_holds_less_memory_for_backward(use_reentrant):
    net = deep_stack(depth=20, width=64)
    x = ag.tensor(np.random.default_rng(3).standard_normal((32, 64)), requires_grad=True)
    act = x._data.nbytes  # one activation, (32, 64) float64
    plain = saved_bytes_for_backward(lambda: (net(x) ** 2).sum())
    ck = saved_bytes_for_backward(lambda: (segmented(net, 4, use_reentrant)(x) ** 2).sum())
    # plain: every Linear keeps its input and weight, every Tanh its output (≥ 40 arrays);
    # checkpointed: the 4 segment inputs, what the loss keeps (its input), and each
    # segment's random state (ag.get_rng_state(): 48 bytes)
    assert plain >= 40 * act
    assert ck <= 5 * act + 4 * 48
    assert ck * 8 < plain


@pytest.mark.parametrize("use_reentrant", MODES)
def test_forward_runs_once_and_again_in_backward(use_reentrant):
    calls = []

    def fn(x):
        calls.append(ag.is_grad_enabled())
        return x.exp()

    x = ag.tensor(np.arange(3.0), requires_grad=True)
    y = ag.checkpoint(fn, x, use_reentrant=use_reentrant)
    assert y.requires_grad and len(calls) == 1
    assert calls[0] is (not use_reentrant)  # reentrant: the forward is run under no_grad
    y.sum().backward()
    assert len(calls) == 2 and calls[1] is True  # recomputed with grad on
    np.testing.assert_allclose(x.grad.numpy(), np.exp(np.arange(3.0)))
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.sum().backward()


@pytest.mark.parametrize("use_reentrant", MODES)
def test_dropout_draws_the_same_mask_in_recomputation(use_reentrant):
    ag.manual_seed(0)
    block = nn.Sequential(nn.Linear(16, 16), nn.Dropout(0.5), nn.Tanh()).double()
    x = ag.tensor(np.random.default_rng(4).standard_normal((8, 16)), requires_grad=True)

    ag.manual_seed(7)
    ref = grads_of(block, x, block)
    ag.manual_seed(7)
    ck = grads_of(block, x, lambda x: ag.checkpoint(block, x, use_reentrant=use_reentrant))
    assert ck[0] == ref[0]
    np.testing.assert_array_equal(ck[1], ref[1])
    for a, b in zip(ck[2], ref[2]):
        np.testing.assert_array_equal(a, b)
    # without replaying the state, the recomputation draws another mask: wrong gradients
    ag.manual_seed(7)
    bad = grads_of(block, x, lambda x: ag.checkpoint(block, x, use_reentrant=use_reentrant,
                                                     preserve_rng_state=False))
    assert not np.array_equal(bad[1], ref[1])


def test_backward_leaves_the_random_stream_where_it_was():
    ag.manual_seed(11)
    drop = nn.Dropout(0.5)
    x = ag.tensor(np.ones((4, 4)), requires_grad=True)
    y = ag.checkpoint(drop, x, use_reentrant=False)
    state = generator().bit_generator.state
    y.sum().backward()
    assert generator().bit_generator.state == state


def test_non_reentrant_reaches_parameters_through_autograd_grad():
    ag.manual_seed(0)
    lin = nn.Linear(5, 3).double()
    x = ag.tensor(np.random.default_rng(5).standard_normal((2, 5)))  # needs no grad
    y = ag.checkpoint(lin, x, use_reentrant=False)
    assert y.requires_grad
    gw, gb = ag.grad(y.sum(), [lin.weight, lin.bias])
    np.testing.assert_allclose(gw.numpy(), np.tile(x._data.sum(0), (3, 1)))
    np.testing.assert_allclose(gb.numpy(), np.full(3, 2.0))
    assert lin.weight.grad is None  # autograd.grad accumulates nothing


def test_reentrant_output_needs_an_input_that_requires_grad():
    ag.manual_seed(0)
    lin = nn.Linear(5, 3).double()
    x = ag.tensor(np.ones((2, 5)))
    y = ag.checkpoint(lin, x, use_reentrant=True)  # as torch: no input needs grad
    assert not y.requires_grad


@pytest.mark.parametrize("use_reentrant", MODES)
def test_tuple_outputs_and_non_tensor_arguments(use_reentrant):
    def fn(a, scale, b):
        return a * b * scale, (a + b).sin()

    a = ag.tensor(np.array([0.5, 1.0]), requires_grad=True)
    b = ag.tensor(np.array([2.0, -1.0]), requires_grad=True)
    u, v = ag.checkpoint(fn, a, 3.0, b, use_reentrant=use_reentrant)
    (u.sum() + 2 * v.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), 3 * b._data + 2 * np.cos(a._data + b._data))
    np.testing.assert_allclose(b.grad.numpy(), 3 * a._data + 2 * np.cos(a._data + b._data))


def test_keyword_arguments():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ag.checkpoint(lambda x, power=1: x ** power, x, use_reentrant=False, power=3)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x._data ** 2)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: power"):
        ag.checkpoint(lambda x, power=1: x ** power, x, use_reentrant=True, power=3)


def test_use_reentrant_not_passed_warns_and_means_reentrant():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        y = ag.checkpoint(lambda x: x * 2, x)
    assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"


def test_under_no_grad_it_is_a_plain_call():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        y = ag.checkpoint(lambda x: x * 2, x, use_reentrant=False)
    assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("use_reentrant", MODES)
def test_double_backward_is_refused(use_reentrant):
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ag.checkpoint(lambda x: x ** 3, x, use_reentrant=use_reentrant)
    with pytest.raises(RuntimeError, match="checkpoint does not support double backward"):
        ag.grad(y.sum(), x, create_graph=True)


@pytest.mark.parametrize("use_reentrant", MODES)
def test_outputs_without_grad_are_an_error_in_backward(use_reentrant):
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ag.checkpoint(lambda x: x.detach() * 2 if ag.is_grad_enabled() else x * 2, x,
                      use_reentrant=use_reentrant)
    assert y.requires_grad  # an input needs grad, so the checkpoint node is recorded
    with pytest.raises(RuntimeError, match="none of output has requires_grad=True"):
        y.sum().backward()
