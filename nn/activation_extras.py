"""``F.softmin``, ``F.glu``, ``F.hardshrink``, ``F.softshrink``, ``F.prelu`` and
``F.bilinear``: torch's functional forms built from the engine's differentiable ops (so
first and second derivatives come from those ops' VJPs).

The branch of each piecewise function is a constant mask of the input, so each kink has
torch's one-sided derivative (hardshrink/softshrink: 0 on [−λ, λ]; prelu: the negative
slope at x = 0).
"""

from __future__ import annotations

import warnings

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.tensor import Tensor

__all__ = ["bilinear", "glu", "hardshrink", "prelu", "softmin", "softshrink"]


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: object = None) -> Tensor:
    """softmax(−x) along ``dim`` (torch's implicit-dim rule and warning when omitted)."""
    if dtype is not None:
        input = input.astype(dtype)
    if dim is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=2)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return ag.softmax(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: a ⊙ σ(b), with a, b the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {n}")
    a, b = input.chunk(2, dim)
    return a * ag.sigmoid(b)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > λ, else 0."""
    keep = (input._data > lambd) | (input._data < -lambd)
    return ag.where(keep, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x − λ for x > λ, x + λ for x < −λ, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    d = input._data
    shift = np.where(d > lambd, -lambd, np.where(d < -lambd, lambd, 0.0)).astype(d.dtype)
    keep = (d > lambd) | (d < -lambd)
    return ag.where(keep, input + Tensor._const(shift), 0.0)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, a·x otherwise; ``weight`` a holds one slope (shape (1,)) or one per
    channel (C,), channels on dim 1 (an input of fewer dims has one channel)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("prelu", prelu, input, weight)
    w = weight
    if w.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != w.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {w.numel()} and channel size = "
                               f"{channels}.")
        shape = [1] * input.ndim
        shape[1] = w.numel()
        w = w.reshape(tuple(shape))
    else:
        w = w.reshape(())
    d = input._data
    # at x = 0 the slope a is the derivative but no second-order term flows through it
    # (torch's double backward masks x >= 0), so a enters there as a constant
    return ag.where(d > 0, input, ag.where(d < 0, w * input, w.detach() * input))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y_o = Σ_ij x1_i A_oij x2_j + b_o: x1 (*, in1), x2 (*, in2), A (out, in1, in2) →
    (*, out)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("bilinear", bilinear, input1, input2, weight, bias)
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear: input1 {tuple(input1.shape)} and input2 "
                           f"{tuple(input2.shape)} must have the same leading dimensions")
    if weight.ndim != 3 or weight.shape[1] != input1.shape[-1] or \
            weight.shape[2] != input2.shape[-1]:
        raise RuntimeError(f"bilinear: weight of shape {tuple(weight.shape)} does not fit "
                           f"inputs {tuple(input1.shape)} and {tuple(input2.shape)}")
    lead = input1.shape[:-1]
    x1 = input1.reshape((-1, input1.shape[-1]))
    x2 = input2.reshape((-1, input2.shape[-1]))
    y = ag.einsum("bi,oij,bj->bo", x1, weight, x2)
    if bias is not None:
        y = y + bias
    return y.reshape(tuple(lead) + (weight.shape[0],))
