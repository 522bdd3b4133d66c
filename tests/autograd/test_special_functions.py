"""The gamma family (autograd/ops/gamma.py): lgamma, digamma, polygamma, mvlgamma and the
Hurwitz zeta against torch 2.13's values on a fixed 60-point grid (torch_values_gamma.py:
tiny to 1e300, the roots, negative non-integers near the poles and far out), torch's
values at the poles, dtypes, derivatives to the third order, in-place forms and errors."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

sys.path.insert(0, str(Path(__file__).parent))
import torch_values_gamma as V  # noqa: E402


def _rel_close(got, want, rtol: float, atol: float = 0.0) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):  # inf − inf where both are inf: masked by same
        err = np.where(same, 0.0, np.abs(got - want))
    bound = rtol * np.abs(want) + atol
    bad = np.flatnonzero(err > bound)
    assert bad.size == 0, [(V.GRID[i] if len(V.GRID) == len(want) else i, got[i], want[i])
                           for i in bad[:5]]


X64 = ag.tensor(np.array(V.GRID))


@pytest.mark.parametrize("name, fn, want, rtol", [
    # lgamma crosses 0 near −2.4577: there torch's libm and the reflection formula agree
    # to an absolute 2e-17, not relatively
    ("lgamma", ag.lgamma, V.LGAMMA, 2e-14),
    ("digamma", ag.digamma, V.DIGAMMA, 1e-14),
    ("polygamma1", lambda x: ag.polygamma(1, x), V.POLYGAMMA1, 1e-14),
    ("polygamma2", lambda x: ag.polygamma(2, x), V.POLYGAMMA2, 1e-13),
    ("polygamma3", lambda x: x.polygamma(3), V.POLYGAMMA3, 1e-13),
])
def test_float64_values_match_torch_on_the_grid(name, fn, want, rtol) -> None:
    out = fn(X64)
    assert out.dtype == ag.float64
    _rel_close(out.numpy(), want, rtol, atol=1e-16)


@pytest.mark.parametrize("fn, want, ulps", [
    (ag.lgamma, V.LGAMMA32, 2), (ag.digamma, V.DIGAMMA32, 16),
    (lambda x: ag.polygamma(1, x), V.TRIGAMMA32, 4),
])
def test_float32_values_match_torch_within_a_few_ulps(fn, want, ulps) -> None:
    x = ag.tensor(np.array(V.GRID32, dtype=np.float32))
    out = fn(x).numpy()
    assert out.dtype == np.float32
    want = np.array(want, dtype=np.float32)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(out), np.isnan(want))
    assert np.array_equal(out[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    spacing = np.spacing(np.abs(want[finite])).astype(np.float64)
    assert (np.abs(out[finite].astype(np.float64) - want[finite]) <= ulps * spacing).all()
    # most are exact
    assert (out[finite] == want[finite]).mean() > 0.85


def test_torch_trigamma_is_kept_not_the_exact_value() -> None:
    # torch's trigamma has a short asymptotic series: ψ₁(1) = π²/6 is off by ~1e-10
    got = ag.polygamma(1, ag.tensor([1.0], dtype=ag.float64)).item()
    assert got == pytest.approx(V.POLYGAMMA1[V.GRID.index(1.0)], rel=1e-15)
    assert abs(got - math.pi ** 2 / 6) > 1e-11


def test_poles_and_infinities_as_torch() -> None:
    x = ag.tensor([0.0, -0.0, -1.0, -2.0, math.inf, -math.inf, math.nan], dtype=ag.float64)
    inf, nan = math.inf, math.nan
    np.testing.assert_array_equal(ag.lgamma(x).numpy(), [inf, inf, inf, inf, inf, inf, nan])
    np.testing.assert_array_equal(ag.digamma(x).numpy(), [-inf, inf, nan, nan, inf, nan, nan])
    np.testing.assert_array_equal(ag.polygamma(1, x[:2]).numpy(), [inf, inf])
    # torch's trigamma at −1: π²/sin²(−π) with sin(−π) ≈ −1.2e-16, not inf
    assert ag.polygamma(1, ag.tensor([-1.0], dtype=ag.float64)).item() == \
        pytest.approx(6.58e32, rel=1e-2)
    np.testing.assert_array_equal(ag.polygamma(2, x).numpy(),
                                  [-inf, -inf, -inf, -inf, nan, -inf, nan])
    np.testing.assert_array_equal(ag.polygamma(3, x).numpy(), [inf, inf, inf, inf, nan, inf, nan])
    big = ag.polygamma(2, ag.tensor([1e300], dtype=ag.float64)).numpy()
    assert big[0] == 0 and np.signbit(big[0])  # torch's −0


def test_integer_and_bool_inputs_give_float32() -> None:
    for fn in (ag.lgamma, ag.digamma, lambda t: ag.polygamma(2, t), lambda t: t.mvlgamma(2)):
        out = fn(ag.tensor([1, 2, 3]))
        assert out.dtype == ag.float32
    np.testing.assert_allclose(ag.lgamma(ag.tensor([3, 4])).numpy(), [math.log(2), math.log(6)],
                               rtol=1e-7)
    assert ag.digamma(ag.tensor([True])).dtype == ag.float32
    # torch 2.13: mvlgamma(tensor([3, 4]), 2) = [1.5502, 3.5651]
    np.testing.assert_allclose(ag.mvlgamma(ag.tensor([3, 4]), 2).numpy(),
                               [1.5501949787139893, 3.5650978088378906], rtol=1e-6)


def test_empty_and_0d_keep_their_shape() -> None:
    for fn in (ag.lgamma, ag.digamma, lambda t: ag.polygamma(4, t)):
        assert fn(ag.zeros(0, 3)).shape == (0, 3)
        assert fn(ag.tensor(2.5)).shape == ()


def test_derivatives_chain_through_the_family() -> None:
    x = ag.tensor([0.3, 1.7, -2.5, 12.0], dtype=ag.float64, requires_grad=True)
    (d1,) = ag.grad(ag.lgamma(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(d1.detach().numpy(), ag.digamma(x).detach().numpy())
    (d2,) = ag.grad(d1.sum(), x, create_graph=True)
    np.testing.assert_array_equal(d2.detach().numpy(), ag.polygamma(1, x).detach().numpy())
    (d3,) = ag.grad(d2.sum(), x)
    np.testing.assert_array_equal(d3.numpy(), ag.polygamma(2, x).detach().numpy())
    # torch 2.13: d³/dx³ lgamma at 0.3, 1.7, −2.5, 12
    np.testing.assert_allclose(d3.numpy(), [-75.27253658872601, -0.6040890841034592,
                                            -0.1082040516417282, -0.007547205368998914],
                               rtol=1e-12)


def test_polygamma_gradient_is_the_next_order() -> None:
    x = ag.tensor([0.6, 2.2], dtype=ag.float64, requires_grad=True)
    w = ag.tensor([1.5, -0.5], dtype=ag.float64)
    (g,) = ag.grad(x.polygamma(2), x, w)
    np.testing.assert_allclose(g.numpy(), (w * ag.polygamma(3, x)).detach().numpy(),
                               rtol=1e-15)


def test_mvlgamma_is_the_sum_of_lgammas() -> None:
    x = ag.tensor([[2.5, 3.0], [7.25, 1.6]], dtype=ag.float64, requires_grad=True)
    p = 3
    want = p * (p - 1) / 4 * math.log(math.pi) + sum(
        ag.lgamma(x - i / 2) for i in range(p))
    np.testing.assert_allclose(ag.mvlgamma(x, p).detach().numpy(), want.detach().numpy(),
                               rtol=1e-14)
    (g,) = ag.grad(ag.special.multigammaln(x, p).sum(), x)
    np.testing.assert_allclose(g.numpy(), sum(ag.digamma(x - i / 2) for i in range(p))
                               .detach().numpy(), rtol=1e-13)


def test_zeta_values_gradient_and_dtype_as_torch() -> None:
    x = ag.tensor([2.0, 3.0, 1.0, 0.5, 4.0], dtype=ag.float64)
    q = ag.tensor([1.0, 2.5, 1.0, 1.0, -3.0], dtype=ag.float64, requires_grad=True)
    out = ag.special.zeta(x, q)
    # torch 2.13
    np.testing.assert_allclose(out.detach().numpy()[:2],
                               [1.6449340668482266, 0.11810202582086368], rtol=1e-14)
    assert out[2].item() == math.inf and math.isnan(out[3].item()) and out[4].item() == math.inf
    (g,) = ag.grad(out[:2].sum(), q)
    np.testing.assert_allclose(g.numpy()[:2], [-2.404113806319188, -0.11195292440862604],
                               rtol=1e-13)
    assert ag.special.zeta(ag.tensor([2, 3]), ag.tensor([3, 4])).dtype == ag.float32
    assert ag.special.zeta(3.0, ag.tensor([2.0])).item() == 0.2020568996667862  # float32
    with pytest.raises(NotImplementedError, match="zeta"):
        ag.special.zeta(ag.tensor([2.0], requires_grad=True), ag.tensor([1.5])).sum().backward()


def test_inplace_forms() -> None:
    for name, args, fn in (("lgamma_", (), ag.lgamma), ("digamma_", (), ag.digamma),
                           ("polygamma_", (2,), lambda t: ag.polygamma(2, t)),
                           ("mvlgamma_", (2,), lambda t: ag.mvlgamma(t, 2))):
        x = ag.tensor([1.7, 3.2], dtype=ag.float64)
        want = fn(x).numpy()
        assert getattr(x, name)(*args) is x
        np.testing.assert_array_equal(x.numpy(), want)


def test_bad_arguments_raise_torchs_errors() -> None:
    x = ag.tensor([0.5, 1.5])
    with pytest.raises(RuntimeError, match="does not support negative n"):
        ag.polygamma(-1, x)
    with pytest.raises(TypeError, match="'n' .* must be int, not float"):
        ag.polygamma(1.5, x)
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ag.mvlgamma(x, 0)
    with pytest.raises(TypeError, match="'p' .* must be int"):
        x.mvlgamma(2.0)
