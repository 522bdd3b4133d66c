"""autograd.distributions, the gamma family (spec_distributions3.py): Gamma, Chi2, Beta,
Dirichlet, Poisson, StudentT, Binomial, Multinomial and torch's KL pairs for them equal
torch 2.13's values and gradients (torch_values_distributions3.json); the reparameterized
Gamma/Dirichlet gradients equal ATen's implicit ones (torch's _standard_gamma_grad and
_dirichlet_grad at points of every branch); samples' shapes, supports and moments."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D
from autograd.distributions.gamma_grads import dirichlet_grad, standard_gamma_grad

sys.path.insert(0, str(Path(__file__).parent))
import spec_distributions3 as S3  # noqa: E402
from distribution_checks import assert_matches_torch, check_draws  # noqa: E402

# torch 2.13's answers to spec_distributions3.py (computed once; torch is never imported
# by the tests)
VALUES = json.loads((Path(__file__).parent / "torch_values_distributions3.json").read_text())


def test_every_spec_has_torchs_answer() -> None:
    assert sorted(S3.SPECS) == sorted(VALUES)


@pytest.mark.parametrize("name", sorted(S3.SPECS))
def test_values_and_gradients_match_torch(name: str) -> None:
    assert_matches_torch(name, S3.SPECS, VALUES[name])



# -- implicit reparameterization gradients ------------------------------------------------
# (α, x) in every branch of ATen's standard_gamma_grad_one: Taylor (x < 0.8), Rice near and
# away from the mode (α > 8), the rational fit, a tiny x
GAMMA_A = [0.3, 1.5, 4.0, 0.7, 2.5, 6.0, 12.0, 12.0, 30.0, 30.0, 9.0, 0.05]
GAMMA_X = [0.05, 0.5, 0.79, 1.2, 3.0, 5.5, 12.5, 6.0, 28.0, 40.0, 9.5, 1e-6]
TORCH_GAMMA_GRAD = {
    "float32": [0.4947109818458557, 0.607713520526886, 0.4143504798412323, 1.6215746402740479,
                1.169216513633728, 0.9841005206108093, 1.034798502922058, 0.7027182579040527,
                0.9712990522384644, 1.1571513414382935, 1.0464304685592651,
                0.0002663535706233233],
    "float64": [0.49471098700419375, 0.6077135020412847, 0.4143504838748433,
                1.6215745379229438, 1.1692164760887411, 0.9841005073619803, 1.034798504641689,
                0.7027182463322498, 0.9712990725016247, 1.1571513494803003,
                1.0464304218725455, 0.00026635358314383513],
}
# (x, α, total) in every branch of dirichlet_grad_one: x near 0, near 1, both parameters
# large, the rational correction
DIR_X = [0.05, 0.3, 0.9, 0.97, 0.45, 0.6, 0.2, 0.5]
DIR_A = [0.5, 2.0, 3.0, 1.0, 10.0, 20.0, 1.5, 0.8]
DIR_T = [2.0, 3.0, 3.5, 1.5, 25.0, 30.0, 6.0, 4.0]
TORCH_DIRICHLET_GRAD = {
    "float32": [0.28065797686576843, 0.2579942047595978, 0.34154659509658813,
                1.2072287797927856, 0.04370586946606636, 0.03222410008311272,
                0.1745983362197876, 0.5183665156364441],
    "float64": [0.28065795449261954, 0.2579941723555577, 0.3415464687139042,
                1.2072286604288918, 0.043705868951511906, 0.03222409969880497,
                0.17459834923305834, 0.5183665154074565],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_implicit_gradients_equal_atens(dtype: str) -> None:
    tol = dict(rtol=2e-6) if dtype == "float32" else dict(rtol=1e-11)
    got = standard_gamma_grad(np.array(GAMMA_A, dtype), np.array(GAMMA_X, dtype))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, TORCH_GAMMA_GRAD[dtype], **tol)
    got = dirichlet_grad(np.array(DIR_X, dtype), np.array(DIR_A, dtype),
                         np.array(DIR_T, dtype))
    np.testing.assert_allclose(got, TORCH_DIRICHLET_GRAD[dtype], **tol)


def test_rsample_gradients_are_the_implicit_ones() -> None:
    ag.manual_seed(3)
    alpha = ag.tensor([0.5, 2.0, 15.0], dtype=ag.float64, requires_grad=True)
    rate = ag.tensor([2.0, 0.5, 1.0], dtype=ag.float64, requires_grad=True)
    x = D.Gamma(alpha, rate).rsample()
    x.sum().backward()
    g = x.detach().numpy() * rate.detach().numpy()  # the Gamma(α, 1) draw
    want = standard_gamma_grad(alpha.detach().numpy(), g) / rate.detach().numpy()
    np.testing.assert_allclose(alpha.grad.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(rate.grad.numpy(), -x.detach().numpy() / rate.detach().numpy(),
                               rtol=1e-12)
    conc = ag.tensor([[0.7, 2.0, 5.0]], dtype=ag.float64, requires_grad=True)
    y = D.Dirichlet(conc).rsample()
    w = ag.tensor([[1.0, -2.0, 0.5]], dtype=ag.float64)
    (y * w).sum().backward()
    c, yy, ww = conc.detach().numpy(), y.detach().numpy(), w.numpy()
    total = np.broadcast_to(c.sum(-1, keepdims=True), c.shape)
    want = dirichlet_grad(yy, c, total) * (ww - (yy * ww).sum(-1, keepdims=True))
    np.testing.assert_allclose(conc.grad.numpy(), want, rtol=1e-12)


# -- samples ------------------------------------------------------------------------------
def _pos(p):
    return p.exp()


FAMILIES = {
    "gamma": (lambda p: D.Gamma(_pos(p), 2.0), True, lambda x: (x > 0).all()),
    "chi2": (lambda p: D.Chi2(_pos(p)), True, lambda x: (x > 0).all()),
    "beta": (lambda p: D.Beta(_pos(p), 1.5), True, lambda x: ((x > 0) & (x < 1)).all()),
    "dirichlet": (lambda p: D.Dirichlet(_pos(p)), True,
                  lambda x: ((x.sum(-1) - 1).abs() < 1e-5).all()),
    "student_t": (lambda p: D.StudentT(_pos(p) + 1, p, 2.0), True, None),
    "poisson": (lambda p: D.Poisson(_pos(p)), False,
                lambda x: ((x >= 0) & (x == x.floor())).all()),
    "binomial": (lambda p: D.Binomial(7, logits=p), False,
                 lambda x: ((x >= 0) & (x <= 7) & (x == x.floor())).all()),
    "multinomial": (lambda p: D.Multinomial(9, logits=p), False,
                    lambda x: (x.sum(-1) == 9).all()),
    "half_cauchy": (lambda p: D.HalfCauchy(_pos(p)), True, lambda x: (x >= 0).all()),
    "generalized_pareto": (lambda p: D.GeneralizedPareto(p, _pos(p), 0.2), True,
                           lambda x: (x >= -1.0).all()),
    "von_mises": (lambda p: D.VonMises(p, _pos(p) * 3), False,
                  lambda x: ((x >= -math.pi) & (x <= math.pi)).all()),
    "continuous_bernoulli": (lambda p: D.ContinuousBernoulli(logits=p), True,
                             lambda x: ((x >= 0) & (x <= 1)).all()),
    "logistic_normal": (lambda p: D.LogisticNormal(p, 1.0), True,
                        lambda x: ((x.sum(-1) - 1).abs() < 1e-5).all()),
    "pareto": (lambda p: D.Pareto(_pos(p), 2.0), True, lambda x: (x > 0).all()),
    "weibull": (lambda p: D.Weibull(_pos(p), 1.5), True, lambda x: (x > 0).all()),
    "inverse_gamma": (lambda p: D.InverseGamma(_pos(p) + 1, 2.0), True, lambda x: (x > 0).all()),
    "kumaraswamy": (lambda p: D.Kumaraswamy(_pos(p), 2.0), True,
                    lambda x: ((x > 0) & (x < 1)).all()),
    "negative_binomial": (lambda p: D.NegativeBinomial(3.0, logits=p), False,
                          lambda x: ((x >= 0) & (x == x.floor())).all()),
    "fisher_snedecor": (lambda p: D.FisherSnedecor(_pos(p) * 3, 5.0), True,
                        lambda x: (x > 0).all()),
}
SHAPES = {"dirichlet": ((2,), (3,)), "multinomial": ((2,), (3,)),
          "logistic_normal": ((2,), (4,))}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("sample_shape", [(), (4, 2)])
def test_sample_shape_dtype_support(family: str, sample_shape: tuple, dtype: str) -> None:
    check_draws(FAMILIES[family], SHAPES.get(family, ((2, 3), ())), sample_shape, dtype)


def test_samples_follow_the_distribution() -> None:
    ag.manual_seed(4)
    n = 40000
    g = D.Gamma(ag.tensor(3.0), ag.tensor(2.0)).sample((n,)).numpy()
    assert abs(g.mean() - 1.5) < 0.02 and abs(g.var() - 0.75) < 0.03
    b = D.Beta(2.0, 5.0).sample((n,)).numpy()
    assert abs(b.mean() - 2 / 7) < 0.005
    d = D.Dirichlet(ag.tensor([1.0, 2.0, 7.0])).sample((n,)).numpy()
    np.testing.assert_allclose(d.mean(0), [0.1, 0.2, 0.7], atol=0.005)
    k = D.Poisson(ag.tensor(3.5)).sample((n,)).numpy()
    assert abs(k.mean() - 3.5) < 0.05 and abs(k.var() - 3.5) < 0.15
    m = D.Binomial(10, ag.tensor(0.3)).sample((n,)).numpy()
    assert abs(m.mean() - 3.0) < 0.05
    c = D.Multinomial(10, ag.tensor([0.2, 0.8])).sample((n,)).numpy()
    assert abs(c[:, 0].mean() - 2.0) < 0.05
    t = D.StudentT(ag.tensor(5.0)).sample((n,)).numpy()
    assert abs(t.var() - 5 / 3) < 0.1
    w = D.Weibull(ag.tensor(2.0), ag.tensor(1.5)).sample((n,)).numpy()
    assert abs(w.mean() - 2.0 * math.gamma(1 + 1 / 1.5)) < 0.03
    nb = D.NegativeBinomial(ag.tensor(4.0), ag.tensor(0.3)).sample((n,)).numpy()
    assert abs(nb.mean() - 4.0 * 0.3 / 0.7) < 0.04
    ig = D.InverseGamma(ag.tensor(5.0), ag.tensor(2.0)).sample((n,)).numpy()
    assert abs(ig.mean() - 0.5) < 0.01


def test_bad_parameters_raise_torchs_errors() -> None:
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.Gamma(ag.tensor([1.0, -1.0]), 1.0)
    with pytest.raises(ValueError, match="must be at least one-dimensional"):
        D.Dirichlet(ag.tensor(1.0))
    with pytest.raises(ValueError, match="support"):
        D.Poisson(2.0).log_prob(ag.tensor([1.5]))
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        D.Multinomial(ag.tensor(3), ag.ones(2))
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
        D.Binomial(ag.tensor([2.0, 3.0]), ag.tensor([0.5, 0.5])).entropy()
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        D.kl_divergence(D.Binomial(2, ag.tensor(0.5)), D.Binomial(3, ag.tensor(0.5)))
    assert math.isinf(D.kl_divergence(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0)).item())


def test_implicit_gradients_are_first_order_only_as_torchs() -> None:
    a = ag.tensor([0.5, 2.0], requires_grad=True)
    for d, message in ((D.Gamma(a, 1.0), "derivative for '_standard_gamma_grad' is not"),
                       (D.Dirichlet(a), "@once_differentiable")):
        x = d.rsample()
        (g,) = ag.autograd.grad((x * ag.tensor([1.0, 2.0])).sum(), [a], create_graph=True)
        assert g.requires_grad
        with pytest.raises(RuntimeError, match=message):
            g.sum().backward()
