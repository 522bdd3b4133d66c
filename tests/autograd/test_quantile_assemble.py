"""quantile / nanquantile (autograd/ops/quantile.py) against torch 2.13's values and
gradients (torch_values_quantile.py), their shapes and errors; and the assembled tensors
and trapezoid rule of autograd/ops/assemble.py: values, dtypes, gradients and errors as
torch's."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

sys.path.insert(0, str(Path(__file__).parent))
from torch_values_quantile import QUANTILE, A  # noqa: E402


@pytest.mark.parametrize("key", sorted(QUANTILE, key=str), ids=str)
def test_quantile_values_and_gradients_equal_torchs(key) -> None:
    fn, mode, dim, keep = key
    shape, values, grad = QUANTILE[key]
    x = ag.tensor(np.array(A), requires_grad=True)
    q = ag.tensor(np.array([0.1, 0.5, 0.85]))
    y = getattr(ag, fn)(x, q, dim=dim, keepdim=keep, interpolation=mode)
    assert list(y.shape) == shape
    got = np.nan_to_num(y.detach().numpy(), nan=1e300).ravel()
    np.testing.assert_allclose(got, values, rtol=1e-15)
    w = ag.tensor(np.linspace(-1, 2, y.numel()).reshape(shape))
    (g,) = ag.grad(y, x, w)
    np.testing.assert_allclose(g.numpy().ravel(), grad, rtol=1e-14, atol=1e-15)


def test_quantile_scalar_q_shapes_and_methods() -> None:
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.quantile(0.5).shape == ()
    assert x.quantile(0.5).item() == 11.5
    assert x.quantile(0.25, dim=1).shape == (2, 4)
    assert x.quantile(0.25, dim=-1, keepdim=True).shape == (2, 3, 1)
    assert x.quantile(0.25, keepdim=True).shape == (1, 1, 1)
    assert x.nanquantile(ag.tensor(np.array([0.5, 1.0])), dim=0).shape == (2, 3, 4)
    assert ag.quantile(ag.tensor(np.array(2.0)), 0.3).shape == ()
    f32 = ag.tensor([1.0, 2.0, 4.0])
    assert ag.quantile(f32, 0.75).dtype == ag.float32
    assert ag.quantile(f32, 0.75).item() == 3.0


def test_nanquantile_of_all_nan_is_nan() -> None:
    x = ag.tensor([[math.nan, math.nan], [1.0, 3.0]])
    out = ag.nanquantile(x, 0.5, dim=1)
    assert math.isnan(out[0].item()) and out[1].item() == 2.0
    assert math.isnan(ag.quantile(x, 0.5).item())


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ag.quantile(ag.tensor([1, 2]), 0.5), RuntimeError, "float or double dtype"),
    (lambda: ag.quantile(ag.tensor([1.0]), 1.5), RuntimeError,
     r"q must be in the range \[0, 1\] but got 1.5"),
    (lambda: ag.quantile(ag.tensor([1.0]), ag.tensor([0.5, 2.0])), RuntimeError,
     r"q values must be in the range \[0, 1\]"),
    (lambda: ag.quantile(ag.tensor([1.0]), ag.ones(1, 1) * 0.5), RuntimeError,
     "scalar or 1D tensor"),
    (lambda: ag.quantile(ag.tensor([1.0]), ag.tensor(np.array([0.5]))), RuntimeError,
     "same dtype as the input"),
    (lambda: ag.nanquantile(ag.ones(0), 0.5), RuntimeError, "must be non-empty"),
    (lambda: ag.quantile(ag.ones(2), 0.5, interpolation="cubic"), RuntimeError,
     "but got cubic"),
    (lambda: ag.quantile(ag.ones(2), 0.5, dim=3), IndexError, "Dimension out of range"),
    (lambda: ag.quantile(ag.ones(2), [0.5]), TypeError, "'q'"),
])
def test_quantile_errors(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


# -- assembled tensors ----------------------------------------------------------------------
def test_cartesian_prod_and_combinations() -> None:
    a, b = ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0, 5.0])
    np.testing.assert_array_equal(ag.cartesian_prod(a, b).numpy(),
                                  [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]])
    assert ag.cartesian_prod(a) is a
    c = ag.tensor([1, 2, 3])
    np.testing.assert_array_equal(ag.combinations(c).numpy(), [[1, 2], [1, 3], [2, 3]])
    assert ag.combinations(c, 3, with_replacement=True).shape == (10, 3)
    assert ag.combinations(c, 4).shape == (0, 4)
    assert ag.combinations(c, 0).shape == (0,)
    x = ag.tensor([0.5, 2.0, -1.0], requires_grad=True)
    (g,) = ag.grad(ag.combinations(x).prod(-1).sum(), x)
    np.testing.assert_allclose(g.numpy(), [1.0, -0.5, 2.5])  # torch 2.13
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[1, 3\]"):
        ag.combinations(c.reshape(1, 3))
    with pytest.raises(RuntimeError, match="non-negative number, but got -1"):
        ag.combinations(c, -1)
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.cartesian_prod(a, c)


def test_block_diag() -> None:
    out = ag.block_diag(ag.tensor(np.array(2.0)), ag.tensor([1, 2]), ag.ones(2, 2))
    np.testing.assert_array_equal(out.numpy(), [[2, 0, 0, 0, 0], [0, 1, 2, 0, 0],
                                                [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]])
    assert out.dtype == ag.float32  # torch's promotion (the 0-d float64 weighs less)
    assert ag.block_diag().shape == (1, 0)
    x = ag.tensor([[1.0, 2.0]], requires_grad=True)
    y = ag.tensor([3.0], requires_grad=True)
    w = ag.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    gx, gy = ag.grad(ag.block_diag(x, y), [x, y], w)
    np.testing.assert_array_equal(gx.numpy(), [[0.0, 1.0]])
    np.testing.assert_array_equal(gy.numpy(), [5.0])
    with pytest.raises(RuntimeError, match="Input 0 has 3 dimensions"):
        ag.block_diag(ag.ones(2, 2, 2))


def test_vander() -> None:
    np.testing.assert_array_equal(ag.vander(ag.tensor([1, 2, 3]), 4).numpy(),
                                  [[1, 1, 1, 1], [8, 4, 2, 1], [27, 9, 3, 1]])
    assert ag.vander(ag.tensor([1, 2])).dtype == ag.int64
    assert ag.vander(ag.tensor([1.0, 2.0]), 3, increasing=True).dtype == ag.float32
    assert ag.vander(ag.tensor([1.0, 2.0]), 0).shape == (2, 0)
    # torch's own backward raises here (an in-place copy in its vander); ours is the
    # exact derivative Σₖ k xᵏ⁻¹
    x = ag.tensor([0.5, 2.0, 0.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.grad(ag.vander(x, 4).sum(), x)
    np.testing.assert_allclose(g.numpy(), [2.75, 17.0, 1.0])
    with pytest.raises(RuntimeError, match="one-dimensional"):
        ag.vander(ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="N must be non-negative"):
        ag.vander(ag.ones(2), -1)


def test_trapezoid_and_cumulative() -> None:
    y = ag.tensor([1.0, 2.0, 4.0])
    assert ag.trapezoid(y).item() == 4.5
    assert ag.trapz(y, dx=2).item() == 9.0
    assert ag.trapezoid(y, ag.tensor([1.0, 2.0, 5.0])).item() == 10.5
    assert ag.trapezoid(ag.tensor([1, 2, 4])).dtype == ag.float32
    assert ag.trapezoid(ag.ones(0)).item() == 0.0
    np.testing.assert_array_equal(ag.cumulative_trapezoid(ag.tensor([1, 2, 4])).numpy(),
                                  [1.5, 4.5])
    assert ag.cumulative_trapezoid(ag.ones(0)).shape == (0,)
    m = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    xs = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    out = ag.trapezoid(m * m, xs, dim=0)
    np.testing.assert_allclose(out.detach().numpy(), [4.5, 8.5, 14.5])
    gm, gx = ag.grad(out.sum(), [m, xs])
    np.testing.assert_allclose(gm.numpy(), [[0, 1, 2], [3, 4, 5]])  # torch 2.13
    np.testing.assert_allclose(gx.numpy(), [-27.5, 27.5])
    with pytest.raises(RuntimeError, match="one `x` value for each sample point"):
        ag.trapezoid(ag.ones(2, 3), ag.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        ag.trapezoid(y, x=y, dx=1)
