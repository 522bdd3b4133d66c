"""2-D max and average pooling, vectorised over batch, channels and pixels.

Fast path (stride == kernel, no padding — the usual 2x2/2): the input is viewed as
(N, C, Ho, kh, Wo, kw) without a copy and reduced with a few elementwise ops over strided
views (kernel rows first: those views read long contiguous runs). General path (any
stride, padding): one strided view of the padded input per kernel offset, and the
backward goes through ``col2im`` (overlapping windows accumulate).

Both work on any memory layout and keep it: the output of a channels-last input (a conv
output) is channels-last too, so the next conv gathers its patches cheaply.

The VJPs are linear in g with constant routing (max: a bool mask or winning offsets) or
constant weights (avg), so they are written with ``xp`` ops and serve ``create_graph``
unchanged: ``xp.col2im`` on the general path, and on the tiling path ``xp.pool_spread``,
registered here as a pair (a fused NumPy kernel that writes the gradient in the input's
memory layout; the same math in recorded Tensor ops under ``create_graph``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.errors import ShapeError
from autograd.graph import GRAPH, Node
from autograd.ops.record import unary
from autograd.ops.shape import reshape
from autograd.ops.window import ConvGeom, choose_order, make_geom, ntuple
from autograd.tensor import Tensor


def _geom(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any, op: str) -> ConvGeom:
    """Pooling geometry (a conv geometry with C channels, groups 1, order 'cij')."""
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"input of shape {x.shape}")
    k = ntuple(kernel_size, 2, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, tuple | list) and not stride) \
        else ntuple(stride, 2, "stride", op)
    p = ntuple(padding, 2, "padding", op)
    if k[0] <= 0 or k[1] <= 0 or s[0] <= 0 or s[1] <= 0:
        raise ValueError(f"{op}: kernel_size and stride must be positive, got kernel_size="
                         f"{k}, stride={s}")
    if not (0 <= p[0] <= k[0] // 2 and 0 <= p[1] <= k[1] // 2):
        # torch's rule: a window may not lie entirely in the padding.
        raise ValueError(f"{op}: padding {p} must be non-negative and at most half the "
                         f"kernel size {k}")
    return make_geom(x.shape, k, s, p, 1, 1, "cij", op)


def _is_tiling(geo: ConvGeom) -> bool:
    """Windows that tile the input without overlap or padding (the remainder is cropped)."""
    return geo.stride == geo.kernel and geo.padding == ((0, 0), (0, 0))


def _tiles(x: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """(N, C, Ho, kh, Wo, kw) view of the windows of a tiling geometry (no copy)."""
    n, c = x.shape[:2]
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    return x[:, :, :ho * kh, :wo * kw].reshape(n, c, ho, kh, wo, kw)


def _windows(x_pad: np.ndarray, geo: ConvGeom) -> list:
    """One (N, C, Ho, Wo) strided view of the padded input per kernel offset (row-major)."""
    (kh, kw), (sh, sw), (ho, wo) = geo.kernel, geo.stride, geo.out_hw
    return [x_pad[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]


def _pad_like(x: np.ndarray, geo: ConvGeom, value: float) -> np.ndarray:
    """``x`` padded with ``value``, in the same memory layout as ``x``."""
    (pt, pb), (pl, pr) = geo.padding
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    shape = (n, c, h + pt + pb, w + pl + pr)
    x_pad = np.empty_like(x, shape=shape)  # order 'K': keeps a channels-last layout
    x_pad.fill(value)
    x_pad[:, :, pt:pt + h, pl:pl + w] = x
    return x_pad


def _fold(views: list, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc`` reduced over ``views`` into a new array (never a view of the input)."""
    out = ufunc(views[0], views[1]) if len(views) > 1 else views[0].copy(order="K")
    for v in views[2:]:
        ufunc(out, v, out=out)
    return out


def _unbatched(fn: Any, input: Tensor, *args: Any) -> Tensor:


    y = fn(reshape(input, (1,) + input._data.shape), *args)
    return reshape(y, y._data.shape[1:])


