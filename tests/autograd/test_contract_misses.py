"""Issue 13 item 15 and its three small contract misses: a VJP's wrong-shaped gradient is
caught where it is produced; ``y * 3.0`` keeps no ``y``; ``pad`` takes NumPy's one nested
pair; traces give the shape of every input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops.arith import MulBackward


def test_a_vjp_returning_a_wrong_shape_is_named_where_it_is_produced(monkeypatch) -> None:
    right = MulBackward.vjp

    def wrong(self, g, xp):  # a broken built-in VJP: its first gradient lost an element
        ga, gb = right(self, g, xp)
        return (None if ga is None else ga[:1]), gb

    monkeypatch.setattr(MulBackward, "vjp", wrong)
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    # exp's VJP would broadcast the (1,) gradient against its (3,) output silently
    y = x.exp() * 2.0
    with pytest.raises(RuntimeError, match=r"MulBackward returned an invalid gradient at "
                                           r"index 0 - got shape \(1,\) but expected "
                                           r"shape \(3,\)"):
        y.sum().backward()
    assert x.grad is None


def test_product_and_quotient_by_a_constant_do_not_save_the_tensor() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z, q, r = y * 3.0, y / 4.0, 3.0 * y
    with ag.no_grad():
        y += 1  # only the constants are needed: no version check on y (torch)
    (z.sum() + q.sum() + r.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.5, 12.5])  # torch: [12.5, 12.5]


def test_a_divisor_that_changed_still_raises() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = ag.tensor([5.0, 7.0]) / y  # the gradient needs y: torch raises
    with ag.no_grad():
        y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize(("width", "shape"), [
    (((2, 1),), (5, 6)), ((2, 1), (5, 6)), (1, (4, 5)), (((1, 0), (2, 3)), (3, 8)),
])
def test_pad_takes_numpys_width_forms(width, shape) -> None:
    x = ag.ones(2, 3, requires_grad=True)
    y = ag.pad(x, width)
    assert y.shape == shape == np.pad(np.ones((2, 3)), width).shape
    y.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2


def test_trace_gives_the_shape_of_inputs_that_need_no_grad() -> None:
    w = ag.ones(3, requires_grad=True)
    c = ag.ones(2, 3)
    with ag.trace_backward() as steps:
        (w * c * 2.0 + ag.cat([w, ag.zeros(2)]).sum()).sum().backward()
    shapes = {s.op: s.input_shapes for s in steps}
    assert [s.input_shapes for s in steps if s.op == "MulBackward"] == [((2, 3), ()),
                                                                        ((3,), (2, 3))]
    assert shapes["CatBackward"] == ((3,), (2,))
