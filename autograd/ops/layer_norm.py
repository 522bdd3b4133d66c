"""Layer normalisation as one fused primitive, with its own VJP.

Statistics over the last k axes (``normalized_shape``), one mean and one biased variance
per leading position; M = the number of values normalised together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd.graph import Node
from autograd.ops.record import nary
from autograd.tensor import Tensor


class LayerNormBackward(Node):
    """y = x̂·w + b,  x̂ = (x − μ)·σ⁻¹,  σ⁻¹ = (var + eps)^(−½) over the last k axes.
    With ĝ = g·w:  dx = σ⁻¹·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        axes, shape, eps = self.meta
        ex, ew, eb = self.edges
        if xp.raw:
            xhat, invstd = self.cached()
        else:  # statistics as functions of x, so second derivatives see them move
            xc = x - xp.mean(x, axes, True)
            invstd = (xp.mean(xc * xc, axes, True) + eps) ** -0.5
            xhat = xc * invstd
        gx = gw = gb = None
        gxh = g * xhat
        if ew is not None:
            gw = xp.sum(xp.reshape(gxh, (-1,) + shape), 0, False)
        if eb is not None:
            gb = xp.sum(xp.reshape(g, (-1,) + shape), 0, False)
        if ex is not None:  # with ĝ = g·w: dx = σ⁻¹·(ĝ − mean ĝ − x̂·mean(ĝ·x̂))
            gh, ghx = (g, gxh) if w is None else (g * w, gxh * w)
            gx = (gh - xp.mean(gh, axes, True) - xhat * xp.mean(ghx, axes, True)) * invstd
        return gx, gw, gb


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes, then scale and shift (torch's
    ``F.layer_norm``): y = (x − E[x]) / √(Var[x] + eps) · weight + bias, biased variance."""
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(int(s) for s in normalized_shape)
    x = input._data
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        dims = ", ".join(map(str, shape))
        raise RuntimeError(f"layer_norm: expected input with shape [*, {dims}], but got "
                           f"input of size {list(x.shape)}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t._data.shape)} does not "
                               f"match normalized_shape {shape}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = np.mean(np.square(xc), axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc
    xhat *= invstd  # kept for the backward
    out = xhat if weight is None else xhat * weight._data
    if bias is not None:
        out = out + bias._data if out is xhat else np.add(out, bias._data, out=out)
    if out is xhat:
        out = xhat.copy()  # the output may be changed in place; the cache may not
    return nary(LayerNormBackward, out, (input, weight, bias), saved=(input, weight),
                meta=(axes, shape, eps), cache=(xhat, invstd))


