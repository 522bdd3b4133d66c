"""``Normal(loc, scale)``: the Gaussian N(loc, scale²), reparameterizable.

log p(x) = −(x − μ)² / (2σ²) − log σ − log √(2π);  H = ½ + ½ log 2π + log σ;
cdf(x) = ½ (1 + erf((x − μ) / (σ √2)));  icdf(p) = μ + σ √2 erfinv(2p − 1).
``rsample`` is μ + ε σ with ε ~ N(0, 1): gradients reach ``loc`` and ``scale``.
"""

from __future__ import annotations

import math
from typing import Any

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.draws import standard_normal
from autograd.distributions.exp_family import ExponentialFamily
from autograd.distributions.params import broadcast_all, is_number
from autograd.grad_mode import no_grad
from autograd.ops.special import erf, erfinv
from autograd.tensor import Tensor

__all__ = ["Normal"]


class Normal(ExponentialFamily):
    """Normal(loc, scale, validate_args=None): numbers or Tensors, broadcast together."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if is_number(loc) and is_number(scale) else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Normal:
        new = self._get_checked_instance(Normal, _instance)
        batch_shape = tuple(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():  # torch.normal(loc, scale): loc + ε scale, on their device
            return self.loc.expand(shape) + standard_normal(shape, self.loc) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return (-((value - self.loc) ** 2) / (2 * var) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Any) -> Tensor:
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()
