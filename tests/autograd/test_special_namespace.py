"""``ag.special`` (torch.special) and its functions of ops/special.py (erfcx),
ops/gaussian.py, ops/information.py and ops/bessel.py: the namespace's names are the
package's own objects, and values and gradients equal torch 2.13's (torch_values_special.py),
torch's conventions at 0, at the poles and outside the domains, dtypes, methods, errors."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

sys.path.insert(0, str(Path(__file__).parent))
import torch_values_special as V  # noqa: E402

S = ag.special


def test_namespace_shares_the_packages_functions() -> None:
    same = {"erf": ag.erf, "erfc": ag.erfc, "erfinv": ag.erfinv, "expit": ag.sigmoid,
            "exp2": ag.exp2, "expm1": ag.expm1, "log1p": ag.log1p, "round": ag.round,
            "softmax": ag.softmax, "log_softmax": ag.log_softmax, "logsumexp": ag.logsumexp,
            "gammaln": ag.lgamma, "digamma": ag.digamma, "psi": ag.digamma,
            "polygamma": ag.polygamma, "multigammaln": ag.mvlgamma, "xlogy": ag.xlogy,
            "logit": ag.logit, "sinc": ag.sinc, "i0": ag.i0}
    for name, fn in same.items():
        assert getattr(S, name) is fn, name
    for name in ("erfcx", "ndtr", "ndtri", "log_ndtr", "entr", "xlog1py", "zeta", "i0e", "i1",
                 "i1e"):
        assert callable(getattr(S, name))
    assert set(S.__all__) >= set(same) and "mvlgamma" not in S.__all__
    with pytest.raises(AttributeError):
        S.bessel_j0  # noqa: B018 - torch has it; chainrule does not
    for name in ("special", "xlogy", "logit", "sinc", "i0"):
        assert name in ag.__all__


def _close(got, want, rtol: float) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        ok = same | (np.abs(got - want) <= rtol * np.abs(want))
    assert ok.all(), list(zip(got[~ok], want[~ok]))


UNARY_X = [("ERFCX", S.erfcx), ("NDTR", S.ndtr), ("LOG_NDTR", S.log_ndtr), ("ENTR", S.entr),
           ("SINC", ag.sinc), ("I0", ag.i0), ("I0E", S.i0e), ("I1", S.i1), ("I1E", S.i1e)]
UNARY_U = [("NDTRI", S.ndtri), ("LOGIT", ag.logit), ("LOGIT_EPS", lambda t: S.logit(t, 0.05))]


@pytest.mark.parametrize("name, fn", UNARY_X + UNARY_U, ids=lambda v: v if isinstance(v, str)
                         else "")
def test_values_and_gradients_equal_torchs(name, fn) -> None:
    pts = V.U if (name, fn) in UNARY_U else V.X
    x = ag.tensor(np.array(pts), requires_grad=True)
    out = fn(x)
    assert out.dtype == ag.float64
    _close(out.detach().numpy(), getattr(V, name), 4e-15)
    with np.errstate(invalid="ignore"):  # −inf + inf in the sum (ndtri's ends)
        (g,) = ag.grad(out.sum(), x)
    # a few ulps amplified: 2x·erfcx(x) − 2/√π at 27.5, e^(y²/2) with y²/2 ≈ 690 (ndtri at
    # 1e-300), e^(−x²/2) at x = −30
    _close(g.numpy(), getattr(V, name + "_GRAD"), 5e-13)


@pytest.mark.parametrize("name, fn", [("XLOGY", S.xlogy), ("XLOG1PY", S.xlog1py)])
def test_xlogy_family_conventions_and_gradients(name, fn) -> None:
    a = ag.tensor(np.array(V.XA), requires_grad=True)
    b = ag.tensor(np.array(V.XB), requires_grad=True)
    out = fn(a, b)
    _close(out.detach().numpy(), getattr(V, name), 1e-15)
    ga, gb = ag.grad(out.sum(), [a, b])
    want_a, want_b = getattr(V, name + "_GRADS")
    _close(ga.numpy(), want_a, 1e-15)
    _close(gb.numpy(), want_b, 1e-15)


def test_xlogy_broadcasts_takes_numbers_and_has_methods() -> None:
    a = ag.tensor([[0.0, 2.0, 3.0]])
    out = ag.xlogy(a, ag.tensor([[4.0], [0.5]]))
    assert out.shape == (2, 3) and out.dtype == ag.float32
    np.testing.assert_allclose(out.numpy(), [[0, 2 * math.log(4), 3 * math.log(4)],
                                             [0, 2 * math.log(0.5), 3 * math.log(0.5)]],
                               rtol=1e-6)
    np.testing.assert_allclose(ag.xlogy(2.0, ag.tensor([3.0])).numpy(), [2 * math.log(3)],
                               rtol=1e-6)
    assert a.xlogy(2.0).shape == (1, 3)
    b = ag.tensor([1.0, 2.0])
    assert b.xlogy_(ag.tensor([3.0, 4.0])) is b
    np.testing.assert_allclose(b.numpy(), [math.log(3), 2 * math.log(4)], rtol=1e-6)
    assert ag.xlogy(ag.tensor([1, 2]), ag.tensor([3, 4])).dtype == ag.float32


def test_float32_and_integer_inputs() -> None:
    x32 = ag.tensor([-2.0, 0.5, 3.0])
    for fn in (S.erfcx, S.ndtr, S.log_ndtr, S.entr, ag.sinc, ag.i0, S.i0e, S.i1, S.i1e):
        assert fn(x32).dtype == ag.float32
        assert fn(ag.tensor([1, 2])).dtype == ag.float32
    np.testing.assert_allclose(S.erfcx(x32).numpy(), [108.940904, 0.6156903, 0.17900115],
                               rtol=1e-6)
    # torch's float32 ndtr is (1 + erf(x/√2))/2 in float32: 2**-24 at −5.3, 0 at −6.2
    np.testing.assert_array_equal(S.ndtr(ag.tensor([-5.0, -5.3, -6.2])).numpy(),
                                  [2.980232238769531e-07, 5.960464477539063e-08, 0.0])
    # torch's float32 i0 overflows with e^x (inf at 90, where float64 is finite)
    assert S.i0(ag.tensor([90.0])).item() == math.inf
    assert math.isfinite(S.i0(ag.tensor([90.0], dtype=ag.float64)).item())


def test_edges_as_torch() -> None:
    inf, nan = math.inf, math.nan
    x = ag.tensor([-inf, inf, nan], dtype=ag.float64)
    np.testing.assert_array_equal(S.erfcx(x).numpy(), [inf, 0.0, nan])
    np.testing.assert_array_equal(S.ndtri(ag.tensor([0.0, 1.0, -0.1, 1.1, nan],
                                                    dtype=ag.float64)).numpy(),
                                  [-inf, inf, nan, nan, nan])
    np.testing.assert_array_equal(S.entr(ag.tensor([0.0, -1.0, inf])).numpy(), [0, -inf, -inf])
    np.testing.assert_array_equal(ag.i0(x).numpy(), [nan, nan, nan])  # torch: e^∞ · 0
    assert ag.sinc(ag.tensor(0.0)).item() == 1.0
    np.testing.assert_array_equal(ag.logit(ag.tensor([0.0, 1.0, 2.0])).numpy(), [-inf, inf, nan])


def test_second_derivatives_through_the_vocabulary() -> None:
    x = ag.tensor([0.2, 0.7, -2.0, 9.5], dtype=ag.float64, requires_grad=True)
    for fn in (S.i1, S.i1e, S.i0e, ag.sinc, S.erfcx, S.log_ndtr):
        (g,) = ag.grad(fn(x).sum(), x, create_graph=True)
        (h,) = ag.grad(g.sum(), x)
        eps = 1e-6
        num = (ag.grad(fn(x + eps).sum(), x)[0] - ag.grad(fn(x - eps).sum(), x)[0]) / (2 * eps)
        np.testing.assert_allclose(h.numpy(), num.numpy(), rtol=1e-6, atol=1e-7)


def test_derivatives_at_zero_as_torch() -> None:
    # torch 2.13: (first, second) derivatives at 0; sinc's second is torch's nan
    x = ag.tensor([0.0], dtype=ag.float64, requires_grad=True)
    for fn, want in ((S.i1, (0.5, 0.0)), (S.i1e, (0.5, 0.0)), (S.i0e, (0.0, 0.5)),
                     (ag.sinc, (0.0, math.nan))):
        (g,) = ag.grad(fn(x).sum(), x, create_graph=True)
        (h,) = ag.grad(g.sum(), x)
        np.testing.assert_array_equal([g.item(), h.item()], want)


def test_logit_and_sinc_methods_and_inplace() -> None:
    x = ag.tensor([0.2, 0.5], dtype=ag.float64)
    np.testing.assert_allclose(x.logit().numpy(), [math.log(0.25), 0.0])
    np.testing.assert_allclose(x.logit(eps=0.3).numpy(), [math.log(0.3 / 0.7), 0.0])
    y = x.clone()
    assert y.logit_() is y and y[0].item() == pytest.approx(math.log(0.25))
    z = ag.tensor([0.5, 0.0])
    assert z.sinc_() is z
    np.testing.assert_allclose(z.numpy(), [2 / math.pi, 1.0], rtol=1e-6)
    w = ag.tensor([1.0])
    assert w.i0_() is w and w.item() == pytest.approx(1.2660658)


def test_xlogy_shape_error() -> None:
    with pytest.raises(RuntimeError):
        ag.xlogy(ag.ones(2), ag.ones(3))


@pytest.mark.parametrize("name, fn", [
    ("lgamma", ag.lgamma), ("digamma", ag.digamma), ("special_ndtr", S.ndtr),
    ("special_ndtri", S.ndtri), ("special_log_ndtr", S.log_ndtr), ("special_entr", S.entr),
    ("special_erfcx", S.erfcx), ("logit", ag.logit), ("sinc", ag.sinc), ("i0", ag.i0),
    ("special_i0e", S.i0e), ("special_i1", S.i1), ("special_i1e", S.i1e),
    ("quantile", lambda a: ag.quantile(a, 0.5)),
])
def test_a_number_for_the_tensor_is_torchs_type_error(name, fn) -> None:
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input' \(position 1\) must "
                                        r"be Tensor, not float"):
        fn(2.0)
    with pytest.raises(TypeError, match=r"polygamma\(\): argument 'input' \(position 2\)"):
        ag.polygamma(1, [1.0])
