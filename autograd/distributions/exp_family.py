"""``ExponentialFamily``: densities p(x; θ) = h(x) exp(⟨θ, t(x)⟩ − F(θ)).

A family gives its natural parameters θ (``_natural_params``), the log-normalizer F
(``_log_normalizer``) and E[log h(x)] (``_mean_carrier_measure``); then
H = F(θ) − ⟨θ, ∇F(θ)⟩ − E[log h] and KL(p ‖ q) = F(θ_q) − F(θ_p) − ⟨θ_q − θ_p, ∇F(θ_p)⟩
(a Bregman divergence), with ∇F taken by autograd (create_graph: both stay
differentiable). Normal, Bernoulli and Exponential override ``entropy`` and have their own
KL, as in torch; this is the fallback for other members.
"""

from __future__ import annotations

from typing import Any

from autograd.distributions.distribution import Distribution
from autograd.tensor import Tensor

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of the exponential families (see the module docstring)."""

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        from autograd import grad

        result: Any = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for theta, g in zip(nparams, gradients):
            result = result - (theta * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
