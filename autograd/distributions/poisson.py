"""``Poisson(rate)``: counts k = 0, 1, … with probability λᵏ e^(−λ) / k!, as torch's.

log p(k) = k log λ − λ − log Γ(k + 1) (xlogy: 0 at k = 0, λ = 0); mean = variance = λ,
mode ⌊λ⌋. ``sample`` draws from the generator of λ's device, outside the graph.
"""

from __future__ import annotations

from typing import Any

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.draws import poisson
from autograd.distributions.exp_family import ExponentialFamily
from autograd.distributions.params import broadcast_all, is_number
from autograd.grad_mode import no_grad
from autograd.tensor import Tensor

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson(rate, validate_args=None): a number or a Tensor of non-negative rates."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if is_number(rate) else self.rate.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Poisson:
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = tuple(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.rate.log(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        return x.exp()
