"""``StudentT(df, loc=0, scale=1)``: Student's t with ν degrees of freedom, as torch's.

log p(x) = −(ν + 1)/2 · log1p(y²/ν) − log σ − ½ log ν − ½ log π − log Γ(ν/2)
+ log Γ((ν + 1)/2), y = (x − μ)/σ;  H = log σ + (ν + 1)/2 (ψ((ν + 1)/2) − ψ(ν/2))
+ ½ log ν + log B(ν/2, ½);  mean μ (NaN for ν ≤ 1), variance σ²ν/(ν − 2) (inf for
1 < ν ≤ 2, NaN for ν ≤ 1). ``rsample`` is μ + σ X / √(Z/ν), X ~ N(0, 1), Z ~ χ²(ν)
(reparameterized through the Gamma's implicit gradient).
"""

from __future__ import annotations

import math
from typing import Any

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.draws import standard_normal
from autograd.distributions.gamma import Chi2
from autograd.distributions.params import broadcast_all
from autograd.ops.along import where
from autograd.tensor import Tensor

__all__ = ["StudentT"]


class StudentT(Distribution):
    """StudentT(df, loc=0.0, scale=1.0, validate_args=None): numbers or Tensors."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> StudentT:
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = tuple(batch_shape)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        # torch writes NaN into a copy of loc: its gradient is zero there
        return where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        # torch assigns the formula only where ν > 2: elsewhere it must not run (a 0/0
        # there would turn the zero gradient of the masked entries into NaN)
        safe = where(df > 2, df, 3.0)
        m = where(df > 2, self.scale.pow(2) * safe / (safe - 2), df)
        m = where((df <= 2) & (df > 1), math.inf, m)
        return where(df <= 1, math.nan, m)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        X = standard_normal(shape, self.df)
        Z = self._chi2.rsample(sample_shape)
        Y = X * (Z / self.df).rsqrt()
        return self.loc + self.scale * Y

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + (0.5 * self.df).lgamma() - (0.5 * (self.df + 1.0)).lgamma())
        return -0.5 * (self.df + 1.0) * (y ** 2.0 / self.df).log1p() - Z

    def entropy(self) -> Tensor:
        lbeta = (0.5 * self.df).lgamma() + math.lgamma(0.5) - (0.5 * (self.df + 1)).lgamma()
        return (self.scale.log()
                + 0.5 * (self.df + 1) * ((0.5 * (self.df + 1)).digamma()
                                         - (0.5 * self.df).digamma())
                + 0.5 * self.df.log() + lbeta)
