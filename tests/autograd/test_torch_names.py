"""torch's other names and small compositions (autograd/ops/torch_names.py): values, dtypes
and gradients equal torch 2.13's (written in torch_values_names.py), the in-place variants,
and torch's errors."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

sys.path.insert(0, str(Path(__file__).parent))
import spec_torch_names as S  # noqa: E402
from torch_values_names import VALUES  # noqa: E402


def test_every_spec_call_has_torchs_answer() -> None:
    assert sorted(S.CASES) == sorted(VALUES)


@pytest.mark.parametrize("name", sorted(S.CASES))
def test_matches_torch(name: str) -> None:
    with np.errstate(all="ignore"):
        outs, dtypes, grads = S.run(ag, name)
    exp = VALUES[name]
    assert dtypes == exp["dtypes"]
    assert len(outs) == len(exp["outs"])
    for got, want in zip(outs, exp["outs"]):
        np.testing.assert_allclose(got, np.array(want, dtype=float), rtol=1e-12, atol=1e-12,
                                   equal_nan=True)
        assert got.shape == np.shape(want)
    for got, want in zip(grads, exp["grads"]):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, np.array(want, dtype=float), rtol=1e-12,
                                       atol=1e-12, equal_nan=True)


def test_amax_splits_ties_where_max_dim_picks_one() -> None:
    x = ag.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    ag.amax(x, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.5, 0.5]])  # torch's amax
    y = ag.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    y.max(1).values.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0, 1.0, 0.0]])  # torch's max(dim)
    assert ag.amax(x, 1).grad_fn.name() == "AmaxBackward0"


@pytest.mark.parametrize(("method", "args", "want"), [
    ("floor_", (), [0.0, -2.0, 2.0]),
    ("round_", (), [0.0, -2.0, 2.0]),
    ("reciprocal_", (), [1 / 0.3, -1 / 1.7, 0.4]),
    ("clamp_min_", (0.0,), [0.3, 0.0, 2.5]),
    ("clip_", (-1.0, 1.0), [0.3, -1.0, 1.0]),
    ("lerp_", ([1.0, 1.0, 1.0], 0.5), [0.65, -0.35, 1.75]),
    ("masked_fill_", ([True, False, True], 9.0), [9.0, -1.7, 9.0]),
])
def test_inplace_variants_change_the_tensor_and_return_it(method, args, want) -> None:
    x = ag.tensor([0.3, -1.7, 2.5], dtype=ag.float64)
    args = tuple(ag.tensor(a) if isinstance(a, list) else a for a in args)
    version = x._version
    assert getattr(x, method)(*args) is x
    np.testing.assert_allclose(x.numpy(), want, rtol=1e-15)
    assert x._version > version


def test_inplace_variant_on_a_graph_and_its_errors() -> None:
    a = ag.tensor([0.3, -1.7, 2.5], requires_grad=True)
    b = a * 2
    b.masked_fill_(ag.tensor([False, True, False]), 0.0)
    (b * b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [2.4, 0.0, 20.0], rtol=1e-6)
    with pytest.raises(RuntimeError, match="leaf"):
        a.floor_()
    with pytest.raises(RuntimeError, match="can't be cast"):
        ag.tensor([1, 2]).reciprocal_()  # a float result into an int tensor, as torch


def test_errors_as_torch() -> None:
    x = ag.zeros(2, 4)
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        ag.narrow(x, 1, 3, 2)
    with pytest.raises(IndexError):
        x.select(1, 4)
    with pytest.raises(RuntimeError, match="maximum size"):
        x.unfold(1, 5, 1)
    with pytest.raises(RuntimeError, match="step"):
        x.unfold(1, 2, 0)
    with pytest.raises(IndexError, match="non-zero size"):
        ag.amax(ag.zeros(2, 0), 1)
    with pytest.raises(RuntimeError, match="multiple times"):
        ag.amax(x, (1, -1))
    with pytest.raises(RuntimeError, match="broadcast"):
        ag.broadcast_shapes((2, 3), (4,))
    with pytest.raises(RuntimeError, match="indexing"):
        ag.meshgrid(ag.zeros(2), indexing="yx")
    with pytest.raises(RuntimeError, match="bool"):
        ag.positive(ag.tensor([True]))
    with pytest.warns(UserWarning, match="indexing argument"):
        ag.meshgrid(ag.zeros(2), ag.zeros(3))


def test_small_names() -> None:
    x = ag.tensor([[1.0, 0.0, 2.0]])
    assert ag.numel(x) == 3 and ag.is_tensor(x) and not ag.is_tensor(x.numpy())
    assert ag.is_floating_point(x) and not ag.is_floating_point(ag.tensor([1]))
    assert ag.is_nonzero(ag.tensor([2.0])) and not ag.is_nonzero(ag.tensor(0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        ag.is_nonzero(x)
    assert ag.count_nonzero(x).item() == 2 and ag.count_nonzero(x).dtype == ag.int64
    assert ag.t(x).shape == (3, 1) and ag.ravel(x).shape == (3,)
    assert ag.concat([x, x]).shape == (2, 3) and ag.concatenate([x, x], 1).shape == (1, 6)
    assert x.stride() == (3, 1) and x.t().stride(0) == 1
    assert ag.broadcast_shapes((2, 1), (3,)) == (2, 3)
    np.testing.assert_array_equal(ag.triu_indices(3, 3, 1).numpy(), [[0, 0, 1], [1, 2, 2]])
    np.testing.assert_array_equal(ag.tril_indices(2, 3).numpy(), [[0, 1, 1], [0, 0, 1]])
    mn, mx = ag.aminmax(ag.tensor([3.0, -1.0, 2.0]))
    assert (mn.item(), mx.item()) == (-1.0, 3.0)
    assert ag.aminmax(x, dim=1).max.shape == (1,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.logaddexp(ag.tensor(-np.inf), ag.tensor(-np.inf)).item() == -np.inf
