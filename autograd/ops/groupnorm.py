"""Group normalisation as one fused primitive (forward and its fused backward).

Input (N, C, *) with C split into G groups of C/G channels; the statistics of each
(sample, group) run over its C/G channels and every spatial position: M = (C/G)·Π(*)
values. The affine weight and bias are per channel.
"""

from __future__ import annotations

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.errors import ShapeError
from autograd.graph import Away, Node
from autograd.ops.record import nary
from autograd.tensor import Tensor

__all__ = ["group_norm"]


class GroupNormBackward(Node):
    """y = x̂·w + b,  x̂ = (x − μ)·σ⁻¹,  σ⁻¹ = (var + eps)^(−½) per (sample, group)
    (biased var over the group's M values);
    dx = σ⁻¹·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per group, ĝ = g·w;  dw = Σ g·x̂,  db = Σ g
    (sums over N and the spatial axes)."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        gshape, bshape, red, eps = self.meta
        ex, ew, eb = self.edges
        xs = tuple(x.shape)
        xg = xp.reshape(x, gshape)
        if xp.raw:
            mean, rstd = self.cached()
        else:
            # under create_graph the statistics must be functions of x (second derivatives)
            mean = xp.mean(xg, (2,), True)
            xc = xg - mean
            rstd = (xp.mean(xc * xc, (2,), True) + eps) ** -0.5
        xhat_g = (xg - mean) * rstd
        xhat = xp.reshape(xhat_g, xs)
        gx = gw = gb = None
        if ew is not None:
            gw = xp.sum(g * xhat, red, False)
        if eb is not None:
            gb = xp.sum(g, red, False)
        if ex is not None:
            gh = xp.reshape(g if w is None else g * xp.reshape(w, bshape), gshape)
            gx = rstd * (gh - xp.mean(gh, (2,), True) - xhat_g * xp.mean(gh * xhat_g, (2,), True))
            gx = xp.reshape(gx, xs)
        return gx, gw, gb


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Group norm of (N, C, *) over ``num_groups`` groups of C/num_groups channels each,
    then the per-channel affine map (``weight``, ``bias`` of shape (C,), optional)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("group_norm", group_norm, input, num_groups, weight, bias, eps)
    x = input._data
    if x.ndim < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, *), got input of "
                         f"shape {x.shape}")
    n, c = x.shape[:2]
    if not isinstance(num_groups, int | np.integer) or num_groups <= 0 or c % num_groups:
        raise ShapeError(f"Expected number of channels in input to be divisible by num_groups, "
                         f"but got input of shape {list(x.shape)} and num_groups={num_groups}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t._data.shape) != (c,):
            raise ShapeError(f"Expected {name} to be a vector of size equal to the number of "
                             f"channels in input, but got {name} of shape "
                             f"{list(t._data.shape)} and input of shape {list(x.shape)}")
    m = (c // int(num_groups)) * int(np.prod(x.shape[2:], dtype=np.int64))
    gshape = (n, int(num_groups), m)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    xg = x.reshape(gshape)
    mean = xg.mean(axis=2, keepdims=True)
    xc = xg - mean
    var = np.mean(np.square(xc), axis=2, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    xc *= rstd
    out = xc.reshape(x.shape)
    if weight is not None:
        out *= weight._data.reshape(bshape)
    if bias is not None:
        out += bias._data.reshape(bshape)
    red = (0,) + tuple(range(2, x.ndim))
    return nary(GroupNormBackward, out, (input, weight, bias), saved=(input, weight),
                meta=(gshape, bshape, red, eps), cache=(mean, rstd))
