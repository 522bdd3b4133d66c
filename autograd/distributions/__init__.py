"""Probability distributions with torch's API (``torch.distributions``): sampling,
reparameterized sampling, log-densities, entropies and KL divergences, differentiable
in the parameters (REINFORCE's ``log_prob``, a VAE's ``rsample`` and ``kl_divergence``).

>>> import autograd as ag
>>> from autograd.distributions import Normal, kl_divergence
>>> mu = ag.zeros(2, requires_grad=True)
>>> kl_divergence(Normal(mu, 1.0), Normal(0.0, 1.0)).sum().backward()
"""

from __future__ import annotations

import sys as _sys
import types as _types

from autograd.distributions import constraints, transforms
from autograd.distributions import (
    kl_continuous_bernoulli as _kl_continuous_bernoulli,  # noqa: F401 (registers its pairs)
)
from autograd.distributions import kl_gamma as _kl_gamma  # noqa: F401 (registers its pairs)
from autograd.distributions import kl_lowrank as _kl_lowrank  # noqa: F401 (registers its pairs)
from autograd.distributions import kl_more as _kl_more  # noqa: F401 (registers its pairs)
from autograd.distributions import kl_pareto as _kl_pareto  # noqa: F401 (registers its pairs)
from autograd.distributions import params as _params
from autograd.distributions.bernoulli import Bernoulli
from autograd.distributions.binomial import Binomial, Multinomial
from autograd.distributions.categorical import Categorical
from autograd.distributions.cauchy import Cauchy
from autograd.distributions.constraint_registry import biject_to, transform_to
from autograd.distributions.continuous_bernoulli import ContinuousBernoulli
from autograd.distributions.dirichlet import Beta, Dirichlet
from autograd.distributions.distribution import Distribution
from autograd.distributions.exp_family import ExponentialFamily
from autograd.distributions.exponential import Exponential
from autograd.distributions.gamma import Chi2, Gamma
from autograd.distributions.generalized_pareto import GeneralizedPareto
from autograd.distributions.geometric import Geometric
from autograd.distributions.gumbel import Gumbel
from autograd.distributions.independent import Independent
from autograd.distributions.kl import kl_divergence, register_kl
from autograd.distributions.laplace import Laplace
from autograd.distributions.log_normal import HalfNormal, LogNormal
from autograd.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from autograd.distributions.mixture_same_family import MixtureSameFamily
from autograd.distributions.multivariate_normal import MultivariateNormal
from autograd.distributions.negative_binomial import FisherSnedecor, NegativeBinomial
from autograd.distributions.normal import Normal
from autograd.distributions.one_hot_categorical import (
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
)
from autograd.distributions.poisson import Poisson
from autograd.distributions.relaxed_bernoulli import RelaxedBernoulli
from autograd.distributions.relaxed_categorical import RelaxedOneHotCategorical
from autograd.distributions.student_t import StudentT
from autograd.distributions.transformed_distribution import TransformedDistribution
from autograd.distributions.transformed_families import (
    HalfCauchy,
    InverseGamma,
    Kumaraswamy,
    LogisticNormal,
    Pareto,
    Weibull,
)
from autograd.distributions.transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
)
from autograd.distributions.uniform import Uniform
from autograd.distributions.von_mises import VonMises

__all__ = [
    "AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
    "Chi2", "ComposeTransform", "ContinuousBernoulli", "Dirichlet", "Distribution",
    "ExpTransform", "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma",
    "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy",
    "HalfNormal", "Independent", "IndependentTransform", "InverseGamma", "Kumaraswamy",
    "Laplace", "LogNormal", "LogisticNormal", "LowRankMultivariateNormal",
    "LowerCholeskyTransform", "MixtureSameFamily",
    "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "PositiveDefiniteTransform",
    "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform",
    "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StickBreakingTransform",
    "StudentT", "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "VonMises",
    "Weibull",
    "biject_to", "constraints", "kl_divergence", "register_kl", "transform_to", "transforms",
]

# torch's module paths for the classes that live in another file here
# (``from torch.distributions.beta import Beta``): each a small module holding its names
_TORCH_MODULES = {
    "beta": ("Beta",), "chi2": ("Chi2",), "fishersnedecor": ("FisherSnedecor",),
    "half_cauchy": ("HalfCauchy",), "half_normal": ("HalfNormal",),
    "inverse_gamma": ("InverseGamma",), "kumaraswamy": ("Kumaraswamy",),
    "logistic_normal": ("LogisticNormal",), "multinomial": ("Multinomial",),
    "pareto": ("Pareto",), "studentT": ("StudentT",), "weibull": ("Weibull",),
}


def _torch_module(name: str, values: dict) -> _types.ModuleType:
    module = _types.ModuleType(f"{__name__}.{name}", f"torch.distributions.{name}'s names")
    module.__dict__.update(values, __all__=list(values))
    _sys.modules[module.__name__] = module
    return module


for _name, _held in _TORCH_MODULES.items():
    globals()[_name] = _torch_module(_name, {n: globals()[n] for n in _held})
# torch.distributions.utils: the parameter helpers (params.py) under torch's names
utils = _torch_module("utils", {
    "broadcast_all": _params.broadcast_all, "clamp_probs": _params.clamp_probs,
    "lazy_property": _params.lazy_property, "logits_to_probs": _params.logits_to_probs,
    "probs_to_logits": _params.probs_to_logits, "euler_constant": 0.57721566490153286060})
