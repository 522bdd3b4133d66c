"""Issue 15's ops (part A) against torch: values, dtypes, shapes and gradients of each
expression of spec_ops_more.py, and the errors torch raises for bad dims and indices."""

from __future__ import annotations

import numpy as np
import pytest
from spec_ops_more import SPEC, run
from torch_values_ops_more import EXPECTED

import autograd as ag


def _close(got, want) -> None:
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(want, dtype=float),
                               rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_matches_torch(name: str) -> None:
    got, want = run(ag, name), EXPECTED[name]
    assert got["shapes"] == want["shapes"]
    assert got["dtypes"] == want["dtypes"]
    for g, w in zip(got["values"], want["values"]):
        _close(g, w)
    assert ("grads" in got) == ("grads" in want)
    for g, w in zip(got.get("grads", []), want.get("grads", [])):
        assert (g is None) == (w is None), name
        if w is not None:
            _close(g, w)


def test_every_spec_has_a_torch_answer() -> None:
    assert set(SPEC) == set(EXPECTED)


@pytest.mark.parametrize("call", [
    lambda x: x.cumsum(2), lambda x: ag.gather(x, -3, np.zeros((1, 1), np.int64)),
    lambda x: x.sort(5), lambda x: x.flip(2), lambda x: x.prod(-3), lambda x: x.norm(dim=2),
    lambda x: x.roll(1, 4), lambda x: ag.index_select(x, 2, np.array([0])),
    lambda x: x.diagonal(0, 0, 2), lambda x: x.cummax(-3),
])
def test_dim_out_of_range_raises_index_error(call) -> None:
    with pytest.raises(IndexError, match="out of range"):
        call(ag.zeros(2, 3))


def test_index_errors_name_the_problem() -> None:
    x = ag.zeros(2, 3)
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(1, ag.tensor([[3]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, ag.tensor([0]))
    with pytest.raises(RuntimeError, match="Expected dtype int64"):
        x.gather(1, ag.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="sum exactly"):
        x.split([1, 1], 1)
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        ag.dot(x, x)
    with pytest.raises(RuntimeError, match="bmm"):
        ag.bmm(x, x)
    with pytest.raises(RuntimeError, match="reduce argument"):
        x.scatter_reduce(0, ag.tensor([[0]]), x, "max")


def test_cumprod_and_prod_gradients_at_zeros_are_exact_to_second_order() -> None:
    # one zero: d(prod)/dx_k is the product of the others; its derivative is not zero
    x = ag.tensor([2.0, 0.0, 3.0, 5.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.grad(x.prod(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [0.0, 30.0, 0.0, 0.0])
    (h,) = ag.grad(g[1], x)
    np.testing.assert_allclose(h.numpy(), [15.0, 0.0, 10.0, 6.0])
    (gc,) = ag.grad(x.cumprod(0).sum(), x, create_graph=True)
    np.testing.assert_allclose(gc.detach().numpy(), [1.0, 2 + 6 + 30, 0.0, 0.0])
    (hc,) = ag.grad(gc[1], x)
    np.testing.assert_allclose(hc.numpy(), [1 + 3 + 15, 0.0, 2 + 10, 6.0])


def test_cummax_routes_to_the_last_tie_and_nan_wins() -> None:
    v, i = ag.cummax(ag.tensor([1.0, float("nan"), 0.5, float("nan")]), 0)
    assert i.tolist() == [0, 1, 1, 3]
    assert np.isnan(v.numpy()[1:]).all()


def test_index_put_accumulates_repeats_and_records_the_write() -> None:
    base = ag.zeros(3, dtype=ag.float64)
    base.index_put_((ag.tensor([0, 0, 2]),), ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64),
                    accumulate=True)
    assert base.tolist() == [3.0, 0.0, 3.0]
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    v = ag.tensor([5.0, 7.0], dtype=ag.float64, requires_grad=True)
    y = x * 1.0
    y.index_put_((ag.tensor([1, 1]),), v, accumulate=False)
    assert y.tolist() == [1.0, 7.0, 3.0]  # the last write wins, as torch on CPU
    (y * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    # torch's index_put VJP gives every value the gradient at its index, repeats too
    assert x.grad.tolist() == [1.0, 0.0, 3.0] and v.grad.tolist() == [2.0, 2.0]


def test_scatter_reduce_prod_refuses_a_silent_second_derivative() -> None:
    x = ag.tensor([[1.0, 2.0]], dtype=ag.float64, requires_grad=True)
    y = x.scatter_reduce(1, ag.tensor([[0, 0]]), x, "prod")
    (g,) = ag.grad(y.sum(), x, create_graph=False)
    assert g.shape == (1, 2)
    with pytest.raises(NotImplementedError, match="once"):
        ag.grad(x.scatter_reduce(1, ag.tensor([[0, 0]]), x, "prod").sum(), x,
                create_graph=True)


def test_methods_and_properties() -> None:
    x = ag.zeros(2, 3, 4)
    assert x.nelement() == 24 and x.mT.shape == (2, 4, 3) and x.contiguous() is x
    assert [t.shape for t in x.chunk(3, -1)] == [(2, 3, 2), (2, 3, 2)]
    assert [t.shape for t in x.unbind(0)] == [(3, 4), (3, 4)]



def test_mT_below_two_dims_warns_and_returns_a_view() -> None:
    # torch raises RuntimeError; raising made hasattr(t, "mT") raise, which stopped the
    # contract's surface check: a warning names the difference instead
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="torch raises RuntimeError"):
        y = x.mT
    assert y is not x and y.tolist() == [1.0, 2.0]
    (y * ag.tensor([3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]
    with pytest.warns(UserWarning, match="0-D"):
        assert ag.tensor(5.0).mT.item() == 5.0

def test_flip_takes_dims_as_the_method_does_and_integer_means_round_down() -> None:
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.flip(0, 1).tolist() == [[4.0, 3.0], [2.0, 1.0]] == ag.flip(x, (0, 1)).tolist()
    y = ag.tensor([1, 2, 3]).scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([5, 6]), "mean")
    assert y.dtype == ag.int64 and y.tolist() == [4, 2, 3]  # torch: (1 + 5 + 6) // 3
