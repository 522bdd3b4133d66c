"""Convolution by im2col: patches gathered through stride tricks, then one GEMM per group.

The patch primitives ``im2col``/``col2im`` (each the other's VJP) and the window geometry
live in ``autograd/ops/window.py``; ``im2col`` and ``col2im`` are re-exported here.

``conv2d`` is ``cols @ Wᵀ`` on the columns. Its VJP (``Conv2dBackward``) is written once with
``xp`` ops: on the fast path it reuses the columns cached by the forward; under
``create_graph`` it recomputes ``xp.im2col(x)`` so that dW depends on x in the graph.
Two fast-path shortcuts, same math: with one group the bias rides in the GEMM (``cols``
gets a last column of ones, W one of b; the dW GEMM then also yields db), and a
channels-last input's dx is built one kernel offset at a time
(:func:`_input_grad_by_offsets`) instead of through the full ``dcols`` matrix.

Memory layout. The GEMM leaves the output as (N·Ho·Wo, O): channels-last memory. It is
returned as an (N, O, Ho, Wo) *view* of that array (shape and values as torch; only the
strides differ), so no transposing copy is made. Elementwise ops keep that layout (NumPy's
order 'K'), pooling keeps it, and the next conv gathers its patches from it with
contiguous runs of channels. ``order`` records which column order a conv uses:

* ``"cij"`` (input in NCHW memory, e.g. the network's input): columns ordered (c, i, j);
  the gather reads runs of image rows; ``cols`` is the transpose of a (K, N·Ho·Wo) array.
* ``"ijc"`` (input in channels-last memory, e.g. a previous conv's output): columns
  ordered (group, i, j, c); the gather reads runs of channels; ``cols`` is contiguous.

Both give the same result; the order only decides which copies are cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import check_same_device, xp_of
from autograd.errors import ShapeError
from autograd.graph import RAW, STATE, Away, Node
from autograd.ops.record import nary
from autograd.ops.shape import reshape
from autograd.ops.window import (
    ConvGeom,
    choose_order,
    col2im,
    im2col,
    im2col_array,
    make_geom,
    ntuple,
)
from autograd.tensor import Tensor

__all__ = ["col2im", "conv1d", "conv2d", "im2col"]


# -- conv2d ---------------------------------------------------------------------------------
def _weight_matrix(w: Any, geo: ConvGeom, xp: Any) -> Any:
    """The weight (O, C/G, kh, kw) as (G, O/G, K/G), columns in ``geo.order``."""
    o, cg, kh, kw = w.shape
    g = geo.groups
    if geo.order == "cij":
        return xp.reshape(w, (g, o // g, cg * kh * kw))
    w5 = xp.permute(xp.reshape(w, (g, o // g, cg, kh, kw)), (0, 1, 3, 4, 2))
    return xp.reshape(w5, (g, o // g, kh * kw * cg))


def _weight_from_matrix(m: Any, w_shape: tuple, geo: ConvGeom, xp: Any) -> Any:
    """Inverse of :func:`_weight_matrix`: (G, O/G, K/G) back to (O, C/G, kh, kw)."""
    o, cg, kh, kw = w_shape
    if geo.order == "cij":
        return xp.reshape(m, w_shape)
    m5 = xp.permute(xp.reshape(m, (geo.groups, o // geo.groups, kh, kw, cg)), (0, 1, 4, 2, 3))
    return xp.reshape(m5, w_shape)


class Conv2dBackward(Node):
    """y = cols · Wᵀ + b, cols = im2col(x) (N·Ho·Wo, K), per group;
    dW = gᵀ · cols,  dx = col2im(g · W),  db = Σ g over N, Ho, Wo."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        geo = self.meta
        ex, ew, eb = self.edges
        n, c = geo.x_shape[:2]
        ho, wo = geo.out_hw
        kh, kw = geo.kernel
        nl, o, grp = n * ho * wo, w.shape[0], geo.groups
        og, cg = o // grp, c // grp
        # g (N, O, Ho, Wo) as the GEMM's (N·Ho·Wo, O): free when g is channels-last, which
        # it is when it comes back through layout-keeping ops from this op's own output.
        gm = xp.reshape(xp.permute(g, (0, 2, 3, 1)), (nl, o))
        gg = xp.permute(xp.reshape(gm, (nl, grp, og)), (1, 2, 0))  # (G, O/G, N·Ho·Wo)
        gx = gw = gb = None
        if ew is not None:
            # The forward's columns on the fast path; under create_graph they are recomputed
            # from x so that dW stays a function of x (second derivatives mix x and W).
            cols = self.cached() if xp.raw else xp.im2col(x, geo)
            # 1 where the forward fused the bias (fast path only): cols ends in a column of
            # ones, whose slot in the dW product is db = Σ g.
            extra = cols.shape[-1] - c * kh * kw
            cols_g = xp.permute(xp.reshape(cols, (nl, grp, cg * kh * kw + extra)),
                                (1, 2, 0))  # (G, K/G [+ 1], NL)
            if geo.order == "cij":
                # colsᵀ·g, then transposed: for the 3-channel first layer BLAS runs this
                # orientation ~1.4x faster than gᵀ·cols (measured in the SimpleCNN step)...
                gw_m = xp.swap_last(xp.matmul(cols_g, xp.permute(gg, (0, 2, 1))))
            else:
                # ...and gᵀ·cols ~1.15x faster than colsᵀ·g for the 16-channel second one.
                gw_m = xp.matmul(gg, xp.permute(cols_g, (0, 2, 1)))  # (G, O/G, K/G [+ 1])
            if extra:
                gb, gw_m = (gw_m[0, :, -1] if eb is not None else None), gw_m[..., :-1]
            gw = _weight_from_matrix(gw_m, w.shape, geo, xp)
        if eb is not None and gb is None:
            # Column sums as a GEMV: NumPy's sum(axis=0) over (N·Ho·Wo, O) is ~10x slower.
            gb = xp.matmul(xp_of(getattr(g, "_data", g)).ones(nl, dtype=g.dtype), gm)
        if ex is not None:
            if xp.raw and grp == 1 and geo.order == "ijc" and gm.__class__ is np.ndarray:
                gx = _input_grad_by_offsets(gm, w, geo)
            elif geo.order == "ijc":
                # One (N·Ho·Wo, C/G) block per kernel offset: col2im then adds contiguous
                # blocks onto contiguous channel runs. Merging kk with O/G in the reshape
                # forces the one (small) copy that makes each (O/G, C/G) matrix BLAS-ready.
                w_off = xp.permute(xp.reshape(w, (grp, og, cg, kh * kw)), (0, 3, 1, 2))
                w_off = xp.reshape(xp.reshape(w_off, (grp, kh * kw * og, cg)),
                                  (grp, kh * kw, og, cg))
                g4 = xp.permute(xp.reshape(gm, (nl, grp, 1, og)), (1, 2, 0, 3))  # (G,1,NL,O/G)
                dcols = xp.permute(xp.matmul(g4, w_off), (2, 0, 1, 3))  # (NL, G, kk, C/G)
            else:
                # (G, K/G, N·Ho·Wo): col2im's slices then run along output rows.
                dcols = xp.matmul(xp.swap_last(_weight_matrix(w, geo, xp)), gg)
                dcols = xp.reshape(xp.permute(dcols, (2, 0, 1)), (nl, c * kh * kw))
            if gx is None:
                gx = xp.col2im(dcols, geo)
        return gx, gw, gb


