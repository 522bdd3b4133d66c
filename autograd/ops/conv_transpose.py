"""Transposed convolution (torch's ``conv_transpose1d/2d``) as one primitive: a GEMM per
group, then ``col2im``.

A transposed convolution is the adjoint of a convolution with respect to its input: the
convolution that maps the *output* y (N, O, Ho, Wo) of this op to an (N, C, H, W) array
by a kernel k, stride s, padding p and dilation d. With that convolution's geometry
``geo`` (the shared window module, ``autograd/ops/window.py``):

    colsᵀ = Wᵀ·X   (O·kh·kw, N·H·W), per group: W_gᵀ (O/G·kh·kw, C/G) · X_g (C/G, N·H·W)
    y     = col2im(cols, geo) + b

so every input pixel scatters its kernel-weighted copy onto the output (overlapping
windows accumulate), in one strided slice-add per kernel offset. The VJP is the
convolution itself: dcols = im2col(g, geo), dx = W_g·dcolsᵀ, dW = X_g·dcols, db = Σ g.

Output size per axis: Ho = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1, with
output_padding < max(s, d) (torch's rule: the extra rows at the end, which no input
pixel reaches, are zeros plus the bias).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.errors import ShapeError
from autograd.graph import Away, Node
from autograd.ops.record import nary
from autograd.ops.shape import reshape
from autograd.ops.window import ConvArgumentError, ConvGeom, col2im_array, ntuple
from autograd.tensor import Tensor

__all__ = ["conv_transpose1d", "conv_transpose2d"]


class ConvTranspose2dBackward(Node):
    """y = col2im(Wᵀ·X) + b (per group; X = x as (C, N·H·W));  dx = W·im2col(g)ᵀ,
    dW = X·im2col(g) (both per group),  db = Σ g over N, Ho, Wo."""

    def vjp(self, g, xp):
        x, w = self.inputs(xp)
        geo = self.meta
        ex, ew, eb = self.edges
        n = geo.x_shape[0]
        h, wd = geo.out_hw
        c, og, kh, kw = w.shape
        grp = geo.groups
        cg, nl, kg = c // grp, n * h * wd, og * kh * kw
        gx = gw = gb = None
        if eb is not None:
            gb = xp.sum(g, (0, 2, 3), False)
        if ex is None and ew is None:
            return gx, gw, gb
        # im2col's (N·H·W, K) is the transpose of a (K, N·H·W) array: swap_last is free
        dcols = xp.reshape(xp.swap_last(xp.im2col(g, geo)), (grp, kg, nl))  # (G, K/G, NL)
        wm = xp.reshape(w, (grp, cg, kg))  # (G, C/G, O/G·kh·kw)
        if ex is not None:
            dx = xp.reshape(xp.matmul(wm, dcols), (c, n, h, wd))  # (G, C/G, NL) -> (C, N, H, W)
            gx = xp.permute(dx, (1, 0, 2, 3))
        if ew is not None:
            xm = xp.reshape(xp.permute(x, (1, 0, 2, 3)), (grp, cg, nl))  # (G, C/G, NL)
            gw = xp.reshape(xp.matmul(xm, xp.swap_last(dcols)), w.shape)  # (G, C/G, K/G)
        return gx, gw, gb


def _check(x: np.ndarray, w: np.ndarray, bias: Any, groups: Any, op: str, nd: int) -> None:
    if w.ndim != nd + 2:
        raise ShapeError(f"{op}: weight must be {nd + 2}-D (in_channels, out_channels/groups, "
                         f"{'k' if nd == 1 else 'kh, kw'}), got shape {w.shape}")
    if x.ndim != nd + 2:
        raise ShapeError(f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D input, got "
                         f"input of shape {x.shape}")
    if not isinstance(groups, int | np.integer) or groups <= 0:
        raise ConvArgumentError(f"{op}: groups must be a positive int, got {groups!r}")
    if w.shape[0] % groups:
        raise ShapeError(f"{op}: groups={groups} must divide in_channels, but weight has "
                         f"shape {w.shape}")
    if x.shape[1] != w.shape[0]:
        raise ShapeError(f"{op}: weight of shape {w.shape} expects an input with {w.shape[0]} "
                         f"channels, got input of shape {x.shape}")
    if bias is not None and bias._data.shape != (w.shape[1] * groups,):
        raise ShapeError(f"{op}: bias of shape {bias._data.shape} does not fit weight of shape "
                         f"{w.shape} with groups={groups} (need ({w.shape[1] * groups},))")


def transpose_geom(x_shape: tuple, w_shape: tuple, stride: Any, padding: Any,
                   output_padding: Any, groups: int, dilation: Any, op: str) -> ConvGeom:
    """The geometry of the convolution whose input is this op's output (N, O, Ho, Wo) and
    whose output is this op's input (its ``out_hw`` is (H, W))."""
    k = tuple(int(v) for v in w_shape[2:])
    s = ntuple(stride, 2, "stride", op)
    p = ntuple(padding, 2, "padding", op)
    d = ntuple(dilation, 2, "dilation", op)
    op_ = ntuple(output_padding, 2, "output_padding", op)
    if min(s) <= 0 or min(d) <= 0:
        raise ConvArgumentError(f"{op}: stride and dilation must be positive, got stride={s}, "
                                f"dilation={d}")
    if min(p) < 0 or min(op_) < 0:
        raise ConvArgumentError(f"{op}: negative padding or output_padding is not supported, "
                                f"got padding={p}, output_padding={op_}")
    if any(q >= si and q >= di for q, si, di in zip(op_, s, d)):
        raise ConvArgumentError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={op_}, stride={s}, dilation={d}")
    h, w = x_shape[2:]
    out = tuple((n - 1) * si - 2 * pi + di * (ki - 1) + qi + 1
                for n, si, pi, di, ki, qi in zip((h, w), s, p, d, k, op_))
    if min(out) <= 0:
        raise ShapeError(f"{op}: given input size per channel ({h} x {w}), the calculated "
                         f"output size per channel {out} is too small (padding={p})")
    y_shape = (x_shape[0], w_shape[1] * groups) + out
    return ConvGeom(y_shape, k, s, ((p[0], p[0]), (p[1], p[1])), d, int(groups), "cij",
                    (h, w))


