"""torch's other names and in-place forms of ops the engine already has (composites: no
new Node, so the gradients are those of the ops they call): clamp_min/clamp_max/clip,
addcmul/addcdiv, masked_fill_, fill_diagonal_, concat/concatenate, is_tensor, numel."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.arith import add, div, mul
from autograd.ops.inplace import apply_inplace, clamp_
from autograd.ops.reduce import amax, amin
from autograd.ops.select import masked_fill
from autograd.ops.shape import cat
from autograd.ops.unary import clamp
from autograd.tensor import Tensor


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 - torch's name
    """max(input, min) elementwise, as clamp(input, min=min)."""
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002 - torch's name
    """min(input, max) elementwise, as clamp(input, max=max)."""
    return clamp(input, max=max)


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """torch.clip: the alias of clamp."""
    return clamp(input, min, max)


def clip_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return clamp_(input, min, max)


def clamp_min_(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp_(input, min, None)


def clamp_max_(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp_(input, None, max)


def addcmul(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value·tensor1·tensor2 (torch's grouping: value·t1 first)."""
    return add(input, mul(mul(tensor1, value), tensor2) if value != 1 else mul(tensor1, tensor2))


def addcdiv(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value·tensor1/tensor2."""
    q = div(tensor1, tensor2)
    return add(input, mul(q, value) if value != 1 else q)


def addcmul_(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    return apply_inplace(input, "addcmul_", lambda x, a, b: addcmul(x, a, b, value=value),
                         tensor1, tensor2)


def addcdiv_(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    return apply_inplace(input, "addcdiv_", lambda x, a, b: addcdiv(x, a, b, value=value),
                         tensor1, tensor2)


def masked_fill_(input: Tensor, mask: Any, value: Any) -> Tensor:
    """In-place masked_fill."""
    return apply_inplace(input, "masked_fill_", masked_fill, mask, value)


def fill_diagonal_(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write fill_value on the main diagonal (every dim equal, or a tall 2-D matrix whose
    diagonal restarts after each N+1 rows when ``wrap``), in place."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(shape, dtype=bool)
    n = min(shape)
    mask[(np.arange(n),) * len(shape)] = True
    if wrap and len(shape) == 2 and shape[0] > shape[1] + 1:
        flat = mask.reshape(-1)
        flat[::shape[1] + 1] = True
    return masked_fill_(input, mask, fill_value)


def concat(tensors: Any, dim: int = 0) -> Tensor:
    """torch.concat / torch.concatenate: the aliases of cat."""
    return cat(tensors, dim)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return int(np.prod(input._data.shape))


METHODS = {
    "clamp_min": clamp_min, "clamp_max": clamp_max, "clip": clip, "clip_": clip_,
    "clamp_min_": clamp_min_, "clamp_max_": clamp_max_, "addcmul": addcmul,
    "addcdiv": addcdiv, "addcmul_": addcmul_, "addcdiv_": addcdiv_,
    "masked_fill_": masked_fill_, "fill_diagonal_": fill_diagonal_, "amax": amax,
    "amin": amin,
}
