"""``Gamma(concentration, rate)`` (density βᵅ xᵅ⁻¹ e^(−βx) / Γ(α) on x ≥ 0) and
``Chi2(df)`` = Gamma(df/2, ½), as torch's.

log p(x) = α log β + (α − 1) log x − βx − log Γ(α) (xlogy: 0·log 0 = 0);
H = α − log β + log Γ(α) + (1 − α) ψ(α); mean α/β, variance α/β², mode max((α − 1)/β, 0).
``rsample`` is G/β with G ~ Gamma(α, 1) whose gradient in α is torch's implicit one
(gamma_grads.py), clamped below at the dtype's smallest normal number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.exp_family import ExponentialFamily
from autograd.distributions.gamma_grads import standard_gamma_rsample
from autograd.distributions.params import broadcast_all, is_number
from autograd.factories import as_tensor
from autograd.grad_mode import no_grad
from autograd.tensor import Tensor

__all__ = ["Chi2", "Gamma"]


class Gamma(ExponentialFamily):
    """Gamma(concentration, rate, validate_args=None): numbers or Tensors, broadcast."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = is_number(concentration) and is_number(rate)
        super().__init__(() if scalar else self.concentration.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma_rsample(self.concentration.expand(shape)) / self.rate.expand(shape)
        with no_grad():  # torch's value.detach().clamp_(min=tiny): the values only
            value._data = value._data.clip(np.finfo(value.dtype).tiny, None)
        return value

    def log_prob(self, value: Any) -> Tensor:
        # torch casts the value to the rate's dtype and device first
        value = as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration.xlogy(self.rate) + (self.concentration - 1).xlogy(value)
                - self.rate * value - self.concentration.lgamma())

    def entropy(self) -> Tensor:
        return (self.concentration - self.rate.log() + self.concentration.lgamma()
                + (1.0 - self.concentration) * self.concentration.digamma())

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()


class Chi2(Gamma):
    """Chi2(df, validate_args=None): Gamma(df/2, 1/2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Chi2:
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)  # type: ignore[return-value]

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
