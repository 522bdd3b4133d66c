"""Layer normalisation as one fused primitive, with its own VJP.

Statistics over the last k axes (``normalized_shape``), one mean and one biased variance
per leading position; M = the number of values normalised together. Both directions work
on the (rows, M) view of the input: every per-row mean is a GEMV with the column 1/M
(BLAS's SIMD partial sums: as accurate as a pairwise sum over M terms, and ~5× faster than
``np.mean`` on rows of 128), and the parameter gradients are column sums through
``sum_to`` (a GEMV with a row of ones, not a float64 sum down 768 rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import check_same_device, xp_of
from autograd.graph import Away, Node
from autograd.ops.record import nary
from autograd.tensor import Tensor


class LayerNormBackward(Node):
    """y = x̂·w + b,  x̂ = (x − μ)·σ⁻¹,  σ⁻¹ = (var + eps)^(−½) over the last k axes.
    With ĝ = g·w:  dx = σ⁻¹·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g.
    Row means as ``a @ col`` with col = (1/M)·1 of shape (M, 1), on (rows, M) views."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        shape, eps, col = self.meta
        ex, ew, eb = self.edges
        m = col.shape[0]
        g = xp.reshape(g, (-1, m))
        if xp.raw:
            xhat, invstd = self.cached()
        else:  # statistics as functions of x, so second derivatives see them move
            x2 = xp.reshape(x, (-1, m))
            xc = x2 - xp.matmul(x2, col)
            invstd = (xp.matmul(xc * xc, col) + eps) ** -0.5
            xhat = xc * invstd
        gx = gw = gb = None
        gxh = g * xhat
        if ew is not None:
            gw = xp.reshape(xp.sum_to(gxh, (m,)), shape)
        if eb is not None:
            gb = xp.reshape(xp.sum_to(g, (m,)), shape)
        if ex is not None:  # with ĝ = g·w: dx = σ⁻¹·(ĝ − mean ĝ − x̂·mean(ĝ·x̂))
            w = None if w is None else xp.reshape(w, (m,))
            gh, ghx = (g, gxh) if w is None else (g * w, gxh * w)
            gx = (gh - xp.matmul(gh, col) - xhat * xp.matmul(ghx, col)) * invstd
            gx = xp.reshape(gx, x.shape)
        return gx, gw, gb


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes, then scale and shift (torch's
    ``F.layer_norm``): y = (x − E[x]) / √(Var[x] + eps) · weight + bias, biased variance."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("layer_norm", layer_norm, input, normalized_shape, weight, bias, eps)
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(int(s) for s in normalized_shape)
    x = input._data
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        dims = ", ".join(map(str, shape))
        raise RuntimeError(f"layer_norm: expected input with shape [*, {dims}], but got "
                           f"input of size {list(x.shape)}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and t._data.__class__ is not x.__class__:
            check_same_device(x, t._data)  # torch's error, never a copy
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t._data.shape)} does not "
                               f"match normalized_shape {shape}")
    m = math.prod(shape)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    col = (np if x.__class__ is np.ndarray else xp_of(x)).full((m, 1), 1.0 / max(m, 1), dtype)
    x2 = x.reshape(-1, m)
    xc = x2 - x2 @ col  # a fresh (rows, M) array: the rest works in place on it
    var = np.multiply(xc, xc, out=np.empty_like(xc)) @ col
    invstd = var
    invstd += eps
    np.sqrt(invstd, out=invstd)
    np.reciprocal(invstd, out=invstd)
    xhat = xc
    xhat *= invstd  # kept for the backward, (rows, M)
    out = xhat if weight is None else xhat * weight._data.reshape(m)
    if bias is not None:
        b = bias._data.reshape(m)
        out = out + b if out is xhat else np.add(out, b, out=out)
    if out is xhat:
        out = xhat.copy()  # the output may be changed in place; the cache may not
    return nary(LayerNormBackward, out.reshape(x.shape), (input, weight, bias),
                saved=(input, weight), meta=(shape, eps, col), cache=(xhat, invstd))
