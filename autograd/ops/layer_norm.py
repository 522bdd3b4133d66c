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
    With ĝ = g·w:  dx = (σ⁻¹/M)·(M·ĝ − Σĝ − x̂·Σ(ĝ·x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        axes, shape, eps = self.meta
        m = int(np.prod(shape))
        ex, ew, eb = self.edges
        if xp.raw:
            mean, invstd = self.cached()
        else:  # statistics as functions of x, so second derivatives see them move
            mean = xp.mean(x, axes, True)
            xc = x - mean
            invstd = (xp.mean(xc * xc, axes, True) + eps) ** -0.5
        xhat = (x - mean) * invstd
        gx = gw = gb = None
        if ew is not None:
            gw = xp.sum(xp.reshape(g * xhat, (-1,) + shape), 0, False)
        if eb is not None:
            gb = xp.sum(xp.reshape(g, (-1,) + shape), 0, False)
        if ex is not None:
            gh = g if w is None else g * w
            sg = xp.sum(gh, axes, True)
            sgx = xp.sum(gh * xhat, axes, True)
            gx = (invstd * (1.0 / m)) * (m * gh - sg - xhat * sgx)
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
    out = xc
    out *= invstd
    if weight is not None:
        out *= weight._data
    if bias is not None:
        out += bias._data
    return nary(LayerNormBackward, out, (input, weight, bias), saved=(input, weight),
                meta=(axes, shape, eps), cache=(mean, invstd))


