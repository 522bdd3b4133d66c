"""Parameter handling shared by the families (torch.distributions.utils' helpers).

``broadcast_all`` turns numbers and Tensors into Tensors of one shape;
``probs_to_logits``/``logits_to_probs`` convert between the two parameterizations of
the discrete families exactly as torch computes them (clamped to [eps, 1 − eps]
before the log), so log_prob and entropy keep torch's values at the edges;
``lazy_property`` computes the other parameterization on first use and caches it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

import numpy as np

from autograd.factories import Size, get_default_dtype, tensor
from autograd.grad_mode import enable_grad
from autograd.ops import logsigmoid, sigmoid, softmax
from autograd.ops.torch_names import broadcast_tensors
from autograd.tensor import Tensor

__all__ = [
    "broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits",
]


def is_number(value: Any) -> bool:
    """A Python int, float or bool (torch's ``_Number``; a NumPy float64 is a float, a
    NumPy float32 is not, as in torch)."""
    return isinstance(value, int | float)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Tensors of one broadcast shape from Tensors and numbers. A number takes the dtype
    and the device of the first Tensor among ``values`` (the default dtype and device
    when there is none), as torch's."""
    if not all(isinstance(v, Tensor) or is_number(v) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        first = next((v for v in values if isinstance(v, Tensor)), None)
        dtype = get_default_dtype() if first is None else first.dtype
        device = None if first is None else first.device
        values = tuple(v if isinstance(v, Tensor) else tensor(float(v), dtype=dtype,
                                                              device=device)
                       for v in values)
    return tuple(broadcast_tensors(*values))


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum over the rightmost ``dim`` dims: (…, d₁ … d_dim) → (…)."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """σ(logits) for a binary variable, else softmax over the last dim."""
    return sigmoid(logits) if is_binary else softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped to [eps, 1 − eps] (eps of its dtype), so that logs stay finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log p − log(1 − p) of the clamped probabilities (binary), else log p."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


def normalized_logits(logits: Tensor) -> Tensor:
    """logits − logsumexp(logits) over the last dim (torch's normalization)."""
    return logits - logits.logsumexp(dim=-1, keepdim=True)


def bce_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    """Elementwise binary cross-entropy on logits x, torch's formula (1 − y)·x − log σ(x)."""
    return (1 - target) * logits - logsigmoid(logits)


class lazy_property:  # noqa: N801 (torch's name)
    """A parameter computed from the other one on first access (with grad enabled, so it
    stays in the graph) and then stored on the instance, as torch's."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def as_size(shape: Any) -> Size:
    """``shape`` as a Size (a tuple of ints)."""
    return Size(tuple(int(s) for s in shape))

