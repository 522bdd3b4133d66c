"""Probability distributions with torch's API (``torch.distributions``): sampling,
reparameterized sampling, log-densities, entropies and KL divergences, differentiable
in the parameters (REINFORCE's ``log_prob``, a VAE's ``rsample`` and ``kl_divergence``).

>>> import autograd as ag
>>> from autograd.distributions import Normal, kl_divergence
>>> mu = ag.zeros(2, requires_grad=True)
>>> kl_divergence(Normal(mu, 1.0), Normal(0.0, 1.0)).sum().backward()
"""

from __future__ import annotations

from autograd.distributions import constraints
from autograd.distributions.bernoulli import Bernoulli
from autograd.distributions.categorical import Categorical
from autograd.distributions.distribution import Distribution
from autograd.distributions.exp_family import ExponentialFamily
from autograd.distributions.exponential import Exponential
from autograd.distributions.independent import Independent
from autograd.distributions.kl import kl_divergence, register_kl
from autograd.distributions.laplace import Laplace
from autograd.distributions.multivariate_normal import MultivariateNormal
from autograd.distributions.normal import Normal
from autograd.distributions.one_hot_categorical import (
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
)
from autograd.distributions.uniform import Uniform

__all__ = [
    "Bernoulli", "Categorical", "Distribution", "Exponential", "ExponentialFamily",
    "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Uniform", "constraints", "kl_divergence", "register_kl",
]
