"""``Categorical``: an index in 0 … K−1 with probabilities p₀ … p_{K−1}.

Parameters are the last dim of ``probs`` (normalized: p / Σp) or ``logits`` (normalized:
l − logsumexp(l), so ``.logits`` are log-probabilities, as torch's); the other is computed
on first use (softmax, or log of p clamped to [eps, 1 − eps]). batch_shape = param[:-1].
log p(k) = logits[k];  H = −Σ p · max(logits, finfo.min) (finite where p = 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.distributions import constraints
from autograd.distributions.distribution import Distribution
from autograd.distributions.draws import uniform
from autograd.distributions.params import (
    as_size,
    lazy_property,
    logits_to_probs,
    normalized_logits,
    probs_to_logits,
)
from autograd.factories import arange, full
from autograd.grad_mode import no_grad
from autograd.ops.torch_names import broadcast_tensors
from autograd.tensor import Tensor

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Categorical(probs=None, logits=None, validate_args=None): exactly one of the two,
    at least one-dimensional (the last dim holds the K categories)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = normalized_logits(logits)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = tuple(batch_shape)
        param_shape = batch_shape + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> tuple:
        return as_size(self._param.shape)

    @property
    def mean(self) -> Tensor:
        return full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype,
                    device=self._param.device)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype,
                    device=self._param.device)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        # inverse cdf, on the device of the probabilities: the index k of each u ~ U[0, 1)
        # is the number of cumulative probabilities ≤ u (a zero-probability category
        # has an empty interval and is never drawn; the last cdf entry is exactly 1)
        with no_grad():
            cdf = self.probs.detach().cumsum(-1)
            cdf = cdf / cdf[..., -1:]
            u = uniform(tuple(self._extended_shape(sample_shape)) + (1,), cdf)
            return (cdf <= u).sum(-1).clamp(max=self._num_events - 1)

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = arange(self._num_events, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