def _spread_array(g: np.ndarray, weight: Any, geo: ConvGeom, cl: bool) -> np.ndarray:
    """Tiling windows: dx[window of (ho, wo)] = weight · g[ho, wo] (weight: the bool route
    (N, C, Ho, kh, Wo, kw) or a scalar), zero outside the tiled area. Written straight into
    an array laid out as the pool's input was (channels-last or not): NumPy would otherwise
    follow g's layout, and every later op would pay for the mismatch."""
    n, c, h, w = geo.x_shape
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    dx = np.empty((n, h, w, c), g.dtype).transpose(0, 3, 1, 2) if cl else \
        np.empty((n, c, h, w), g.dtype)
    part = dx[:, :, :ho * kh, :wo * kw]
    if ho * kh != h or wo * kw != w:
        dx.fill(0)
    if cl and (choose_order(g) != "ijc"):
        # g came back NCHW (e.g. through flatten): re-lay it out first. This small copy
        # makes the big multiply ~15x faster than one that mixes the two layouts.
        g_cl = np.empty((n, ho, wo, c), g.dtype).transpose(0, 3, 1, 2)
        np.copyto(g_cl, g)
        g = g_cl
    np.multiply(weight, g.reshape(n, c, ho, 1, wo, 1),
                out=part.reshape(n, c, ho, kh, wo, kw))  # splitting H and W: always a view
    return dx


def _spread_tensor(g: Tensor, weight: Any, geo: ConvGeom, cl: bool) -> Tensor:
    """:func:`_spread_array` in recorded ops (create_graph); the layout does not matter."""
    xp = GRAPH
    n, c, h, w = geo.x_shape
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    g6 = xp.reshape(g, (n, c, ho, 1, wo, 1))
    g6 = g6 * weight if isinstance(weight, np.ndarray) else \
        xp.broadcast_to(g6 * weight, (n, c, ho, kh, wo, kw))
    gx = xp.reshape(g6, (n, c, ho * kh, wo * kw))
    if (ho * kh, wo * kw) == (h, w):
        return gx
    return xp.index_add(gx, geo.x_shape, (slice(None), slice(None), slice(0, ho * kh),
                                         slice(0, wo * kw)))




# -- max pooling ----------------------------------------------------------------------------
class MaxPool2dBackward(Node):
    """y = max over each window;  dx = g routed to each window's argmax (the first in
    row-major order on ties, as torch), summed where windows overlap."""

    def vjp(self, g, xp):
        geo, cl = self.meta  # cl: None on the general path, else "x was channels-last"
        n, c = geo.x_shape[:2]
        (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
        route = self.cached()
        if cl is not None:
            # route: bool (N, C, Ho, kh, Wo, kw) marking each window's winner.
            return (xp.pool_spread(g, route, geo, cl),)
        # route: the winning offset per output pixel; one-hot per column entry, then col2im.
        nl, kk = n * ho * wo, kh * kw
        onehot = route.transpose(0, 2, 3, 1).reshape(nl, c, 1) == np.arange(kk)
        gc = xp.reshape(xp.permute(g, (0, 2, 3, 1)), (nl, c, 1)) * onehot  # (NL, C, kk)
        return (xp.col2im(xp.reshape(gc, (nl, c * kk)), geo),)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0
               ) -> Tensor:
    """Max over kh×kw windows: input (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo);
    ``stride`` defaults to ``kernel_size``; padding counts as −inf (as torch)."""
    x = input._data
    if x.ndim == 3:
        return _unbatched(max_pool2d, input, kernel_size, stride, padding)
    geo = _geom(x, kernel_size, stride, padding, "max_pool2d")
    (kh, kw) = geo.kernel
    if _is_tiling(geo):
        v6 = _tiles(x, geo)
        # Values: kernel rows first (those views read whole rows), then kernel columns.
        rows = _fold([v6[:, :, :, i] for i in range(kh)], np.maximum)  # (N, C, Ho, Wo, kw)
        out = _fold([rows[..., j] for j in range(kw)], np.maximum)
        # Routing mask: the window entries equal to the max, then ties broken in place to
        # the first in row-major order (torch's choice), so the gradient is never doubled.
        route = np.equal(v6, out[:, :, :, None, :, None])
        # A cheap test: exactly one winner per window means no tie (NaN windows have none).
        if kh * kw > 1 and np.count_nonzero(route) != out.size:
            if np.isnan(out).any():  # NaN windows: the general path routes them as torch
                out, route = _max_route(x, geo)
                return unary(MaxPool2dBackward, out, input, meta=(geo, None), cache=route)
            _first_only(route, kh, kw)
        meta = (geo, choose_order(x) == "ijc")
    else:
        out, route = _max_route(x, geo)
        meta = (geo, None)
    return unary(MaxPool2dBackward, out, input, meta=meta, cache=route)


