"""2-D max and average pooling, vectorised over batch, channels and pixels.

Fast path (stride == kernel, no padding — the usual 2x2/2): the input is viewed as
(N, C, Ho, kh, Wo, kw) without a copy and reduced with a few elementwise ops over strided
views (kernel rows first: those views read long contiguous runs). General path (any
stride, padding): one strided view of the padded input per kernel offset, and the
backward goes through ``col2im`` (overlapping windows accumulate).

Both work on any memory layout and keep it: the output of a channels-last input (a conv
output) is channels-last too, so the next conv gathers its patches cheaply.

Plane path (max, 2x2/2, channels-last NumPy input: the CNN case): NumPy restarts its
inner loop every C values on any strided view of such an array (16 for the SimpleCNN's
first pool), so the four window entries are first copied out as opaque C-value pixel
items into four contiguous planes, and every comparison runs over whole planes; the
backward copies each plane's gradient back the same way (:func:`_max_2x2_planes`).

The VJPs are linear in g with constant routing (max: a bool mask or winning offsets) or
constant weights (avg), so they are written with ``xp`` ops and serve ``create_graph``
unchanged: ``xp.col2im`` on the general path, and on the tiling path ``xp.pool_spread``,
registered here as a pair (a fused NumPy kernel that writes the gradient in the input's
memory layout; the same math in recorded Tensor ops under ``create_graph``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import device_table, is_array, xp_of
from autograd.errors import ShapeError
from autograd.graph import GRAPH, Node
from autograd.ops.record import unary
from autograd.ops.shape import reshape
from autograd.ops.window import ConvGeom, choose_order, ntuple
from autograd.tensor import Tensor, _wrap


class PoolArgumentError(ValueError, RuntimeError):
    """A bad pooling argument (torch raises RuntimeError; ValueError too, for code written
    against NumPy-style checks)."""


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: ⌊ or ⌈(n + 2p − d(k − 1) − 1)/s⌉ + 1, where a ceil-mode
    window must start inside the input or its left padding."""
    span = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _geom(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any, op: str,
          dilation: Any = 1, ceil_mode: bool = False) -> ConvGeom:
    """Pooling geometry (a conv geometry with C channels, groups 1, order 'cij'). The
    bottom/right padding is what the last window needs: less than ``padding`` where
    floor mode drops the remainder, more where a ceil-mode window overhangs."""
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"input of shape {x.shape}")
    k = ntuple(kernel_size, 2, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, tuple | list) and not stride) \
        else ntuple(stride, 2, "stride", op)
    p = ntuple(padding, 2, "padding", op)
    d = ntuple(dilation, 2, "dilation", op)
    if k[0] <= 0 or k[1] <= 0 or s[0] <= 0 or s[1] <= 0:
        raise PoolArgumentError(f"{op}: kernel_size and stride must be positive, got "
                                f"kernel_size={k}, stride={s}")
    if d[0] <= 0 or d[1] <= 0:
        raise PoolArgumentError(f"{op}: dilation should be greater than zero, got {d}")
    if not (0 <= p[0] <= k[0] // 2 and 0 <= p[1] <= k[1] // 2):
        # torch's rule: a window may not lie entirely in the padding.
        raise PoolArgumentError(f"{op}: padding {p} must be non-negative and at most half the "
                                f"kernel size {k} (pad should be at most half of kernel size)")
    n, c, h, w = x.shape
    out = tuple(_out_size(m, *a, ceil_mode) for m, a in zip((h, w), zip(k, s, p, d)))
    if out[0] < 1 or out[1] < 1:
        eh, ew = d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1
        raise ShapeError(f"{op}: padded input size per channel ({h + 2 * p[0]} x "
                         f"{w + 2 * p[1]}) (input of shape {x.shape}) is smaller than the "
                         f"(dilated) kernel size ({eh} x {ew}): output size ({out[0]} x "
                         f"{out[1]}) is too small")
    after = tuple(max((o - 1) * si + di * (ki - 1) + 1 - m - pi, 0)
                  for o, si, di, ki, m, pi in zip(out, s, d, k, (h, w), p))
    pads = ((p[0], after[0]), (p[1], after[1]))
    return ConvGeom(tuple(x.shape), k, s, pads, d, 1, "cij", out)


def _is_tiling(geo: ConvGeom) -> bool:
    """Windows that tile the input without overlap, dilation or padding (the remainder is
    cropped)."""
    return geo.stride == geo.kernel and geo.padding == ((0, 0), (0, 0)) and \
        geo.dilation == (1, 1)


def _tiles(x: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """(N, C, Ho, kh, Wo, kw) view of the windows of a tiling geometry (no copy)."""
    n, c = x.shape[:2]
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    return x[:, :, :ho * kh, :wo * kw].reshape(n, c, ho, kh, wo, kw)


def _windows(x_pad: np.ndarray, geo: ConvGeom) -> list:
    """One (N, C, Ho, Wo) strided view of the padded input per kernel offset (row-major)."""
    (kh, kw), (sh, sw), (ho, wo) = geo.kernel, geo.stride, geo.out_hw
    dh, dw = geo.dilation
    return [x_pad[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
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
    if cl == "planes":
        return _spread_planes(g, weight, geo)
    n, c, h, w = geo.x_shape
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    xp = np if g.__class__ is np.ndarray else xp_of(g)
    dx = xp.empty((n, h, w, c), g.dtype).transpose(0, 3, 1, 2) if cl else \
        xp.empty((n, c, h, w), g.dtype)
    part = dx[:, :, :ho * kh, :wo * kw]
    if ho * kh != h or wo * kw != w:
        dx.fill(0)
    if cl and (choose_order(g) != "ijc"):
        # g came back NCHW (e.g. through flatten): re-lay it out first. This small copy
        # makes the big multiply ~15x faster than one that mixes the two layouts.
        g_cl = xp.empty((n, ho, wo, c), g.dtype).transpose(0, 3, 1, 2)
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
    if cl == "planes":  # (kh, kw, N, Ho, Wo, C) -> the (N, C, Ho, kh, Wo, kw) view
        weight = weight.transpose(2, 5, 3, 0, 4, 1)
    g6 = xp.reshape(g, (n, c, ho, 1, wo, 1))
    g6 = g6 * weight if is_array(weight) else \
        xp.broadcast_to(g6 * weight, (n, c, ho, kh, wo, kw))
    gx = xp.reshape(g6, (n, c, ho * kh, wo * kw))
    if (ho * kh, wo * kw) == (h, w):
        return gx
    return xp.index_add(gx, geo.x_shape, (slice(None), slice(None), slice(0, ho * kh),
                                         slice(0, wo * kw)))




def _pixels(a: np.ndarray) -> np.ndarray:
    """(N, H, W, C) C-contiguous -> (N, H, W) of one opaque C-value item per pixel (a view).
    Copies between strided pixel views then move 4·C-byte items in long loops, where the
    same copy in floats runs NumPy's inner loop once per pixel over only C values."""
    return a.view(np.dtype((np.void, a.itemsize * a.shape[3])))[..., 0]


def _max_2x2_planes(x: np.ndarray, geo: ConvGeom) -> tuple[np.ndarray, np.ndarray] | None:
    """2×2/2 max pool of a channels-last NumPy input: (values (N, C, Ho, Wo) channels-last,
    route bool (2, 2, N, Ho, Wo, C)), or None where a window may hold a NaN.

    The four window entries are first copied out, pixel by pixel, into four contiguous
    (N, Ho, Wo, C) planes P[i, j]; every op after that runs over whole planes. torch's
    tie rule (the first maximum in row-major order) in three comparisons:
    R = max(P00, P01) ≥ max(P10, P11) (row 0 holds a maximum), C0 = P00 ≥ P01, C1 = P10 ≥ P11;
    route = (R ∧ C0, R ∧ ¬C0, ¬R ∧ C1, ¬R ∧ ¬C1). The maxima are taken with the earlier entry
    as np.maximum's second operand, which NumPy returns on equality: the value is the
    winner's own (0.0 or −0.0 as torch's)."""
    n, c = geo.x_shape[:2]
    ho, wo = geo.out_hw
    src = _pixels(x.transpose(0, 2, 3, 1))[:, :2 * ho, :2 * wo].reshape(n, ho, 2, wo, 2)
    items = np.empty((2, 2, n, ho, wo), src.dtype)
    np.copyto(items, src.transpose(2, 4, 0, 1, 3))
    p = items.view(x.dtype).reshape(2, 2, n, ho, wo, c)
    top = np.maximum(p[0, 1], p[0, 0])
    bottom = np.maximum(p[1, 1], p[1, 0])
    out = np.maximum(bottom, top)
    # A NaN window (the maxima propagate NaN): the general path routes it as torch.
    if np.isnan(np.maximum.reduce(out, axis=None)):
        return None
    row0 = np.greater_equal(top, bottom)
    c0 = np.greater_equal(p[0, 0], p[0, 1])
    c1 = np.greater_equal(p[1, 0], p[1, 1])
    route = np.empty((2, 2, n, ho, wo, c), np.bool_)
    np.logical_and(row0, c0, out=route[0, 0])
    np.greater(row0, c0, out=route[0, 1])  # R ∧ ¬C0
    np.greater(c1, row0, out=route[1, 0])  # ¬R ∧ C1
    np.logical_or(row0, c1, out=c1)
    np.logical_not(c1, out=route[1, 1])
    return out.transpose(0, 3, 1, 2), route


def _spread_planes(g: np.ndarray, route: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """dx of :func:`_max_2x2_planes` (channels-last, zero outside the tiled area): each
    plane's g·route[i, j] in one contiguous buffer, copied pixel by pixel into place."""
    n, c, h, w = geo.x_shape
    ho, wo = geo.out_hw
    g_cl = g.transpose(0, 2, 3, 1)  # (N, Ho, Wo, C); rows of pixels suffice (a conv's
    if g_cl.strides[3] != g.itemsize or g_cl.strides[2] != c * g.itemsize:  # cropped dx)
        g_cl = np.ascontiguousarray(g_cl)  # g came back NCHW (e.g. through flatten)
    dx = np.empty((n, h, w, c), g.dtype)
    if 2 * ho != h or 2 * wo != w:
        dx.fill(0)
    dst = _pixels(dx)[:, :2 * ho, :2 * wo].reshape(n, ho, 2, wo, 2)
    buf = np.empty_like(g_cl)
    items = _pixels(buf)
    for i in range(2):
        for j in range(2):
            np.multiply(route[i, j], g_cl, out=buf)
            dst[:, :, i, :, j] = items
    return dx.transpose(0, 3, 1, 2)


# -- max pooling ----------------------------------------------------------------------------
class MaxPool2dBackward(Node):
    """y = max over each window;  dx = g routed to each window's argmax (the first in
    row-major order on ties, as torch), summed where windows overlap."""

    def vjp(self, g, xp):
        # cl: None on the general path, "planes" on the 2x2 plane path, else "x was
        # channels-last"
        geo, cl = self.meta
        n, c = geo.x_shape[:2]
        (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
        route = self.cached()
        if cl is not None:
            # route: bool (N, C, Ho, kh, Wo, kw) marking each window's winner, or on the
            # plane path its (kh, kw, N, Ho, Wo, C) planes.
            return (xp.pool_spread(g, route, geo, cl),)
        # route: the winning offset per output pixel; one-hot per column entry, then col2im.
        nl, kk = n * ho * wo, kh * kw
        onehot = route.transpose(0, 2, 3, 1).reshape(nl, c, 1) == xp_of(route).arange(kk)
        gc = xp.reshape(xp.permute(g, (0, 2, 3, 1)), (nl, c, 1)) * onehot  # (NL, C, kk)
        return (xp.col2im(xp.reshape(gc, (nl, c * kk)), geo),)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Tensor | tuple[Tensor, Tensor]:
    """Max over kh×kw windows (taps ``dilation`` apart): input (N, C, H, W) or (C, H, W) ->
    (N, C, Ho, Wo), Ho = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈⌉ with ``ceil_mode``);
    ``stride`` defaults to ``kernel_size``; padding counts as −inf (as torch).
    ``return_indices``: also the int64 flat index h·W + w of each max in its input plane."""
    x = input._data
    if x.ndim == 3:
        out = max_pool2d(reshape(input, (1,) + x.shape), kernel_size, stride, padding,
                         dilation, ceil_mode, return_indices)
        if return_indices:
            y, idx = out
            return reshape(y, y.shape[1:]), reshape(idx, idx.shape[1:])
        return reshape(out, out.shape[1:])
    geo = _geom(x, kernel_size, stride, padding, "max_pool2d", dilation, ceil_mode)
    (kh, kw) = geo.kernel
    # 2x2/2 on a channels-last NumPy array (a conv's output): the plane path.
    fast = (geo.kernel == (2, 2) and _is_tiling(geo) and not return_indices and
            x.__class__ is np.ndarray and x.size > 0 and
            x.transpose(0, 2, 3, 1).flags.c_contiguous)
    planes = _max_2x2_planes(x, geo) if fast else None
    if planes is not None:
        return unary(MaxPool2dBackward, planes[0], input, meta=(geo, "planes"),
                     cache=planes[1])
    # On a device the tiling path's tie and NaN tests would each stop for the host: the
    # general path (one argmax per window) needs neither.
    if _is_tiling(geo) and not return_indices and x.__class__ is np.ndarray:
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
    y = unary(MaxPool2dBackward, out, input, meta=meta, cache=route)
    if not return_indices:
        return y
    return y, _wrap(_flat_indices(route, geo), None)


def _flat_indices(route: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """torch's max-pool indices: the winner's row·W + column in its (H, W) input plane."""
    (ho, wo), (sh, sw), (dh, dw) = geo.out_hw, geo.stride, geo.dilation
    (pt, _), (pl, _) = geo.padding
    kw, w = geo.kernel[1], geo.x_shape[3]
    i, j = np.divmod(route.astype(np.int64), kw)
    xp = xp_of(route)  # the position grids are made where the route is
    rows = xp.arange(ho)[:, None] * sh - pt + i * dh
    cols = xp.arange(wo)[None, :] * sw - pl + j * dw
    return rows * w + cols


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
    route[...] = device_table((i0[:, None] * kw + j0[None, :]).astype(idx_type), route)
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
    """y = (sum over each window) / divisor (kh·kw, or per output pixel: the window's size
    clipped to the padded input, or with count_include_pad=False to the input itself);
    dx = g / divisor spread over each window, summed where windows overlap."""

    def vjp(self, g, xp):
        geo, cl, inv = self.meta  # as MaxPool2dBackward's; inv: 1/divisor, scalar or (Ho, Wo)
        n, c = geo.x_shape[:2]
        (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
        if cl is not None:
            return (xp.pool_spread(g, inv, geo, cl),)
        gs = g * inv
        nl, kk = n * ho * wo, kh * kw
        gc = xp.broadcast_to(xp.reshape(xp.permute(gs, (0, 2, 3, 1)), (nl, c, 1)), (nl, c, kk))
        return (xp.col2im(xp.reshape(gc, (nl, c * kk)), geo),)


def _inv_divisor(geo: ConvGeom, count_include_pad: bool, divisor_override: int | None) -> Any:
    """1/divisor per output pixel, as torch's avg_pool2d: window [o·s − p, o·s − p + k)
    clipped to the padded input [−p, n + p) (count_include_pad) or to [0, n)."""
    if divisor_override is not None:
        return 1.0 / divisor_override
    h, w = geo.x_shape[2:]
    sizes = []
    for n, k, s, (p, _), o in zip((h, w), geo.kernel, geo.stride, geo.padding, geo.out_hw):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        sizes.append(end - start)
    div = sizes[0][:, None] * sizes[1][None, :]
    if (div == div.flat[0]).all():
        return 1.0 / float(div.flat[0])
    return 1.0 / div


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over kh×kw windows: input (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo);
    ``stride`` defaults to ``kernel_size``; padded zeros count in the mean unless
    ``count_include_pad=False``; ``divisor_override`` replaces the divisor (as torch)."""
    x = input._data
    if x.ndim == 3:
        return _unbatched(avg_pool2d, input, kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override)
    if divisor_override is not None and divisor_override == 0:
        raise PoolArgumentError("avg_pool2d: divisor must be not zero")
    geo = _geom(x, kernel_size, stride, padding, "avg_pool2d", 1, ceil_mode)
    (kh, kw) = geo.kernel
    inv = _inv_divisor(geo, count_include_pad, divisor_override)
    if is_array(inv):  # a float32 gradient stays float32; the table (from shapes) goes to x
        inv = inv.astype(x.dtype) if x.__class__ is np.ndarray else xp_of(x).asarray(inv, x.dtype)
    cl = (choose_order(x) == "ijc") if _is_tiling(geo) else None
    if cl is not None:
        v6 = _tiles(x, geo)
        rows = _fold([v6[:, :, :, i] for i in range(kh)], np.add)
        out = _fold([rows[..., j] for j in range(kw)], np.add)
    else:
        out = _fold(_windows(_pad_like(x, geo, 0.0), geo), np.add)
    out *= inv
    return unary(AvgPool2dBackward, out, input, meta=(geo, cl, inv))


# -- adaptive max pooling -------------------------------------------------------------------
def adaptive_bins(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive pooling bins along one axis, torch's bounds: bin o is
    [⌊o·n_in/n_out⌋, ⌈(o + 1)·n_in/n_out⌉). Returns (idx (T, n_out), weight (T, n_out)):
    tap t of bin o reads start + t (clamped to the bin's last entry, weight 0 there) with
    weight 1/(bin size), T the largest bin."""
    o = np.arange(n_out)
    start = (o * n_in) // n_out
    end = -((-(o + 1) * n_in) // n_out)
    size = end - start
    taps = np.arange(int(size.max()))[:, None]
    idx = np.minimum(start[None] + taps, end[None] - 1)
    return idx, (taps < size[None]) / size[None]


class AdaptiveMaxPool2dBackward(Node):
    """y = the max of each adaptive bin;  dx = g added at each bin's argmax (the first in
    row-major order on ties, as torch; bins may overlap, so winners accumulate)."""

    def vjp(self, g, xp):
        x_shape, key = self.meta
        n, c, h, w = x_shape
        return (xp.reshape(xp.index_add(g, (n, c, h * w), key), x_shape),)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False
                        ) -> Tensor | tuple[Tensor, Tensor]:
    """(N, C, H, W) or (C, H, W) → (..., H_out, W_out): the max of each adaptive bin
    [⌊i·H/H_out⌋, ⌈(i + 1)·H/H_out⌉) × (the same along W); ``None`` keeps an axis.
    ``return_indices``: also the int64 flat index h·W + w of each max."""
    x = input._data
    if x.ndim == 3:
        out = adaptive_max_pool2d(reshape(input, (1,) + x.shape), output_size, return_indices)
        if return_indices:
            return reshape(out[0], out[0].shape[1:]), reshape(out[1], out[1].shape[1:])
        return reshape(out, out.shape[1:])
    if x.ndim != 4:
        raise ShapeError(f"adaptive_max_pool2d: expected a 3-D or 4-D input, got input of "
                         f"shape {x.shape}")
    n, c, h, w = x.shape
    size = ntuple(tuple(s if s is not None else d for s, d in
                        zip(output_size if isinstance(output_size, tuple | list)
                            else (output_size,) * 2, (h, w))),
                  2, "output_size", "adaptive_max_pool2d")
    if min(size) <= 0 or h == 0 or w == 0:
        raise PoolArgumentError(f"adaptive_max_pool2d: elements of output_size must be greater "
                                f"than or equal to 1 and the input non-empty, got "
                                f"output_size {size} for input of shape {x.shape}")
    rows, _ = adaptive_bins(h, size[0])
    cols, _ = adaptive_bins(w, size[1])
    rows, cols = device_table(rows, x), device_table(cols, x)  # once per device, not per call
    out = flat = None
    for r in rows:  # the bins' taps in row-major order: a later entry wins only if greater
        xr = x[:, :, r, :]
        for cc in cols:
            v = xr[:, :, :, cc]
            where = r[:, None] * w + cc[None, :]  # flat input positions, where x is
            if out is None:
                out, flat = v.copy(), np.broadcast_to(where, v.shape).copy()
                continue
            better = np.greater(v, out) | np.isnan(v)  # NaN propagates, as torch
            np.copyto(out, v, where=better)
            np.copyto(flat, where, where=better)
    xp = xp_of(x)
    key = (xp.arange(n)[:, None, None, None], xp.arange(c)[None, :, None, None], flat)
    y = unary(AdaptiveMaxPool2dBackward, out, input, meta=(x.shape, key))
    return (y, _wrap(flat, None)) if return_indices else y
