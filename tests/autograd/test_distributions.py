"""autograd.distributions (torch.distributions): log_prob, entropy, cdf, icdf, moments and
KL divergences with their gradients equal torch 2.13's (torch_values_distributions.py);
samples' shapes, dtypes and supports; the reparameterization gradient; validation errors
and reprs as torch's; a REINFORCE step and a VAE step whose loss and gradients are
torch's."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D

sys.path.insert(0, str(Path(__file__).parent))
import spec_distributions as S  # noqa: E402
from distribution_checks import assert_matches_torch  # noqa: E402
from torch_values_distributions import VALUES  # noqa: E402


def test_every_spec_has_torchs_answer() -> None:
    assert sorted(S.SPECS) == sorted(VALUES)


@pytest.mark.parametrize("name", sorted(S.SPECS))
def test_values_and_gradients_match_torch(name: str) -> None:
    assert_matches_torch(name, S.SPECS, VALUES[name])



# -- samples ----------------------------------------------------------------------------
FAMILIES = {
    "normal": lambda p: D.Normal(p, 2.0),
    "laplace": lambda p: D.Laplace(p, 2.0),
    "exponential": lambda p: D.Exponential(p.exp()),
    "uniform": lambda p: D.Uniform(p, p + 1),
    "bernoulli": lambda p: D.Bernoulli(logits=p),
    "categorical": lambda p: D.Categorical(logits=p),
    "one_hot": lambda p: D.OneHotCategorical(logits=p),
    "independent": lambda p: D.Independent(D.Normal(p, 1.0), 1),
    "mvn": lambda p: D.MultivariateNormal(p, scale_tril=ag.eye(3, dtype=p.dtype)),
}
# (batch_shape, event_shape) of each family on a (2, 3) parameter
SHAPES = {"categorical": ((2,), ()), "one_hot": ((2,), (3,)), "independent": ((2,), (3,)),
          "mvn": ((2,), (3,))}
REPARAM = {"normal", "laplace", "exponential", "uniform", "independent", "mvn"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("sample_shape", [(), (5,), (4, 2)])
def test_sample_shape_dtype_support(family: str, sample_shape: tuple, dtype: str) -> None:
    p = ag.zeros(2, 3, dtype=dtype, requires_grad=True)
    d = FAMILIES[family](p)
    batch, event = SHAPES.get(family, ((2, 3), ()))
    assert (d.batch_shape, d.event_shape) == (batch, event)
    assert repr(d.batch_shape) == f"torch.Size({list(batch)})"
    assert d.has_rsample == (family in REPARAM)
    x = d.sample(sample_shape)
    assert x.shape == sample_shape + batch + event
    assert x.dtype == (np.int64 if family == "categorical" else np.dtype(dtype))
    assert not x.requires_grad
    support = d.base_dist.support if family == "independent" else d.support
    assert bool(support.check(x).all())
    if family in REPARAM:
        y = d.rsample(sample_shape)
        assert y.shape == sample_shape + batch + event and y.dtype == np.dtype(dtype)
        assert y.requires_grad


def test_samples_follow_the_distribution() -> None:
    ag.manual_seed(1)
    n = 20000
    x = D.Normal(ag.tensor([1.0, -2.0]), ag.tensor([0.5, 3.0])).sample((n,)).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -2.0], atol=0.06)
    np.testing.assert_allclose(x.std(0), [0.5, 3.0], rtol=0.03)
    lap = D.Laplace(1.0, 2.0).rsample((n,)).numpy()
    assert abs(np.median(lap) - 1.0) < 0.06 and abs(lap.var() - 8.0) < 0.4
    e = D.Exponential(ag.tensor(4.0)).rsample((n,)).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.01
    u = D.Uniform(-1.0, 3.0).sample((n,)).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1.0) < 0.05
    b = D.Bernoulli(ag.tensor([0.1, 0.8])).sample((n,)).numpy()
    np.testing.assert_allclose(b.mean(0), [0.1, 0.8], atol=0.015)
    c = D.Categorical(ag.tensor([0.1, 0.6, 0.3])).sample((n,)).numpy()
    np.testing.assert_allclose(np.bincount(c, minlength=3) / n, [0.1, 0.6, 0.3], atol=0.015)
    L = ag.tensor([[1.0, 0.0], [0.8, 0.6]])
    m = D.MultivariateNormal(ag.zeros(2), scale_tril=L).sample((n,)).numpy()
    np.testing.assert_allclose(np.cov(m.T), [[1.0, 0.8], [0.8, 1.0]], atol=0.04)


def test_sampling_is_seeded_by_manual_seed() -> None:
    d = D.Normal(ag.zeros(3), 1.0)
    ag.manual_seed(5)
    a = d.rsample((2,)).numpy()
    ag.manual_seed(5)
    np.testing.assert_array_equal(a, d.rsample((2,)).numpy())
    ag.manual_seed(5)
    np.testing.assert_array_equal(a, ag.randn(2, 3).numpy())  # eps, then loc + eps * scale


def test_normal_rsample_is_loc_plus_eps_times_scale() -> None:
    loc = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    scale = ag.tensor([1.5, 0.2, 3.0], requires_grad=True)
    ag.manual_seed(3)
    z = D.Normal(loc, scale).rsample((4,))
    ag.manual_seed(3)
    eps = ag.randn(4, 3).numpy()
    np.testing.assert_allclose(z.detach().numpy(), loc.detach().numpy() + eps
                               * scale.detach().numpy(), rtol=1e-6)
    w = ag.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    (z * w).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), w.numpy().sum(0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(scale.grad.numpy(), (w.numpy() * eps).sum(0), rtol=1e-5,
                               atol=1e-6)


def test_sample_is_outside_the_graph_and_float64_is_kept() -> None:
    loc = ag.zeros(3, dtype=ag.float64, requires_grad=True)
    d = D.Normal(loc, 1.0)
    assert d.scale.dtype == np.float64 and d.sample().dtype == np.float64
    assert d.sample().grad_fn is None and d.rsample().grad_fn is not None
    assert D.Normal(0.0, 1.0).sample((2,)).dtype == np.float32
    assert D.Normal(0.0, 1.0).batch_shape == ()


# -- validation, errors and reprs --------------------------------------------------------
@pytest.mark.parametrize("make, gist", [
    (lambda: D.Normal(0.0, 0.0), "Expected parameter scale (Tensor of shape ()) of "
     "distribution Normal(loc: 0.0, scale: 0.0) to satisfy the constraint "
     "GreaterThan(lower_bound=0.0), but found invalid values:"),
    (lambda: D.Normal(ag.tensor([math.nan]), 1.0), "Expected parameter loc (Tensor of shape "
     "(1,)) of distribution Normal(loc: tensor([nan]), scale: tensor([1.])) to satisfy the "
     "constraint Real(), but found invalid values:"),
    (lambda: D.Bernoulli(probs=ag.tensor([1.5])), "constraint Interval(lower_bound=0.0, "
     "upper_bound=1.0)"),
    (lambda: D.Categorical(probs=ag.tensor([-0.1, 1.1])), "constraint Simplex()"),
    (lambda: D.Uniform(2.0, 1.0), "constraint LessThan(upper_bound=1.0)"),
    (lambda: D.Exponential(ag.tensor([1.0, -1.0])), "Expected parameter rate"),
    (lambda: D.MultivariateNormal(ag.zeros(2), scale_tril=ag.ones(2, 2)),
     "constraint LowerCholesky()"),
    (lambda: D.Normal(0.0, 1.0).log_prob(ag.tensor(math.nan)), "Expected value argument "
     "(Tensor of shape ()) to be within the support (Real()) of the distribution "
     "Normal(loc: 0.0, scale: 1.0), but found invalid values:"),
    (lambda: D.Exponential(1.0).log_prob(ag.tensor([-1.0])), "support (GreaterThanEq("
     "lower_bound=0.0))"),
    (lambda: D.Bernoulli(0.3).log_prob(ag.tensor([0.5])), "support (Boolean())"),
    (lambda: D.Categorical(ag.tensor([0.1, 0.9])).log_prob(ag.tensor(2)),
     "support (IntegerInterval(lower_bound=0, upper_bound=1))"),
    (lambda: D.Uniform(0.0, 1.0).cdf(ag.tensor([2.0])), "support (Interval("),
    (lambda: D.OneHotCategorical(logits=ag.zeros(3)).log_prob(ag.tensor([1.0, 1.0, 0.0])),
     "support (OneHot())"),
    (lambda: D.Categorical(ag.ones(3, 2)).log_prob(ag.tensor([0, 1])),
     "Value is not broadcastable with batch_shape+event_shape: torch.Size([2]) vs "
     "torch.Size([3])."),
    (lambda: D.OneHotCategorical(logits=ag.zeros(3)).log_prob(ag.tensor([1.0, 0.0])),
     "The right-most size of value must match event_shape: torch.Size([2]) vs "
     "torch.Size([3])."),
    (lambda: D.Normal(0.0, 1.0).log_prob(0.5), "The value argument to log_prob must be a "
     "Tensor"),
    (lambda: D.Bernoulli(probs=0.5, logits=0.1), "Either `probs` or `logits` must be "
     "specified, but not both."),
    (lambda: D.Categorical(), "Either `probs` or `logits` must be specified"),
    (lambda: D.Categorical(logits=ag.tensor(1.0)), "`logits` parameter must be at least "
     "one-dimensional."),
    (lambda: D.Independent(D.Normal(ag.zeros(3), 1.0), 2), "Expected "
     "reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual 2 vs 1"),
    (lambda: D.Normal("a", 1.0), "Input arguments must all be instances of Number"),
    (lambda: D.MultivariateNormal(ag.zeros(3)), "Exactly one of covariance_matrix or "
     "precision_matrix or scale_tril may be specified."),
    (lambda: D.MultivariateNormal(ag.tensor(0.0), scale_tril=ag.eye(1)), "loc must be at "
     "least one-dimensional."),
    (lambda: D.Distribution.set_default_validate_args(3), ""),
])
def test_errors_are_torchs(make, gist: str) -> None:
    with pytest.raises(ValueError) as info:
        make()
    assert gist in str(info.value)


def test_unregistered_kl_and_bad_parameters_raise() -> None:
    with pytest.raises(NotImplementedError, match="No KL.p .. q. is implemented for p type "
                       "Bernoulli and q type Categorical"):
        D.kl_divergence(D.Bernoulli(0.5), D.Categorical(ag.tensor([0.5, 0.5])))
    ind = D.Independent(D.Normal(ag.zeros(2, 3), 1.0), 1)
    with pytest.raises(NotImplementedError):
        D.kl_divergence(ind, D.Independent(D.Normal(ag.zeros(2, 3), 1.0), 2))
    with pytest.raises(ValueError, match="positive_definite|PositiveDefinite"):
        D.MultivariateNormal(ag.zeros(2), covariance_matrix=ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="Exactly one"):
        D.MultivariateNormal(ag.zeros(2), covariance_matrix=ag.eye(2), scale_tril=ag.eye(2))
    with pytest.raises(ValueError, match="different event shapes"):
        D.kl_divergence(D.MultivariateNormal(ag.zeros(2), scale_tril=ag.eye(2)),
                        D.MultivariateNormal(ag.zeros(3), scale_tril=ag.eye(3)))
    with pytest.raises(TypeError):  # torch's check: issubclass of a non-class
        D.register_kl("Normal", D.Normal)


def test_register_kl_dispatches_to_the_most_specific_pair() -> None:
    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    inherited = D.kl_divergence(p, q).item()
    assert inherited == pytest.approx(D.kl_divergence(D.Normal(0.0, 1.0), q).item())

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p, q):
        return ag.tensor(42.0)

    try:
        assert D.kl_divergence(p, q).item() == 42.0
        assert D.kl_divergence(q, p).item() == pytest.approx(
            D.kl_divergence(q, D.Normal(0.0, 1.0)).item())
    finally:
        from autograd.distributions import kl

        del kl._KL_REGISTRY[MyNormal, D.Normal]
        kl._KL_MEMOIZE.clear()


@pytest.mark.filterwarnings("ignore:invalid value encountered in log")
def test_validation_can_be_switched_off() -> None:
    lp = D.Normal(0.0, -1.0, validate_args=False).log_prob(ag.tensor(0.5))
    assert math.isnan(lp.item())
    D.Distribution.set_default_validate_args(False)
    try:
        assert math.isnan(D.Normal(0.0, -1.0).log_prob(ag.tensor(0.5)).item())
        assert D.Exponential(1.0).log_prob(ag.tensor(-1.0)).item() == pytest.approx(1.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)


@pytest.mark.parametrize("make, text", [
    (lambda: D.Normal(0.0, 1.0), "Normal(loc: 0.0, scale: 1.0)"),
    (lambda: D.Normal(ag.zeros(2), 1.0), "Normal(loc: torch.Size([2]), scale: torch.Size([2]))"),
    (lambda: D.Normal(ag.tensor([0.5]), ag.tensor([2.0])),
     "Normal(loc: tensor([0.5000]), scale: tensor([2.]))"),
    (lambda: D.Bernoulli(probs=ag.tensor([0.1, 0.2])), "Bernoulli(probs: torch.Size([2]))"),
    (lambda: D.Bernoulli(logits=0.3), "Bernoulli(logits: 0.30000001192092896)"),
    (lambda: D.Categorical(logits=ag.zeros(1, 2)), "Categorical(logits: torch.Size([1, 2]))"),
    (lambda: D.OneHotCategorical(logits=ag.zeros(2)), "OneHotCategorical()"),
    (lambda: D.Uniform(ag.zeros(2), 3.0), "Uniform(low: torch.Size([2]), high: "
     "torch.Size([2]))"),
    (lambda: D.Independent(D.Normal(ag.zeros(2), 1.0), 1),
     "Independent(Normal(loc: torch.Size([2]), scale: torch.Size([2])), 1)"),
    (lambda: D.MultivariateNormal(ag.zeros(2), scale_tril=ag.eye(2)),
     "MultivariateNormal(loc: torch.Size([2]), scale_tril: torch.Size([2, 2]))"),
    (lambda: D.Categorical(logits=ag.zeros(3)).support,
     "IntegerInterval(lower_bound=0, upper_bound=2)"),
    (lambda: D.Independent(D.Normal(ag.zeros(2), 1.0), 1).support, "IndependentConstraint("
     "Real(), 1)"),
    (lambda: D.constraints.real_vector, "IndependentConstraint(Real(), 1)"),
    (lambda: D.constraints.positive_definite, "PositiveDefinite()"),
])
def test_repr_is_torchs(make, text: str) -> None:
    assert repr(make()) == text


def test_expand_and_properties() -> None:
    d = D.Normal(ag.zeros(3), 1.0).expand((2, 3))
    assert d.batch_shape == (2, 3) and d.loc.shape == (2, 3)
    c = D.Categorical(logits=ag.tensor([1.0, 2.0, 3.0])).expand((4,))
    assert c.batch_shape == (4,) and c.logits.shape == (4, 3) and c.sample().shape == (4,)
    i = D.Independent(D.Normal(ag.zeros(3), 1.0), 1).expand((2,))
    assert (i.batch_shape, i.event_shape) == ((2,), (3,))
    m = D.MultivariateNormal(ag.zeros(3), scale_tril=ag.eye(3)).expand((5,))
    assert m.log_prob(ag.zeros(5, 3)).shape == (5,)
    assert D.Bernoulli(logits=ag.zeros(3)).expand((2, 3)).sample().shape == (2, 3)
    # the other parameterization is computed on first use and then kept
    b = D.Bernoulli(probs=ag.tensor([0.3]))
    assert "logits" not in b.__dict__
    assert b.logits.shape == (1,)
    assert "logits" in b.__dict__
    np.testing.assert_allclose(D.Categorical(logits=ag.tensor([1.0, 2.0])).logits.numpy(),
                               [-1.3132616, -0.3132617], rtol=1e-6)
    mode = D.Bernoulli(ag.tensor([0.2, 0.5, 0.7])).mode.numpy()
    assert mode[0] == 0 and math.isnan(mode[1]) and mode[2] == 1
    assert D.Categorical(ag.tensor([[0.2, 0.5, 0.3]])).mode.tolist() == [1]
    assert D.OneHotCategorical(ag.tensor([0.2, 0.5, 0.3])).mode.tolist() == [0.0, 1.0, 0.0]
    assert math.isnan(D.Uniform(0.0, 1.0).mode.item())
    assert D.Categorical(ag.ones(2, 3)).enumerate_support().tolist() == [[0, 0], [1, 1],
                                                                         [2, 2]]
    assert D.Normal(0.0, 2.0).perplexity().item() == pytest.approx(
        math.exp(0.5 + 0.5 * math.log(2 * math.pi) + math.log(2.0)), rel=1e-6)
    assert isinstance(ag.distributions.Normal(0.0, 1.0), ag.distributions.Distribution)


def test_straight_through_passes_the_probs_gradient() -> None:
    logits = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    d = D.OneHotCategoricalStraightThrough(logits=logits)
    y = d.rsample()
    assert sorted(y.tolist()) == [0.0, 0.0, 1.0]
    (y * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    p = np.exp([0.5, -1.0, 2.0]) / np.exp([0.5, -1.0, 2.0]).sum()
    g = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(logits.grad.numpy(), p * (g - (p * g).sum()), rtol=1e-5)


# -- a REINFORCE step and a VAE step: loss and gradients equal torch 2.13's ---------------
OBS = [[-1.639, 0.061, -0.964, 0.757], [-2.034, -0.914, 0.71, 1.156],
       [-2.158, -0.498, 0.328, -0.609], [1.591, -1.191, 0.355, -1.048],
       [1.406, -0.022, -0.372, -1.718]]
W_POLICY = [[0.841, 0.376, 0.377], [0.569, 0.175, -0.32], [-0.4, -0.4, 0.685],
            [-0.73, -0.298, -0.161]]


def test_reinforce_step_matches_torch() -> None:
    w = ag.tensor(W_POLICY, requires_grad=True)
    dist = D.Categorical(logits=ag.tensor(OBS) @ w)
    actions = dist.sample()
    assert actions.shape == (5,) and actions.dtype == np.int64
    lp = dist.log_prob(ag.tensor([0, 2, 1, 1, 2]))
    returns = ag.tensor([1.0, -0.5, 2.0, 0.25, -1.0])
    loss = -(lp * returns).sum() - 0.01 * dist.entropy().sum()
    loss.backward()
    assert loss.item() == pytest.approx(1.7603296041488647, rel=1e-6)
    np.testing.assert_allclose(lp.detach().numpy(), [-1.6087450981140137, -0.2571214437484741,
                               -1.1212255954742432, -1.6791163682937622, -2.338390827178955],
                               rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), [
        [-0.059290289878845215, 1.5752301216125488, -1.5159389972686768],
        [-0.2589898109436035, 1.0456650257110596, -0.786675214767456],
        [1.145613670349121, -1.0798559188842773, -0.06575778126716614],
        [0.35469478368759155, 1.6755017042160034, -2.0301966667175293]], rtol=1e-5, atol=1e-6)


X_BITS = [[0.0, 0.0, 1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 1.0],
          [0.0, 1.0, 1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]]
W_ENC = [[-0.091, 0.27, 0.968, -0.135], [-0.122, 0.501, -0.443, -0.146],
         [0.441, 0.29, 0.046, 0.335], [-1.414, 0.511, -0.48, -0.834],
         [0.138, 0.35, -0.222, -0.538], [0.013, -0.026, 0.703, 0.374]]
W_DEC = [[0.097, 0.556, -0.103, -0.463, 0.292, 0.291],
         [-0.107, -0.391, 0.115, -1.247, 0.345, 0.246]]


def test_vae_step_matches_torch() -> None:
    # torch's numbers were computed with rsample's eps set to chainrule's draw after
    # manual_seed(0) (the randn(4, 2) below), so both ran the same reparameterized step
    ag.manual_seed(0)
    eps = ag.randn(4, 2)
    np.testing.assert_allclose(eps.numpy()[0], [1.1176220178604126, -1.3871248960494995])
    we = ag.tensor(W_ENC, requires_grad=True)
    wd = ag.tensor(W_DEC, requires_grad=True)
    x = ag.tensor(X_BITS)
    h = x @ we
    mu, logvar = h[:, :2], h[:, 2:]
    std = (0.5 * logvar).exp()
    q = D.Normal(mu, std)
    ag.manual_seed(0)
    z = q.rsample()
    np.testing.assert_allclose(z.detach().numpy(), (mu + eps * std).detach().numpy())
    recon = -D.Bernoulli(logits=z @ wd).log_prob(x).sum()
    kl = D.kl_divergence(q, D.Normal(ag.zeros_like(mu), ag.ones_like(std))).sum()
    loss = recon + kl
    loss.backward()
    assert (loss.item(), recon.item(), kl.item()) == pytest.approx(
        (22.821762084960938, 18.3455867767334, 4.476175308227539), rel=1e-6)
    np.testing.assert_allclose(we.grad.numpy(), [
        [-0.948379635810852, 1.7871546745300293, 0.335731565952301, -0.32018744945526123],
        [-0.9802274703979492, 2.4955906867980957, -0.05179714784026146, -0.15862728655338287],
        [-0.6275516152381897, 2.746018409729004, 0.7073161602020264, 0.6426823735237122],
        [-2.048837184906006, 5.554574489593506, 0.49146968126296997, -0.9296900629997253],
        [0.0, 0.0, 0.0, 0.0],
        [-0.5073215961456299, 1.474189281463623, 0.49978089332580566, 1.0935577154159546]],
        rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(wd.grad.numpy(), [
        [0.4277600646018982, -0.12796860933303833, -0.4343387186527252, 1.1328825950622559,
         -1.0624852180480957, -0.3276810944080353],
        [-0.4712044298648834, -1.2764650583267212, 0.4792773127555847, -1.9390921592712402,
         0.5400829315185547, 0.14064127206802368]], rtol=1e-5, atol=1e-6)


def test_second_derivatives_flow_through_log_prob() -> None:
    # d²/dσ² of Σ log N(x; μ, σ) at σ = 1.5: Σ (1/σ² − 3(x − μ)²/σ⁴) (torch: 0.13037038)
    loc = ag.tensor([0.2, -0.3], requires_grad=True)
    scale = ag.tensor(1.5, requires_grad=True)
    lp = D.Normal(loc, scale).log_prob(ag.tensor([1.0, 0.5])).sum()
    (g,) = ag.grad(lp, scale, create_graph=True)
    (h,) = ag.grad(g, scale)
    x = np.array([1.0, 0.5]) - np.array([0.2, -0.3])
    assert h.item() == pytest.approx(float(np.sum(1 / 1.5 ** 2 - 3 * x ** 2 / 1.5 ** 4)),
                                     rel=1e-5)
    assert h.item() == pytest.approx(0.1303703784942627, rel=1e-6)


def test_exponential_family_fallbacks_agree_with_the_closed_forms() -> None:
    # the Bregman forms (entropy and KL through ∇F by autograd) are the fallback torch
    # uses for exponential families without their own; on Normal, Bernoulli and
    # Exponential they must give the closed forms' values and gradients
    from autograd.distributions.kl import _kl_expfamily_expfamily

    loc = ag.tensor([0.3, -1.2], requires_grad=True)
    scale = ag.tensor([0.5, 2.0], requires_grad=True)
    pairs = [(D.Normal(loc, scale), D.Normal(ag.tensor([1.0, 0.0]), ag.tensor([1.5, 0.7]))),
             (D.Bernoulli(logits=loc), D.Bernoulli(probs=ag.tensor([0.2, 0.9]))),
             (D.Exponential(scale), D.Exponential(ag.tensor([1.0, 3.0])))]
    for p, q in pairs:
        assert isinstance(p, D.ExponentialFamily)
        # torch detaches p's natural parameters in both: the value is all that is kept
        for closed, bregman in [(p.entropy(), D.ExponentialFamily.entropy(p)),
                                (D.kl_divergence(p, q), _kl_expfamily_expfamily(p, q))]:
            np.testing.assert_allclose(bregman.detach().numpy(), closed.detach().numpy(),
                                       rtol=1e-5, atol=1e-6)
        # q's natural parameters stay in the graph: KL(q ‖ p)'s gradient reaches p's
        closed, bregman = D.kl_divergence(q, p), _kl_expfamily_expfamily(q, p)
        np.testing.assert_allclose(bregman.detach().numpy(), closed.detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        g1 = ag.grad(closed.sum(), [loc, scale], allow_unused=True, retain_graph=True)
        g2 = ag.grad(bregman.sum(), [loc, scale], allow_unused=True, retain_graph=True)
        for a, b in zip(g1, g2):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(NotImplementedError, match="cross KL-divergence between different "
                       "exponential families"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.3))


def test_torchs_module_paths_import() -> None:
    # `from torch.distributions.beta import Beta` and the like, rewritten for autograd
    import importlib

    for module, name in (("beta", "Beta"), ("chi2", "Chi2"), ("fishersnedecor",
                         "FisherSnedecor"), ("half_cauchy", "HalfCauchy"), ("half_normal",
                         "HalfNormal"), ("inverse_gamma", "InverseGamma"), ("kumaraswamy",
                         "Kumaraswamy"), ("logistic_normal", "LogisticNormal"), ("multinomial",
                         "Multinomial"), ("pareto", "Pareto"), ("studentT", "StudentT"),
                        ("weibull", "Weibull"), ("normal", "Normal")):
        assert getattr(importlib.import_module(f"autograd.distributions.{module}"),
                       name) is getattr(D, name)
    from autograd.distributions.utils import euler_constant, logits_to_probs, probs_to_logits

    # torch 2.13's values
    assert probs_to_logits(ag.tensor([0.25, 0.75]), is_binary=True).tolist() == pytest.approx(
        [-1.0986122886681098, 1.0986122886681098], rel=1e-6)
    assert logits_to_probs(ag.tensor([0.3, -1.0])).tolist() == pytest.approx(
        [0.7858349830425586, 0.21416501695744145], rel=1e-6)
    assert euler_constant == 0.5772156649015329
