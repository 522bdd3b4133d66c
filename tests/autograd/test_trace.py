"""trace_backward(): one step per node the engine runs, in run order, with the shapes and
gradient norms of each chain-rule step, printed as a table."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.graph import STATE


def graph_nodes(root) -> list:
    """Every Node ``root`` depends on (iterative walk)."""
    out, seen, stack = [], set(), [root.grad_fn]
    while stack:
        v = stack.pop()
        if v is None or v._IS_TENSOR or id(v) in seen:
            continue
        seen.add(id(v))
        out.append(v)
        stack.extend(v.edges)
    return out


def assert_every_op_once_in_reverse_topological_order(steps, loss) -> None:
    nodes = graph_nodes(loss)
    ran = [s.node() for s in steps]
    assert all(n is not None for n in ran)
    assert len(ran) == len({id(n) for n in ran})  # each op once
    assert {id(n) for n in ran} == {id(n) for n in nodes}  # ... and every op
    position = {id(n): i for i, n in enumerate(ran)}
    for i, n in enumerate(ran):  # a node runs only after every consumer has run
        for e in n.edges:
            if e is not None and not e._IS_TENSOR:
                assert position[id(e)] > i, f"{type(e).__name__} ran before its consumer"
    assert [s.op for s in steps] == [type(n).__name__ for n in ran]


def hand_mlp(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = {
        "w1": ag.tensor(rng.standard_normal((4, 5)), requires_grad=True),
        "b1": ag.tensor(rng.standard_normal(5), requires_grad=True),
        "w2": ag.tensor(rng.standard_normal((5, 3)), requires_grad=True),
        "b2": ag.tensor(rng.standard_normal(3), requires_grad=True),
    }
    x = ag.tensor(rng.standard_normal((6, 4)))
    h = (x @ params["w1"] + params["b1"]).tanh()
    h2 = (h @ params["w2"] + params["b2"]).relu()
    loss = (h2.log_softmax(1) * -1).mean() + (h * h).sum() * 0.01  # h is used twice
    return params, x, loss


def test_mlp_trace_lists_every_op_once_in_a_valid_reverse_topological_order() -> None:
    params, x, loss = hand_mlp()
    with ag.trace_backward() as steps:
        loss.backward()
    assert_every_op_once_in_reverse_topological_order(steps, loss)
    assert steps[0].op == type(loss.grad_fn).__name__ == "AddBackward"
    assert steps[0].grad_in_norm == 1.0 and steps[0].output_shape == ()


def test_nn_mlp_trace_lists_every_op_once_and_names_the_modules() -> None:
    ag.manual_seed(0)
    model = nn.MLP([8, 6, 4, 3])
    x = ag.randn(5, 8)
    loss = nn.CrossEntropyLoss()(model(x), ag.tensor(np.array([0, 1, 2, 0, 1])))
    with ag.trace_backward() as steps:
        loss.backward()
    assert_every_op_once_in_reverse_topological_order(steps, loss)
    linear = [s for s in steps if s.op == "LinearBackward"]
    assert [s.module for s in linear] == ["4 Linear", "2 Linear", "0 Linear"]
    # each layer's weight is used once: what the step sent it is its .grad
    for s, layer in zip(linear, (4, 2, 0)):
        w = model[layer].weight
        assert s.grad_out_norms[1] == pytest.approx(np.linalg.norm(w.grad._data), rel=1e-5)
        assert s.input_shapes[1] == w.shape
    assert linear[-1].grad_out_norms[0] is None  # no gradient flows into the data
    assert "module" in str(steps).splitlines()[0]


def test_step_fields_are_the_chain_rule_quantities() -> None:
    w = ag.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], requires_grad=True, dtype="float64")
    x = ag.tensor([[1.0, -1.0, 2.0]], dtype="float64")  # needs no grad
    with ag.trace_backward() as steps:
        (x @ w).sum().backward()
    total, mm = steps
    assert (total.op, total.input_shapes, total.output_shape) == ("SumBackward", ((1, 2),), ())
    assert total.grad_in_norm == 1.0
    assert total.grad_out_norms == pytest.approx((np.sqrt(2),))
    assert mm.op == "MatMulBackward"
    assert mm.input_shapes == ((1, 3), (3, 2)) and mm.output_shape == (1, 2)  # x too
    assert mm.grad_in_norm == pytest.approx(np.sqrt(2))
    assert mm.grad_out_norms[0] is None  # nothing flows to x
    assert mm.grad_out_norms[1] == pytest.approx(np.linalg.norm(w.grad._data))
    assert mm.module is None


def test_the_table_has_a_header_and_one_row_per_step() -> None:
    _, _, loss = hand_mlp()
    with ag.trace_backward() as steps:
        loss.backward()
    lines = str(steps).splitlines()
    assert lines[0].split()[:2] == ["step", "op"]
    assert "|grad in|" in lines[0] and "|grad out| per input" in lines[0]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + len(steps)
    for i, (line, step) in enumerate(zip(lines[2:], steps)):
        assert line.split()[:2] == [str(i), step.op]
        assert f"{step.grad_in_norm:.3g}" in line
    assert "—" in str(steps)  # x gets no gradient: shown as a dash


def test_long_traces_are_shortened_in_repr_but_not_in_str() -> None:
    x = ag.randn(3, requires_grad=True)
    y = x
    for _ in range(200):
        y = y * 1.0
    with ag.trace_backward() as steps:
        y.sum().backward()
    assert len(steps) == 201
    assert len(str(steps).splitlines()) == 203
    short = repr(steps).splitlines()
    assert len(short) <= 63 and any("more steps" in line for line in short)
    assert "(no backward step traced" in str(ag.viz.trace.BackwardTrace())


def test_tracing_is_off_outside_the_block_and_blocks_nest() -> None:
    x = ag.randn(3, requires_grad=True)
    assert STATE.tracer is None
    with ag.trace_backward() as outer:
        with ag.trace_backward() as inner:
            (x * 2).sum().backward()
        (x * 3).sum().backward()
    (x * 4).sum().backward()
    assert STATE.tracer is None
    assert [s.op for s in inner] == ["SumBackward", "MulBackward"]
    assert [s.op for s in outer] == ["SumBackward", "MulBackward"]
    assert inner[1].grad_out_norms[0] == pytest.approx(2 * np.sqrt(3), rel=1e-6)
    assert outer[1].grad_out_norms[0] == pytest.approx(3 * np.sqrt(3), rel=1e-6)


def test_a_trace_does_not_keep_the_graph_alive() -> None:
    x = ag.randn(3, requires_grad=True)
    y = (x * 2).exp()
    with ag.trace_backward() as steps:
        y.sum().backward()
    assert steps[-1].node() is y.grad_fn.edges[0]
    del y
    gc.collect()
    assert all(s.node() is None for s in steps)
    assert steps[1].op == "ExpBackward"  # the recorded facts stay


class Split(ag.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2, a * 3

    @staticmethod
    def backward(ctx, ga, gb):
        return ga * 2 + gb * 3


def test_a_multi_output_function_gets_the_joint_norm_of_its_output_gradients() -> None:
    x = ag.tensor([1.0, -2.0], requires_grad=True, dtype="float64")
    a, b = Split.apply(x)
    with ag.trace_backward() as steps:
        (a.sum() + (b * b).sum()).backward()
    split = next(s for s in steps if s.op == "SplitBackward")
    ga = np.ones(2)
    gb = 2 * 3 * x._data
    assert split.grad_in_norm == pytest.approx(np.sqrt(ga @ ga + gb @ gb))
    assert split.grad_out_norms[0] == pytest.approx(np.linalg.norm(2 * ga + 3 * gb))


def test_create_graph_backward_is_traced() -> None:
    x = ag.tensor([1.0, -2.0], requires_grad=True, dtype="float64")
    with ag.trace_backward() as steps:
        (x * x * x).sum().backward(create_graph=True)
    assert [s.op for s in steps] == ["SumBackward", "MulBackward", "MulBackward"]
    assert steps[-1].grad_in_norm == pytest.approx(np.linalg.norm(x._data))
    assert np.linalg.norm(x.grad._data) == pytest.approx(np.linalg.norm(3 * x._data ** 2))


def test_numpy_scalar_gradients_have_norms() -> None:
    x = ag.randn(3, requires_grad=True)
    with ag.trace_backward() as steps:
        ((x * x).sum() * 0.5).backward()  # Mul's VJP hands the Sum a NumPy scalar
    assert [s.grad_in_norm for s in steps[:2]] == [1.0, 0.5]
    assert steps[0].grad_out_norms == (0.5, None)


def test_multi_output_function_under_create_graph() -> None:
    x = ag.tensor([1.0, -2.0], requires_grad=True, dtype="float64")
    a, b = Split.apply(x)
    with ag.trace_backward() as steps:
        (a.sum() + b.sum()).backward(create_graph=True)
    assert any(s.op == "SplitBackward" for s in steps)