def _max_route(x: np.ndarray, geo: ConvGeom) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima and the winning offset (0 .. kh·kw − 1) of each, as torch's kernel
    picks it: the first in-bounds entry to start with (so an all −inf window sends its
    gradient into the input, never into the padding), then a strictly greater entry or a
    NaN (NaN propagates; the last NaN wins)."""
    (_, kw), (sh, sw), (ho, wo) = geo.kernel, geo.stride, geo.out_hw
    (pt, _), (pl, _) = geo.padding
    views = _windows(_pad_like(x, geo, -np.inf), geo)
    out = np.empty_like(views[0], order="K")  # keeps the input's memory layout
    out.fill(-np.inf)
    idx_type = np.int8 if len(views) <= 127 else np.int32
    # first in-bounds offset of each window: (rows of padding above) * kw + (cols left)
    i0 = np.maximum(pt - sh * np.arange(ho), 0)
    j0 = np.maximum(pl - sw * np.arange(wo), 0)
    route = np.empty_like(out, dtype=idx_type)
    route[...] = (i0[:, None] * kw + j0[None, :]).astype(idx_type)
    for k, v in enumerate(views):
        better = np.greater(v, out)  # strict: an equal later entry does not win
        better |= np.isnan(v)
        np.copyto(out, v, where=better)
        np.copyto(route, k, where=better)
    return out, route


def _first_only(route: np.ndarray, kh: int, kw: int) -> None:
    """Keep, in each window of ``route`` (N, C, Ho, kh, Wo, kw), only the first True."""
    seen = route[:, :, :, 0, :, 0].copy(order="K")  # same layout as route: no mixed-stride loops
    offsets = [(i, j) for i in range(kh) for j in range(kw)][1:]
    for t, (i, j) in enumerate(offsets):
        m = route[:, :, :, i, :, j]
        np.greater(m, seen, out=m)  # m and not seen
        if t + 1 < len(offsets):
            np.logical_or(seen, m, out=seen)


# -- average pooling ------------------------------------------------------------------------
class AvgPool2dBackward(Node):
    """y = mean over each window (padding counted, as torch's count_include_pad=True);
    dx = g / (kh·kw) spread over each window, summed where windows overlap."""

    def vjp(self, g, xp):
        geo, cl = self.meta  # as MaxPool2dBackward's
        n, c = geo.x_shape[:2]
        (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
        if cl is not None:
            return (xp.pool_spread(g, 1.0 / (kh * kw), geo, cl),)
        gs = g * (1.0 / (kh * kw))
        nl, kk = n * ho * wo, kh * kw
        gc = xp.broadcast_to(xp.reshape(xp.permute(gs, (0, 2, 3, 1)), (nl, c, 1)), (nl, c, kk))
        return (xp.col2im(xp.reshape(gc, (nl, c * kk)), geo),)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0
               ) -> Tensor:
    """Mean over kh×kw windows: input (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo);
    ``stride`` defaults to ``kernel_size``; padded zeros count in the mean (as torch)."""
    x = input._data
    if x.ndim == 3:
        return _unbatched(avg_pool2d, input, kernel_size, stride, padding)
    geo = _geom(x, kernel_size, stride, padding, "avg_pool2d")
    (kh, kw) = geo.kernel
    cl = (choose_order(x) == "ijc") if _is_tiling(geo) else None
    if cl is not None:
        v6 = _tiles(x, geo)
        rows = _fold([v6[:, :, :, i] for i in range(kh)], np.add)
        out = _fold([rows[..., j] for j in range(kw)], np.add)
    else:
        out = _fold(_windows(_pad_like(x, geo, 0.0), geo), np.add)
    out *= 1.0 / (kh * kw)
    return unary(AvgPool2dBackward, out, input, meta=(geo, cl))