def _input_grad_by_offsets(gm: np.ndarray, w: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """dx = col2im(g · W) for one group in 'ijc' order (the fast path of the VJP above),
    one kernel offset at a time: that offset's (N·Ho·Wo, C) block of patch gradients is
    one GEMM into a reused buffer, added at once onto the part of its shifted window that
    lies inside the channels-last dx (what falls on the padding is dropped). The same sums
    as ``col2im(dcols)``, in the same order, without the (N·Ho·Wo, kh·kw·C) matrix
    ``dcols`` (9 MB for the SimpleCNN's second conv). With stride 1 the first offset's
    block is copied in rather than added onto zeros (only the strips it misses are
    zeroed): one pass less over dx, and no padded copy of it to crop."""
    n, c, h, wd = geo.x_shape
    kh, kw = geo.kernel
    sh, sw = geo.stride
    (pt, _), (pl, _) = geo.padding
    dh, dw = geo.dilation
    ho, wo = geo.out_hw
    w_off = np.ascontiguousarray(w.transpose(2, 3, 0, 1))  # (kh, kw, O, C): BLAS-ready
    dtype = np.result_type(gm.dtype, w_off.dtype)
    buf = np.empty((gm.shape[0], c), dtype=dtype)
    blk = buf.reshape(n, ho, wo, c)
    first = sh == 1 and sw == 1
    dx = np.empty((n, h, wd, c), dtype=dtype) if first else np.zeros((n, h, wd, c), dtype=dtype)
    for i in range(kh):
        rows = _inside(ho, h, sh, i * dh - pt)
        for j in range(kw):
            cols = _inside(wo, wd, sw, j * dw - pl)
            if rows is None or cols is None:
                if first:  # nothing of this offset lands in dx: start from zeros after all
                    dx.fill(0)
                    first = False
                continue
            (o0, o1, r), (q0, q1, s_) = rows, cols
            np.matmul(gm, w_off[i, j], out=buf)
            src = blk[:, o0:o1, q0:q1]
            dst = dx[:, r, s_]
            if first:
                np.copyto(dst, src)
                dx[:, :r.start] = 0
                dx[:, r.stop:] = 0
                dx[:, r, :s_.start] = 0
                dx[:, r, s_.stop:] = 0
                first = False
            else:
                dst += src
    return dx.transpose(0, 3, 1, 2)


def _inside(n_out: int, n_in: int, stride: int, shift: int) -> tuple | None:
    """Output positions o0 ≤ o < o1 whose input o·stride + shift lies in [0, n_in), and
    the slice of those inputs; None if there are none."""
    o0 = max(0, -(shift // stride))  # ⌈−shift / stride⌉
    o1 = min(n_out, (n_in - 1 - shift) // stride + 1)
    if o1 <= o0:
        return None
    start = o0 * stride + shift
    return o0, o1, slice(start, start + (o1 - o0 - 1) * stride + 1, stride)


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geo: ConvGeom
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(y (N, O, Ho, Wo) as a channels-last view, cols)."""
    n = geo.x_shape[0]
    ho, wo = geo.out_hw
    o, grp = w.shape[0], geo.groups
    nl = n * ho * wo
    # One group, host arrays of one dtype: the bias rides in the GEMM as a last column of
    # ones in cols and of b in W (and comes back as db from the dW GEMM): no separate pass
    # over the output, none over g.
    fuse = b is not None and grp == 1 and x.__class__ is np.ndarray and \
        x.dtype == w.dtype == b.dtype
    cols = im2col_array(x, geo, ones=fuse)
    wm = _weight_matrix(w, geo, RAW)  # (G, O/G, K/G)
    if fuse:
        wb = np.empty((o, wm.shape[2] + 1), dtype=w.dtype)
        wb[:, :-1] = wm[0]
        wb[:, -1] = b
        return (cols @ wb.T).reshape(n, ho, wo, o).transpose(0, 3, 1, 2), cols
    if grp == 1:
        out = cols @ wm[0].T  # (N·Ho·Wo, O): BLAS reads both transposes by flags
    else:
        cols_g = cols.reshape(nl, grp, -1).transpose(1, 0, 2)  # (G, NL, K/G) view
        out = np.matmul(cols_g, wm.transpose(0, 2, 1)).transpose(1, 0, 2).reshape(nl, o)
    if b is not None:
        _add_bias(out, b)
    return out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2), cols


def _add_bias(out: np.ndarray, b: np.ndarray) -> None:
    """out (N·Ho·Wo, O) += b (O,) in place. A plain broadcast add runs an O-long inner loop
    per pixel (2x slower for O = 16); on a contiguous ``out`` it runs as rows of k pixels
    against ``b`` repeated k times, k the largest power of two up to 64 dividing N·Ho·Wo."""
    nl, o = out.shape
    k = min(nl & -nl, 64) if nl else 1
    if k > 1 and out.__class__ is np.ndarray and out.flags.c_contiguous:
        out.reshape(nl // k, k * o).__iadd__(np.tile(b, k))
    else:
        out += b


def _check_conv(x: np.ndarray, w: np.ndarray, b: Any, groups: int, op: str, nd: int) -> None:
    if x.__class__ is not w.__class__ or (b is not None and b._data.__class__ is not w.__class__):
        check_same_device(x, w, None if b is None else b._data)
    names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if w.ndim != nd + 2:
        raise ShapeError(f"{op}: weight must be {nd + 2}-D (out_channels, in_channels/groups, "
                         f"{'k' if nd == 1 else 'kh, kw'}), got shape {w.shape}")
    if x.ndim != nd + 2:
        raise ShapeError(f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D input "
                         f"{names}, got input of shape {x.shape}")
    if not isinstance(groups, int | np.integer) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if w.shape[0] % groups:
        raise ShapeError(f"{op}: groups={groups} must divide out_channels, but weight has "
                         f"shape {w.shape}")
    if x.shape[1] != w.shape[1] * groups:
        raise ShapeError(
            f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but weight of shape "
            f"{w.shape} with groups={groups} expects {w.shape[1] * groups} "
            f"(in_channels/groups = {w.shape[1]})"
        )
    if b is not None and b._data.shape != (w.shape[0],):
        raise ShapeError(f"{op}: bias of shape {b._data.shape} does not fit weight of shape "
                         f"{w.shape} (need ({w.shape[0]},))")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as torch): input (N, C, H, W) or (C, H, W),
    weight (O, C/groups, kh, kw), bias (O,); stride/padding/dilation an int or (h, w) pair
    (padding also 'valid' or 'same'). Returns (N, O, Ho, Wo),
    Ho = (H + 2·ph − dh·(kh − 1) − 1) // sh + 1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv2d", conv2d, input, weight, bias, stride, padding, dilation,
                            groups)
    x, w = input._data, weight._data
    if x.ndim == 3 and w.ndim == 4:  # unbatched, as torch
        y = conv2d(reshape(input, (1,) + x.shape), weight, bias, stride, padding, dilation,
                   groups)
        return reshape(y, y.shape[1:])
    _check_conv(x, w, bias, groups, "conv2d", 2)
    geo = make_geom(x.shape, w.shape[2:], stride, padding, dilation, groups, choose_order(x),
                    op="conv2d")
    y, cols = _conv_forward(x, w, None if bias is None else bias._data, geo)
    # The columns are what dW needs; keep them only when W will get a gradient.
    keep = STATE.grad_enabled and weight.requires_grad
    return nary(Conv2dBackward, y, (input, weight, bias), saved=(input, weight), meta=geo,
                cache=cols if keep else None)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, k), bias (O,);
    returns (N, O, Lo). Runs as conv2d on (N, C, 1, L) with a (1, k) kernel."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv1d", conv1d, input, weight, bias, stride, padding, dilation,
                            groups)
    x, w = input._data, weight._data
    if x.ndim == 2 and w.ndim == 3:
        y = conv1d(reshape(input, (1,) + x.shape), weight, bias, stride, padding, dilation,
                   groups)
        return reshape(y, y.shape[1:])
    _check_conv(x, w, bias, groups, "conv1d", 1)
    (s,), (d,) = ntuple(stride, 1, "stride", "conv1d"), ntuple(dilation, 1, "dilation", "conv1d")
    pad = padding if isinstance(padding, str) else (0, ntuple(padding, 1, "padding", "conv1d")[0])
    y = conv2d(reshape(input, (x.shape[0], x.shape[1], 1, x.shape[2])),
               reshape(weight, (w.shape[0], w.shape[1], 1, w.shape[2])), bias,
               (1, s), pad, (1, d), groups)
    return reshape(y, (y.shape[0], y.shape[1], y.shape[3]))