def _forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geo: ConvGeom) -> np.ndarray:
    """col2im of the columns Wᵀ·X, built as (K, N·H·W): each kernel offset's slice then
    runs along output rows, as col2im's strided adds want (the conv VJP's layout)."""
    n, c, h, wd = x.shape
    grp, nl = geo.groups, n * h * wd
    cg, kg = c // grp, w[0].size
    xp = np if x.__class__ is np.ndarray else xp_of(x)
    xm = xp.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(grp, cg, nl)  # (G, C/G, NL)
    cols_t = np.matmul(w.reshape(grp, cg, kg).transpose(0, 2, 1), xm)  # (G, K/G, NL)
    y = col2im_array(cols_t.reshape(grp * kg, nl).T, geo)  # (N, O, Ho, Wo), a cropped view
    y = xp.ascontiguousarray(y)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution ("deconvolution"), torch's argument order: input
    (N, C, H, W) or (C, H, W), weight (C, O/groups, kh, kw), bias (O,). Returns
    (N, O, Ho, Wo), Ho = (H − 1)·sh − 2·ph + dh·(kh − 1) + output_padding_h + 1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv_transpose2d", conv_transpose2d, input, weight, bias, stride,
                            padding, output_padding, groups, dilation)
    x, w = input._data, weight._data
    if x.ndim == 3 and w.ndim == 4:  # unbatched, as torch
        y = conv_transpose2d(reshape(input, (1,) + x.shape), weight, bias, stride, padding,
                             output_padding, groups, dilation)
        return reshape(y, y.shape[1:])
    _check(x, w, bias, groups, "conv_transpose2d", 2)
    geo = transpose_geom(x.shape, w.shape, stride, padding, output_padding, groups, dilation,
                         "conv_transpose2d")
    y = _forward(x, w, None if bias is None else bias._data, geo)
    return nary(ConvTranspose2dBackward, y, (input, weight, bias), saved=(input, weight),
                meta=geo)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution: input (N, C, L) or (C, L), weight (C, O/groups, k),
    bias (O,); returns (N, O, Lo), Lo = (L − 1)·s − 2p + d·(k − 1) + output_padding + 1.
    Runs as conv_transpose2d on (N, C, 1, L) with a (1, k) kernel."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv_transpose1d", conv_transpose1d, input, weight, bias, stride,
                            padding, output_padding, groups, dilation)
    x, w = input._data, weight._data
    if x.ndim == 2 and w.ndim == 3:
        y = conv_transpose1d(reshape(input, (1,) + x.shape), weight, bias, stride, padding,
                             output_padding, groups, dilation)
        return reshape(y, y.shape[1:])
    _check(x, w, bias, groups, "conv_transpose1d", 1)
    op = "conv_transpose1d"
    (s,), (p,) = ntuple(stride, 1, "stride", op), ntuple(padding, 1, "padding", op)
    (d,), (q,) = ntuple(dilation, 1, "dilation", op), ntuple(output_padding, 1,
                                                             "output_padding", op)
    # The dummy height axis: stride 1 = dilation 1 > output_padding 0, so no false error.
    y = conv_transpose2d(reshape(input, (x.shape[0], x.shape[1], 1, x.shape[2])),
                         reshape(weight, (w.shape[0], w.shape[1], 1, w.shape[2])), bias,
                         (1, s), (0, p), (0, q), groups, (1, d))
    return reshape(y, (y.shape[0], y.shape[1], y.shape[3]))
