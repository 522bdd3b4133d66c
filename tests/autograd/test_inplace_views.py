"""In-place ops through views and detach(), and in-place ops that record (issue 13 items 1, 5).

torch 2 is the oracle: each expected value or exception below is what it gives.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

MODIFIED = "modified by an inplace operation"


def _saved_product():
    w = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    c = ag.tensor([1.0, 2.0, 3.0])
    return w, c, (w * c).sum()


# -- item 1: a view's version is its base's ------------------------------------------------
def test_zeroing_an_element_view_of_a_saved_tensor_raises() -> None:
    w, c, loss = _saved_product()
    c[0].zero_()
    assert c.tolist() == [0.0, 2.0, 3.0]  # c[0] is a view: the write reaches c
    with pytest.raises(RuntimeError, match=MODIFIED):  # torch raises
        loss.backward()


def test_augmented_assignment_through_a_slice_raises() -> None:
    w, c, loss = _saved_product()
    v = c[0:2]
    v += 100
    assert c.tolist() == [101.0, 102.0, 3.0] and c._version == v._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_in_place_through_a_reshape_raises() -> None:
    w, c, loss = _saved_product()
    c.reshape(3, 1).mul_(0)
    assert c.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_in_place_through_detach_raises_for_saved_inputs_and_outputs() -> None:
    w = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    loss = (w * y).sum()
    y.detach().add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()
    e = x.exp()  # exp saves its output
    e.detach().add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        e.sum().backward()


@pytest.mark.parametrize("make_view", [
    lambda c: c.T[0], lambda c: c.transpose(0, 1), lambda c: c.permute(1, 0),
    lambda c: c.unsqueeze(0)[0], lambda c: c.view(6), lambda c: c.flatten(),
    lambda c: c[:, 1], lambda c: c[..., None].squeeze(-1),
])
def test_every_view_shares_the_counter(make_view) -> None:
    w = ag.ones(2, 3, requires_grad=True)
    c = ag.tensor(np.arange(6.0).reshape(2, 3))
    loss = (w * c).sum()
    make_view(c).mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_changing_the_base_is_seen_where_a_view_was_saved() -> None:
    w = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    c = ag.tensor([[1.0, 2.0, 3.0]])
    loss = (w * c[0]).sum()
    c.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_copies_do_not_share_the_counter() -> None:
    w = ag.tensor([1.0, 1.0], requires_grad=True)
    c = ag.tensor([1.0, 2.0, 3.0])
    loss = (w * c[[0, 1]]).sum()  # integer-array indexing copies (torch too)
    c.zero_()
    loss.backward()
    assert w.grad.tolist() == [1.0, 2.0]  # torch: [1., 2.]
    d = c.data  # .data has a counter of its own (torch)
    d.add_(1)
    assert c._version == 1 and d._version == 1


# -- item 5: in-place ops change the tensor itself and are recorded -------------------------
def test_augmented_add_of_a_grad_tensor_changes_c_itself_and_records() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = ag.zeros(3)
    alias = c
    c += x * 2
    assert c is alias and c.requires_grad and type(c.grad_fn).__name__ == "AddBackward"
    assert c.tolist() == [2.0, 4.0, 6.0]
    (c * c).sum().backward()
    assert x.grad.tolist() == [8.0, 16.0, 24.0]  # torch


def test_recorded_mul_uses_the_value_before_the_change() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.mul_(x)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]  # torch


@pytest.mark.parametrize(("apply", "expected"), [
    (lambda y: y.zero_(), [0.0, 0.0, 0.0]),
    (lambda y: y.pow_(2).exp_(), [5.436564, 218.3926, 48618.96]),
    (lambda y: y.neg_(), [-1.0, -1.0, -1.0]),
    (lambda y: y.div_(2.0).sub_(ag.ones(3), alpha=3).add_(1), [0.5, 0.5, 0.5]),
])
def test_in_place_methods_are_recorded(apply, expected) -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    apply(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_clamp_copy_and_fill_in_place() -> None:
    x = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 1
    y.clamp_(-1, 2)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]  # torch
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = ag.zeros(2, 3)
    z.copy_(x)
    (z * ag.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))).sum().backward()
    assert x.grad.tolist() == [3.0, 5.0, 7.0]  # torch
    v = ag.tensor(2.0, requires_grad=True)
    f = ag.zeros(3)
    f.fill_(v)
    (f * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert v.grad.item() == 6.0  # torch
    i = ag.zeros(3, dtype=np.int64)
    i.fill_(1.7)  # fill_ casts, as torch
    assert i.tolist() == [1, 1, 1]


def test_no_graph_in_place_keeps_values_and_alpha() -> None:
    c = ag.zeros(3)
    c.add_(ag.ones(3), alpha=2).sub_(ag.ones(3), alpha=0.5)
    assert c.tolist() == [1.5, 1.5, 1.5] and c._version == 2


def test_in_place_that_would_change_shape_or_dtype_raises() -> None:
    c = ag.zeros(3)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the "
                                           r"broadcast shape \[2, 3\]"):
        c += ag.ones(2, 3)
    i = ag.zeros(3, dtype=np.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        i += ag.ones(3)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        i += 1.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.exp_()
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        c += x * ag.ones(2, 3)
    assert c.tolist() == [0.0, 0.0, 0.0] and i.tolist() == [0, 0, 0] and not c.requires_grad


def test_leaf_requiring_grad_refuses_in_place_outside_no_grad() -> None:
    w = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.mul_(2)
    with ag.no_grad():
        w.mul_(2)
    assert w.tolist() == [2.0, 2.0, 2.0] and w.is_leaf


def test_recorded_in_place_on_an_index_view_rewrites_the_base_as_torch() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = x * 2
    c[0:2].mul_(0)
    c.sum().backward()
    assert c.tolist() == [0.0, 0.0, 6.0] and x.grad.tolist() == [0.0, 0.0, 2.0]  # torch
    base = ag.zeros(3)
    y = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base[0:2].add_(y[0:2] * 3)
    assert base.requires_grad and base.tolist() == [3.0, 6.0, 0.0]
    (base * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert y.grad.tolist() == [3.0, 6.0, 0.0]  # torch


@pytest.mark.parametrize(("view", "want"), [
    (lambda t: t.reshape(3, 1), ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 28.0)),
    (lambda t: t[0:2][0:1], ([1.0, 4.0, 6.0], [1.0, 4.0, 6.0], 2.0)),
    (lambda t: t[1:].unsqueeze(0).t(), ([2.0, 2.0, 3.0], [2.0, 2.0, 3.0], 26.0)),
])
def test_recorded_in_place_on_any_view_rewrites_the_base_as_torch(view, want) -> None:
    # torch's CopySlices for every view: reshape, a view of a view, transpose... (torch's
    # numbers; chainrule refused all but a tensor indexed directly)
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = ag.tensor(0.5, requires_grad=True)
    c = x * 2
    view(c).mul_(s)
    (c * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert (c.tolist(), x.grad.tolist(), s.grad.item()) == want


def test_in_place_through_a_strided_transposed_view_of_a_view() -> None:
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    v = ag.tensor([10.0, 20.0], requires_grad=True)
    y = x * 1
    y[::2].t()[1] += v * v
    (y * ag.arange(9.0).reshape(3, 3)).sum().backward()
    assert y.tolist() == [[1.0, 102.0, 3.0], [4.0, 5.0, 6.0], [7.0, 408.0, 9.0]]  # torch
    assert x.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    assert v.grad.tolist() == [20.0, 280.0]


def test_views_taken_before_an_in_place_change_of_the_base_see_its_gradient() -> None:
    # torch regenerates a view's grad_fn after its base changed in place; the old node
    # left v's gradient out of z silently
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = ag.tensor([2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    z = y.reshape(3, 1).t()
    e = y[1:].exp()
    y.mul_(v)
    (z * ag.tensor([[1.0, 2.0, 3.0]])).sum().add(e.sum()).backward()
    assert z.tolist() == [[2.0, 6.0, 12.0]]  # torch
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 13.389056205749512, 32.08553695678711],
                               rtol=1e-6)
    assert v.grad.tolist() == [1.0, 4.0, 9.0]
    b = ag.zeros(3)
    zb = b[1:]
    v = ag.tensor([2.0, 3.0, 4.0], requires_grad=True)
    b.add_(v)  # a constant base made to require grad: so does its view
    assert zb.requires_grad
    (zb * ag.tensor([5.0, 7.0])).sum().backward()
    assert v.grad.tolist() == [0.0, 5.0, 7.0]


def test_recorded_in_place_on_a_detached_tensor_raises_rather_than_losing_the_gradient() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = x * 2
    with pytest.raises(RuntimeError, match="detach"):
        c.detach().mul_(ag.tensor(0.0, requires_grad=True))
    assert c.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="read-only"):
        c[0:1].expand(3).mul_(ag.tensor(0.0, requires_grad=True))


def test_setitem_in_a_graph_is_recorded() -> None:
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = ag.tensor([10.0, 20.0], requires_grad=True)
    t = x * 1
    t[1:3] = v * 2
    (t * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 4.0] and v.grad.tolist() == [4.0, 6.0]  # torch
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = ag.tensor([10.0, 20.0], requires_grad=True)
    t = x * 1
    t[1:3] += v * x[0:2]
    (t * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert t.tolist() == [1.0, 12.0, 43.0, 4.0]  # torch
    assert x.grad.tolist() == [21.0, 62.0, 3.0, 4.0] and v.grad.tolist() == [2.0, 6.0]


def test_setitem_of_a_grad_value_into_a_constant_and_of_a_constant_into_a_graph() -> None:
    c = ag.zeros(3)
    w = ag.tensor(2.0, requires_grad=True)
    c[1] = w
    (c * ag.tensor([1.0, 5.0, 1.0])).sum().backward()
    assert c.requires_grad and w.grad.item() == 5.0  # torch: True, 5.
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = x * 1
    t[0] = 7.0
    t.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]  # torch
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 1.0


def test_copy_without_a_graph_broadcasts_casts_and_checks_the_shape() -> None:
    t = ag.zeros(2, 3, dtype=np.int64)
    t.copy_(ag.tensor([1.7, 2.2, -3.9]))  # torch: casts to the target dtype, truncating
    assert t.tolist() == [[1, 2, -3], [1, 2, -3]] and t._version == 1
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        t.copy_(ag.ones(4))
    g = ag.ones(3)
    g.zero_()
    assert g.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="read-only"):
        ag.ones(3).expand(2, 3).zero_()


@pytest.mark.parametrize("change", ["mul_", "iadd", "relu_", "slice"])
def test_relu_output_changed_in_place_raises_as_torch(change) -> None:
    # relu keeps a mask, not its output, yet a changed output still refuses backward
    # (torch saves the result and raises); the gradient of an unchanged one is [not x <= 0]
    # (torch's threshold_backward: 1 at NaN).
    x = ag.tensor([-1.0, 2.0, 0.0, np.nan], requires_grad=True)
    y = x.relu()
    if change == "mul_":
        y.mul_(2)
    elif change == "iadd":
        y += 1
    elif change == "relu_":
        y.relu_()
    else:
        y[1:3] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0, 1.0])
