"""``Gumbel(loc, scale)``: density e^(−(z + e^(−z))) / b with z = (x − μ)/b, built as torch
builds it: u ~ U(tiny, 1 − eps) through log, ×(−1), log, then μ − b ·, i.e.
x = μ − b log(−log u).

log p(x) = y − eʸ − log b with y = (μ − x)/b;  mean μ + b γ (Euler's γ), mode μ,
stddev π b / √6;  H = log b + 1 + γ.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.distributions import constraints
from autograd.distributions.params import broadcast_all, is_number
from autograd.distributions.transformed_distribution import TransformedDistribution
from autograd.distributions.transforms import AffineTransform, ExpTransform
from autograd.distributions.uniform import Uniform
from autograd.factories import full_like, ones_like
from autograd.tensor import Tensor

__all__ = ["Gumbel"]

EULER_CONSTANT = 0.57721566490153286060  # Euler–Mascheroni γ


class Gumbel(TransformedDistribution):
    """Gumbel(loc, scale, validate_args=None): numbers or Tensors, broadcast together."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        finfo = np.finfo(self.loc.dtype)
        tiny, top = float(finfo.tiny), 1 - float(finfo.eps)
        if is_number(loc) and is_number(scale):
            base_dist = Uniform(tiny, top, validate_args=validate_args)
        else:
            base_dist = Uniform(full_like(self.loc, tiny), full_like(self.loc, top),
                                validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-ones_like(self.scale)),
                      ExpTransform().inv, AffineTransform(loc=loc, scale=-self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gumbel:
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(tuple(batch_shape))
        new.scale = self.scale.expand(tuple(batch_shape))
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return y - y.exp() - self.scale.log()

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * EULER_CONSTANT

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return math.pi / math.sqrt(6) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + EULER_CONSTANT)
