"""Every distribution family on the test-only device double (tests/devicedouble.py), which
raises wherever CuPy would (a host array meeting a device array, an implicit host copy):
draws happen on the parameters' device (shape, dtype and device checked), and log_prob
with its gradients, entropy, cdf/icdf and KL equal the CPU run's; validation runs there,
numbers follow the parameters' device, and nothing is copied from the host."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D
from tests import devicedouble

LOC = [[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]]
POS = [[0.5, 1.3, 2.0], [0.9, 0.25, 1.1]]
PROB = [[0.1, 0.5, 0.97], [0.3, 0.8, 0.6]]
REAL = [[0.1, -0.5, 3.0], [0.2, 0.6, -2.0]]
POSV = [[0.1, 0.5, 3.0], [0.2, 1.6, 0.05]]
BITS = [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
COV = [[2.0, 0.5, 0.3], [0.5, 1.5, -0.2], [0.3, -0.2, 1.0]]
L = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.2, 1.5]]
T = D.transforms

# name: (make(params) -> distribution, value to score, parameters used)
FAMILIES = {
    "normal": (lambda p: D.Normal(p["a"], p["s"]), REAL),
    "normal_numbers": (lambda p: D.Normal(p["a"], 2.0), REAL),
    "laplace": (lambda p: D.Laplace(p["a"], p["s"]), REAL),
    "exponential": (lambda p: D.Exponential(p["s"]), POSV),
    "uniform": (lambda p: D.Uniform(p["a"] - 3, p["a"] + p["s"] + 3), REAL),
    "bernoulli_probs": (lambda p: D.Bernoulli(probs=p["q"]), BITS),
    "bernoulli_logits": (lambda p: D.Bernoulli(logits=p["a"]), BITS),
    "categorical": (lambda p: D.Categorical(logits=p["a"]), [[2.0, 0.0], [1.0, 1.0]]),
    "categorical_probs": (lambda p: D.Categorical(probs=p["s"]), [[2.0, 0.0], [1.0, 1.0]]),
    "one_hot": (lambda p: D.OneHotCategorical(logits=p["a"]), [[0.0, 1.0, 0.0], [1.0, 0, 0]]),
    "one_hot_st": (lambda p: D.OneHotCategoricalStraightThrough(probs=p["s"]),
                   [[0.0, 0.0, 1.0], [1.0, 0, 0]]),
    "independent": (lambda p: D.Independent(D.Normal(p["a"], p["s"]), 1), REAL),
    "mvn_tril": (lambda p: D.MultivariateNormal(p["a"], scale_tril=p["L"]), REAL),
    "mvn_cov": (lambda p: D.MultivariateNormal(p["a"], covariance_matrix=p["cov"]), REAL),
    "mvn_prec": (lambda p: D.MultivariateNormal(p["a"], precision_matrix=p["cov"]), REAL),
    "generalized_pareto": (lambda p: D.GeneralizedPareto(p["a"] - 3, p["s"], p["q"] - 0.05),
                           POSV),
    "von_mises": (lambda p: D.VonMises(p["a"], p["s"] * 3), REAL),
    "continuous_bernoulli": (lambda p: D.ContinuousBernoulli(logits=p["a"]), PROB),
    "lowrank": (lambda p: D.LowRankMultivariateNormal(p["a"], p["cov"][:, :2], p["s"]), REAL),
    "lognormal": (lambda p: D.LogNormal(p["a"], p["s"]), POSV),
    "halfnormal": (lambda p: D.HalfNormal(p["s"]), POSV),
    "cauchy": (lambda p: D.Cauchy(p["a"], p["s"]), REAL),
    "gumbel": (lambda p: D.Gumbel(p["a"], p["s"]), REAL),
    "geometric": (lambda p: D.Geometric(probs=p["q"]), [[0.0, 2.0, 5.0], [1.0, 0.0, 3.0]]),
    "relaxed_bernoulli": (lambda p: D.RelaxedBernoulli(p["t"], logits=p["a"]), PROB),
    "relaxed_one_hot": (lambda p: D.RelaxedOneHotCategorical(p["t"], logits=p["a"]),
                        [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
    "mixture": (lambda p: D.MixtureSameFamily(D.Categorical(logits=p["a"]),
                                              D.Normal(p["a"], p["s"])), [0.5, -1.0]),
    "tanh_affine": (lambda p: D.TransformedDistribution(
        D.Normal(p["a"], p["s"]), [T.TanhTransform(), T.AffineTransform(p["a"], p["s"])]),
        [[0.1, -1.5, 2.5], [0.3, 0.8, -0.9]]),
    "softmax": (lambda p: D.TransformedDistribution(D.Normal(p["a"], p["s"]),
                                                    T.SoftmaxTransform()), None),
    "stick_breaking": (lambda p: D.TransformedDistribution(D.Normal(p["a"], p["s"]),
                                                           T.StickBreakingTransform()),
                       [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.4, 0.1]]),
    "pd_matrix": (lambda p: D.MultivariateNormal(
        p["a"], covariance_matrix=D.transform_to(D.constraints.positive_definite)(p["cov"])),
        REAL),
    "half_cauchy": (lambda p: D.HalfCauchy(p["s"]), POSV),
    "pareto": (lambda p: D.Pareto(p["q"] * 0.01, p["s"] + 2), POSV),
    "weibull": (lambda p: D.Weibull(p["s"], p["q"] + 0.5), POSV),
    "inverse_gamma": (lambda p: D.InverseGamma(p["s"] + 2, p["q"]), POSV),
    "logistic_normal": (lambda p: D.LogisticNormal(p["a"], p["s"]),
                        [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.4, 0.1]]),
    "kumaraswamy": (lambda p: D.Kumaraswamy(p["s"], p["q"] + 1), PROB),
    "negative_binomial": (lambda p: D.NegativeBinomial(p["s"] * 3, logits=p["a"]),
                          [[0.0, 2.0, 5.0], [1.0, 0.0, 3.0]]),
    "fisher_snedecor": (lambda p: D.FisherSnedecor(p["s"] * 3, p["q"] * 10), POSV),
    "gamma": (lambda p: D.Gamma(p["s"], p["q"]), POSV),
    "chi2": (lambda p: D.Chi2(p["s"]), POSV),
    "beta": (lambda p: D.Beta(p["s"], p["q"] + 1), PROB),
    "dirichlet": (lambda p: D.Dirichlet(p["s"]), [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
    "student_t": (lambda p: D.StudentT(p["s"] * 3, p["a"], p["q"]), REAL),
    "poisson": (lambda p: D.Poisson(p["s"]), [[0.0, 2.0, 5.0], [1.0, 0.0, 3.0]]),
    "binomial": (lambda p: D.Binomial(6, probs=p["q"]), [[0.0, 2.0, 5.0], [1.0, 6.0, 3.0]]),
    "multinomial": (lambda p: D.Multinomial(5, logits=p["a"]), [[0.0, 2.0, 3.0], [5.0, 0, 0]]),
}
# the KL pairs checked: (p family, q family)
KL_PAIRS = [("normal", "normal_numbers"), ("laplace", "laplace"), ("exponential", "exponential"),
            ("uniform", "uniform"), ("bernoulli_probs", "bernoulli_logits"),
            ("categorical", "categorical_probs"), ("one_hot", "one_hot_st"),
            ("independent", "independent"), ("mvn_tril", "mvn_cov"), ("mvn_prec", "mvn_tril"),
            ("lognormal", "lognormal"), ("halfnormal", "halfnormal"), ("cauchy", "cauchy"),
            ("geometric", "geometric"), ("normal", "laplace"), ("exponential", "normal"),
            ("gumbel", "normal"), ("normal", "gumbel"), ("normal", "uniform"),
            ("gamma", "gamma"), ("chi2", "gamma"), ("beta", "beta"), ("dirichlet", "dirichlet"),
            ("poisson", "poisson"), ("gumbel", "gumbel"), ("exponential", "gamma"),
            ("binomial", "binomial"), ("gamma", "normal"), ("beta", "normal"),
            ("pareto", "pareto"), ("pareto", "normal"), ("half_cauchy", "half_cauchy"),
            ("lowrank", "lowrank"), ("mvn_tril", "lowrank"),
            ("continuous_bernoulli", "continuous_bernoulli"), ("beta", "continuous_bernoulli")]


# The only host-to-device copies these calls make are of small constants the engine's ops
# build on the host: log det L reads L.diagonal() (host index arrays, which CuPy uploads),
# one-hot vectors and multinomial counts compare with arange(K), stick breaking counts
# its sticks with ones(K), an affine map by a number fills its log|J| with full_like, the
# low-rank capacitance adds eye(m)
# (factories make their values on the host)
UPLOADS_A_CONSTANT = {"mvn_tril", "mvn_cov", "mvn_prec", "one_hot", "one_hot_st", "pd_matrix",
                      "multinomial", "stick_breaking", "logistic_normal", "kumaraswamy",
                      "lowrank"}


def _params(device: str, dtype: str) -> dict:
    values = {"a": LOC, "s": POS, "q": PROB, "t": [0.7], "cov": COV, "L": L}
    return {k: ag.tensor(np.asarray(v, dtype=dtype), device=device, requires_grad=True)
            for k, v in values.items()}


def _host(t):
    return None if t is None else t.detach().cpu().numpy()


def _deterministic(name: str, device: str, dtype: str) -> dict:
    """log_prob (with its gradients), entropy, mean, cdf, icdf of family ``name``."""
    make, value = FAMILIES[name]
    params = _params(device, dtype)
    d = make(params)
    out = {}
    if value is not None:
        v = ag.tensor(np.asarray(value, dtype=dtype), device=device)
        before = devicedouble.COPIES[0]
        lp = d.log_prob(v)
        if name not in UPLOADS_A_CONSTANT:
            assert devicedouble.COPIES[0] == before, "log_prob copied a host array over"
        total = (lp * ag.cos(ag.arange(lp.numel(), dtype=lp.dtype, device=device))
                 .reshape(lp.shape)).sum()
        grads = ag.autograd.grad(total, list(params.values()), allow_unused=True)
        out["log_prob"] = _host(lp)
        out.update({f"grad_{k}": _host(g) for k, g in zip(params, grads)})
        for method in ("cdf",):
            try:
                out[method] = _host(getattr(d, method)(v))
            except NotImplementedError:
                pass
    for prop in ("entropy", "mean", "variance"):
        try:
            out[prop] = _host(d.entropy() if prop == "entropy" else getattr(d, prop))
        except NotImplementedError:
            pass
    try:
        u = ag.tensor(np.full(tuple(d.batch_shape), 0.3, dtype=dtype), device=device)
        out["icdf"] = _host(d.icdf(u))
    except NotImplementedError:
        pass
    for key, result in out.items():
        assert result is None or result.dtype == np.dtype(dtype), key
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_deterministic_quantities_equal_the_cpus(name: str, dtype: str, double_device) -> None:
    on_cpu = _deterministic(name, "cpu", dtype)
    on_double = _deterministic(name, double_device, dtype)
    assert sorted(on_cpu) == sorted(on_double)
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for key, want in on_cpu.items():
        got = on_double[key]
        assert (got is None) == (want is None), key
        if want is not None:
            np.testing.assert_allclose(got, want, equal_nan=True, err_msg=key, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_draws_happen_on_the_device(name: str, dtype: str, double_device) -> None:
    make, _ = FAMILIES[name]
    shapes = {}
    for device in ("cpu", double_device):
        params = _params(device, dtype)
        d = make(params)
        before = devicedouble.COPIES[0]
        x = d.sample((4,))
        if name not in UPLOADS_A_CONSTANT:
            assert devicedouble.COPIES[0] == before, "sample copied a host array over"
        assert x.device == ag.device(device) and not x.requires_grad
        shapes[device] = (tuple(x.shape), x.dtype)
        assert bool(d.support.check(x).all().item()) if name != "softmax" else True
        if d.has_rsample:
            y = d.rsample((2,))
            assert y.device == ag.device(device) and y.requires_grad
            used = [p for p in params.values()]
            grads = ag.autograd.grad(y.sum(), used, allow_unused=True)
            assert any(g is not None for g in grads)
            assert all(g is None or g.device == ag.device(device) for g in grads)
    assert shapes["cpu"] == shapes[double_device]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("pair", KL_PAIRS, ids=lambda pq: f"{pq[0]}-{pq[1]}")
def test_kl_equals_the_cpus(pair: tuple, dtype: str, double_device) -> None:
    results = []
    for device in ("cpu", double_device):
        params = _params(device, dtype)
        p, q = (FAMILIES[n][0](params) for n in pair)
        kl = D.kl_divergence(p, q)
        assert kl.device == ag.device(device)
        grads = (ag.autograd.grad(kl.sum(), list(params.values()), allow_unused=True)
                 if kl.requires_grad else [None] * len(params))  # an infinite KL: constant
        results.append([_host(kl)] + [_host(g) for g in grads])
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for want, got in zip(*results):
        assert (want is None) == (got is None)
        if want is not None:
            np.testing.assert_allclose(got, want, equal_nan=True, **tol)


def test_validation_runs_on_the_device(double_device) -> None:
    bad = ag.tensor([1.0, -1.0], device=double_device)
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.Normal(0.0, bad)
    with pytest.raises(ValueError, match="support"):
        D.Exponential(ag.ones(2, device=double_device)).log_prob(bad)
    with pytest.raises(ValueError, match="PositiveDefinite"):
        D.MultivariateNormal(ag.zeros(2, device=double_device),
                             covariance_matrix=ag.tensor([[1.0, 2.0], [2.0, 1.0]],
                                                         device=double_device))
    d = D.Gumbel(ag.zeros(2, device=double_device), 1.0)
    assert d.scale.device == ag.device(double_device)
