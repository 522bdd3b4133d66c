"""``VonMises(loc, concentration)``: the circular normal e^(κ cos(x − μ)) / (2π I₀(κ)) on
angles, as torch's: log I₀ and log I₁ by torch's polynomial approximations (Abramowitz &
Stegun 9.8.1–9.8.4, the small-κ one below 3.75); variance 1 − I₁(κ)/I₀(κ). ``sample``
is Best & Fisher's rejection sampler, in float64 on the parameters' device (one host
read per round, as torch's ``while not done.all()``); there is no rsample.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.draws import uniform
from autograd.distributions.params import broadcast_all, lazy_property
from autograd.grad_mode import no_grad
from autograd.ops.along import where
from autograd.tensor import Tensor

__all__ = ["VonMises"]

_COEF_SMALL = (
    (1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2),
    (0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3),
)
_COEF_LARGE = (
    (0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1,
     0.2635537e-1, -0.1647633e-1, 0.392377e-2),
    (0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1,
     -0.2895312e-1, 0.1787654e-1, -0.420059e-2),
)


def _eval_poly(y: Tensor, coef: tuple) -> Tensor:
    """Horner's rule: Σ coefᵢ yⁱ."""
    result: Any = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x: Tensor, order: int = 0) -> Tensor:
    """log I_order(x) for x > 0, order 0 or 1 (torch's approximation)."""
    if order not in (0, 1):
        raise AssertionError(f"order must be 0 or 1, got {order}")
    # both branches run everywhere; the one not taken may take the log of a negative
    # number (NaN, discarded by the where), silently as in torch
    with np.errstate(invalid="ignore", divide="ignore"):
        y = x / 3.75
        y = y * y
        small = _eval_poly(y, _COEF_SMALL[order])
        if order == 1:
            small = x.abs() * small
        small = small.log()
        y = 3.75 / x
        large = x - 0.5 * x.log() + _eval_poly(y, _COEF_LARGE[order]).log()
    return where(x < 3.75, small, large)


class VonMises(Distribution):
    """VonMises(loc, concentration, validate_args=None): numbers or Tensors, broadcast."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, (), validate_args)

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return (log_prob - math.log(2 * math.pi)
                - _log_modified_bessel_fn(self.concentration, order=0))

    @lazy_property
    def _loc(self) -> Tensor:
        return self.loc.to(np.float64)

    @lazy_property
    def _concentration(self) -> Tensor:
        return self.concentration.to(np.float64)

    @lazy_property
    def _proposal_r(self) -> Tensor:
        kappa = self._concentration
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        proposal_r = (1 + rho ** 2) / (2 * rho)
        return where(kappa < 1e-5, 1 / kappa + kappa, proposal_r)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        # log of a negative c/u₂ is NaN and fails the test, as in torch: no warning
        with no_grad(), np.errstate(invalid="ignore", divide="ignore"):
            loc, kappa, r = self._loc.detach(), self._concentration.detach(), self._proposal_r
            r = r.detach()
            x = loc.expand(shape) * 0.0  # zeros made where loc lives
            done = x != x  # all False
            while not bool(done.all().item()):
                u1, u2, u3 = uniform((3,) + shape, loc).unbind()
                z = (math.pi * u1).cos()
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = (c * (2 - c) - u2 > 0) | ((c / u2).log() + 1 - c >= 0)
                x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
                done = done | accept
            return ((x + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)

    def expand(self, batch_shape: Any, _instance: Any = None) -> VonMises:
        validate_args = self.__dict__.get("_validate_args")
        return type(self)(self.loc.expand(tuple(batch_shape)),
                          self.concentration.expand(tuple(batch_shape)),
                          validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:  # type: ignore[override]
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1)
                    - _log_modified_bessel_fn(self.concentration, order=0)).exp()
