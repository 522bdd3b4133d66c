"""autograd.distributions, second set of families (spec_distributions2.py): values and
gradients equal torch 2.13's (torch_values_distributions2.json) for MultivariateNormal
from a covariance or a precision, LogNormal, HalfNormal, Cauchy, Gumbel, Geometric,
RelaxedBernoulli, RelaxedOneHotCategorical, MixtureSameFamily, the transforms and
TransformedDistribution, and their KL pairs; samples' shapes and supports; torch's
errors and transform algebra (inverses, caching, equality, shapes)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D

sys.path.insert(0, str(Path(__file__).parent))
import spec_distributions2 as S2  # noqa: E402
from distribution_checks import assert_matches_torch, check_draws  # noqa: E402

# torch 2.13's answers to spec_distributions2.py (computed once; torch is never imported
# by the tests)
VALUES = json.loads((Path(__file__).parent / "torch_values_distributions2.json").read_text())


def test_every_spec_has_torchs_answer() -> None:
    assert sorted(S2.SPECS) == sorted(VALUES)


@pytest.mark.parametrize("name", sorted(S2.SPECS))
def test_values_and_gradients_match_torch(name: str) -> None:
    assert_matches_torch(name, S2.SPECS, VALUES[name])



# -- samples ----------------------------------------------------------------------------
def _cov(p):
    return ag.eye(3, dtype=p.dtype) * 2.0 + 0.5


FAMILIES = {
    "lognormal": (lambda p: D.LogNormal(p, 0.5), True, lambda x: (x > 0).all()),
    "halfnormal": (lambda p: D.HalfNormal(p.exp()), True, lambda x: (x >= 0).all()),
    "cauchy": (lambda p: D.Cauchy(p, 2.0), True, None),
    "gumbel": (lambda p: D.Gumbel(p, 2.0), True, None),
    "geometric": (lambda p: D.Geometric(logits=p), False,
                  lambda x: ((x >= 0) & (x == x.floor())).all()),
    "relaxed_bernoulli": (lambda p: D.RelaxedBernoulli(ag.tensor(0.5, dtype=p.dtype),
                                                       logits=p), True,
                          lambda x: ((x > 0) & (x < 1)).all()),
    "relaxed_one_hot": (lambda p: D.RelaxedOneHotCategorical(ag.tensor(0.5, dtype=p.dtype),
                                                             logits=p), True,
                        lambda x: ((x.sum(-1) - 1).abs() < 1e-5).all()),
    "mixture": (lambda p: D.MixtureSameFamily(D.Categorical(logits=p),
                                              D.Normal(p, 1.0)), False, None),
    "mvn_cov": (lambda p: D.MultivariateNormal(p, covariance_matrix=_cov(p)), True, None),
    "mvn_prec": (lambda p: D.MultivariateNormal(p, precision_matrix=_cov(p)), True, None),
    "lowrank": (lambda p: D.LowRankMultivariateNormal(p, _cov(p)[:, :2], p.exp()), True, None),
    "tanh_normal": (lambda p: D.TransformedDistribution(
        D.Normal(p, 1.0), [D.TanhTransform(), D.AffineTransform(1.0, 2.0)]), True,
        lambda x: ((x >= -1) & (x <= 3)).all()),
}
# (batch_shape, event_shape) on a (2, 3) parameter
SHAPES = {"relaxed_one_hot": ((2,), (3,)), "mixture": ((2,), ()), "mvn_cov": ((2,), (3,)),
          "mvn_prec": ((2,), (3,)), "lowrank": ((2,), (3,))}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("sample_shape", [(), (4, 2)])
def test_sample_shape_dtype_support(family: str, sample_shape: tuple, dtype: str) -> None:
    check_draws(FAMILIES[family], SHAPES.get(family, ((2, 3), ())), sample_shape, dtype)


def test_samples_follow_the_distribution() -> None:
    ag.manual_seed(2)
    n = 40000
    x = D.LogNormal(ag.tensor(0.5), ag.tensor(0.3)).sample((n,)).numpy()
    assert abs(np.log(x).mean() - 0.5) < 0.01 and abs(np.log(x).std() - 0.3) < 0.01
    h = D.HalfNormal(ag.tensor(2.0)).sample((n,)).numpy()
    assert abs(h.mean() - 2.0 * math.sqrt(2 / math.pi)) < 0.03
    c = D.Cauchy(1.0, 2.0).sample((n,)).numpy()
    assert abs(np.median(c) - 1.0) < 0.05 and abs(np.percentile(c, 75) - 3.0) < 0.1
    g = D.Gumbel(1.0, 2.0).sample((n,)).numpy()
    assert abs(g.mean() - (1.0 + 2.0 * 0.5772156649)) < 0.05
    k = D.Geometric(ag.tensor(0.25)).sample((n,)).numpy()
    assert abs(k.mean() - 3.0) < 0.1
    m = D.MixtureSameFamily(D.Categorical(ag.tensor([0.3, 0.7])),
                            D.Normal(ag.tensor([-5.0, 5.0]), ag.tensor([0.1, 0.1])))
    s = m.sample((n,)).numpy()
    assert abs((s < 0).mean() - 0.3) < 0.01
    cov = ag.tensor([[2.0, 0.6], [0.6, 1.0]])
    for kw in ({"covariance_matrix": cov}, {"precision_matrix": ag.linalg.inv(cov)}):
        v = D.MultivariateNormal(ag.zeros(2), **kw).sample((n,)).numpy()
        np.testing.assert_allclose(np.cov(v.T), cov.numpy(), atol=0.05)
    lr = D.LowRankMultivariateNormal(ag.zeros(2), ag.tensor([[1.0], [0.6]]), ag.tensor([1.0, 0.64]))
    v = lr.sample((n,)).numpy()
    np.testing.assert_allclose(np.cov(v.T), cov.numpy(), atol=0.05)


# -- transforms -------------------------------------------------------------------------
def test_transform_algebra() -> None:
    t = D.ExpTransform()
    assert t.inv.inv is t and t.inv == D.ExpTransform().inv and t == D.ExpTransform()
    assert repr(t.inv) == "_InverseTransform(ExpTransform())"
    assert (t.domain, t.codomain) == (D.constraints.real, D.constraints.positive)
    assert t.inv.domain is D.constraints.positive and t.sign == 1 and t.event_dim == 0
    cached = D.ExpTransform(cache_size=1)
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    y = cached(x)
    assert cached.inv(y) is x and cached(x) is y
    assert D.ExpTransform().inv(y) is not x
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        D.ExpTransform(cache_size=2)
    c = D.ComposeTransform([D.AffineTransform(1.0, -2.0), D.ExpTransform()])
    assert c.sign == -1 and c.bijective and c.inv.inv is c
    assert repr(c) == "ComposeTransform(\n    AffineTransform(),\n    ExpTransform()\n)"
    np.testing.assert_allclose(c.inv(c(x)).detach().numpy(), x.detach().numpy(), rtol=1e-6)
    assert D.AffineTransform(0.0, 2.0) == D.AffineTransform(0.0, 2.0)
    assert D.AffineTransform(0.0, 2.0) != D.AffineTransform(0.0, ag.tensor([2.0, 3.0]))
    aff = D.AffineTransform(ag.zeros(3), 1.0, event_dim=1)
    assert aff.domain.event_dim == 1 and aff.forward_shape((2, 1)) == (2, 3)
    assert D.SoftmaxTransform().codomain is D.constraints.simplex
    with pytest.raises(ValueError, match="Too few dimensions"):
        D.SoftmaxTransform().forward_shape(())
    assert D.ComposeTransform([D.SoftmaxTransform(), D.ExpTransform()]).codomain.event_dim == 1


def test_transformed_distribution_shapes_and_support() -> None:
    base = D.Normal(ag.zeros(3), 1.0)
    d = D.TransformedDistribution(base, D.AffineTransform(ag.zeros(2, 3), 1.0))
    assert d.batch_shape == (2, 3) and d.base_dist.batch_shape == (2, 3)
    e = D.TransformedDistribution(base, D.AffineTransform(0.0, ag.ones(3), event_dim=1))
    assert (e.batch_shape, e.event_shape) == ((), (3,))
    assert isinstance(e.base_dist, D.Independent)
    s = D.TransformedDistribution(D.Normal(ag.zeros(2, 3), 1.0), D.SoftmaxTransform())
    assert s.event_shape == (3,) and s.support is D.constraints.simplex
    assert D.LogNormal(0.0, 1.0).expand((4,)).batch_shape == (4,)
    assert D.Gumbel(ag.zeros(2), 1.0).expand((3, 2)).loc.shape == (3, 2)
    with pytest.raises(ValueError, match="transforms must be a Transform"):
        D.TransformedDistribution(base, "exp")
    with pytest.raises(ValueError, match="base_distribution needs to have shape"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), D.SoftmaxTransform())


# -- errors -----------------------------------------------------------------------------
def test_bad_parameters_raise_torchs_errors() -> None:
    with pytest.raises(ValueError, match="to be positive"):
        D.Geometric(probs=ag.tensor([0.0, 0.5]))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        D.Geometric()
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.LogNormal(0.0, -1.0)
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.HalfNormal(ag.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="support"):
        D.HalfNormal(1.0).log_prob(ag.tensor([-1.0]))
    with pytest.raises(ValueError, match="needs to be an  instance"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(ag.zeros(2), 1.0))
    with pytest.raises(ValueError, match="does not equal"):
        D.MixtureSameFamily(D.Categorical(ag.ones(3)), D.Normal(ag.zeros(2), 1.0))
    with pytest.raises(ValueError, match="covariance_matrix must be at least two"):
        D.MultivariateNormal(ag.zeros(2), covariance_matrix=ag.ones(2))
    with pytest.raises(ValueError, match="PositiveDefinite"):
        D.MultivariateNormal(ag.zeros(2), precision_matrix=ag.tensor([[1.0, 0.5], [0.4, 1.0]]))
    with pytest.raises(NotImplementedError):  # different transforms: no KL
        D.kl_divergence(D.LogNormal(0.0, 1.0),
                        D.TransformedDistribution(D.Normal(0.0, 1.0), D.SigmoidTransform()))
    assert math.isinf(D.kl_divergence(D.Gumbel(0.0, 1.0), D.Uniform(0.0, 1.0)).item())


def test_constraint_registry_is_torchs() -> None:
    C, T = D.constraints, D.transforms
    assert D.biject_to(C.real) is T.identity_transform
    # positive is a greater_than instance: exp then + 0, as torch's
    t = D.biject_to(C.positive)
    assert isinstance(t, T.ComposeTransform) and t.parts[0] == T.ExpTransform()
    assert D.transform_to(C.unit_interval) == T.SigmoidTransform()
    assert D.biject_to(C.simplex) == T.StickBreakingTransform()
    assert D.transform_to(C.simplex) == T.SoftmaxTransform()
    ind = D.biject_to(C.real_vector)
    assert isinstance(ind, T.IndependentTransform) and ind.domain.event_dim == 1
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(C.boolean)
    with pytest.raises(NotImplementedError):
        D.biject_to(C.lower_cholesky)  # only transform_to has it, as in torch
    with pytest.raises(TypeError, match="Expected constraint"):
        D.biject_to.register(int, lambda c: T.ExpTransform())
    x = ag.tensor([[0.3, -1.0, 2.0]])
    y = D.biject_to(C.simplex)(x)
    assert y.shape == (1, 4) and abs(y.sum().item() - 1) < 1e-6
    np.testing.assert_allclose(D.biject_to(C.simplex).inv(y).numpy(), x.numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="different numbers of elements"):
        T.ReshapeTransform((2, 3), (4,))
