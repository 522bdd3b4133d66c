"""Convolution by im2col: patches gathered through stride tricks, then one GEMM per group.

Two differentiable primitives, each the other's VJP (as indexing and scatter-add are):

* ``im2col``: x (N, C, H, W) -> cols (N·Ho·Wo, K), one row per output pixel, one column
  per (channel, kernel offset); zero padding.
* ``col2im``: cols -> x-shaped sums, every column entry added back onto the input pixel
  it was copied from (overlapping windows accumulate).

``conv2d`` is ``cols @ Wᵀ`` on them. Its VJP (``Conv2dBackward``) is written once with
``F`` ops: on the fast path it reuses the columns cached by the forward; under
``create_graph`` it recomputes ``F.im2col(x)`` so that dW depends on x in the graph.

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

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.engine import RAW, STATE, Node, register
from autograd.ops.record import nary, unary
from autograd.tensor import Tensor


class ShapeError(ValueError, RuntimeError):
    """A tensor shape that does not fit an op (a ValueError and a RuntimeError, so code
    written for either convention, NumPy's or torch's, catches it)."""


class ConvGeom(NamedTuple):
    """Everything that fixes the patch layout of one convolution (or pooling) call."""

    x_shape: tuple  # (N, C, H, W)
    kernel: tuple  # (kh, kw)
    stride: tuple  # (sh, sw)
    padding: tuple  # ((top, bottom), (left, right))
    dilation: tuple  # (dh, dw)
    groups: int
    order: str  # "cij" or "ijc", see the module docstring
    out_hw: tuple  # (Ho, Wo)


def _pair(v: Any, name: str, op: str) -> tuple:
    """``v`` as an (h, w) pair of ints (an int means both)."""
    if isinstance(v, int | np.integer):
        return int(v), int(v)
    try:
        a, b = v
        return int(a), int(b)
    except (TypeError, ValueError):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {v!r}") from None


def _padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple, op: str) -> tuple:
    """((top, bottom), (left, right)) from an int, an (h, w) pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            # As torch: the total is d·(k − 1); an odd total puts the extra row at the end.
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a pair, "
                         f"got {padding!r}")
    ph, pw = _pair(padding, "padding", op)
    if ph < 0 or pw < 0:
        raise ValueError(f"{op}: negative padding is not supported, got {padding!r}")
    return (ph, ph), (pw, pw)


def _positive(pair: tuple, name: str, op: str) -> tuple:
    if pair[0] <= 0 or pair[1] <= 0:
        raise ValueError(f"{op}: {name} must be positive, got {pair}")
    return pair


def _out_hw(x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple,
            op: str) -> tuple:
    """(Ho, Wo); raises when the (dilated) kernel does not fit the padded input."""
    h, w = x_shape[2:]
    hp, wp = h + sum(padding[0]), w + sum(padding[1])
    eh, ew = dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1
    if eh > hp or ew > wp:
        raise ShapeError(
            f"{op}: padded input size per channel ({hp} x {wp}) (input of shape "
            f"{tuple(x_shape)}) is smaller than the (dilated) kernel size ({eh} x {ew})"
        )
    return (hp - eh) // stride[0] + 1, (wp - ew) // stride[1] + 1


def choose_order(x: np.ndarray) -> str:
    """'ijc' when the channel axis of ``x`` is innermost in memory (channels-last), else
    'cij'. Only speed depends on it: the gather then copies contiguous runs."""
    s = x.strides
    if x.shape[1] > 1 and not x.flags.c_contiguous and s[1] < s[2] and s[1] < s[3]:
        return "ijc"
    return "cij"


def make_geom(x_shape: tuple, kernel: Any, stride: Any = 1, padding: Any = 0,
              dilation: Any = 1, groups: int = 1, order: str = "cij",
              op: str = "im2col") -> ConvGeom:
    """Validated geometry of a convolution-like op on an (N, C, H, W) input."""
    k = _positive(_pair(kernel, "kernel_size", op), "kernel_size", op)
    s = _positive(_pair(stride, "stride", op), "stride", op)
    d = _positive(_pair(dilation, "dilation", op), "dilation", op)
    p = _padding(padding, k, s, d, op)
    x_shape = tuple(int(v) for v in x_shape)
    if len(x_shape) != 4:
        raise ShapeError(f"{op}: expected an input of shape (N, C, H, W), got {x_shape}")
    if groups <= 0 or x_shape[1] % groups:
        raise ShapeError(f"{op}: groups={groups} must be positive and divide the input's "
                         f"{x_shape[1]} channels (input of shape {x_shape})")
    return ConvGeom(x_shape, k, s, p, d, int(groups), order, _out_hw(x_shape, k, s, p, d, op))


# -- im2col / col2im on arrays --------------------------------------------------------------
def im2col_array(x: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """Patch matrix (N·Ho·Wo, K) of ``x`` (N, C, H, W), zero-padded: row (n, ho, wo) holds
    the window under output pixel (ho, wo); columns in ``geo.order``. One strided view of
    the padded input, one copy."""
    n, c, h, w = geo.x_shape
    if x.shape != geo.x_shape:
        raise ShapeError(f"im2col: input of shape {x.shape} does not match the geometry's "
                         f"{geo.x_shape}")
    kh, kw = geo.kernel
    sh, sw = geo.stride
    (pt, pb), (pl, pr) = geo.padding
    dh, dw = geo.dilation
    ho, wo = geo.out_hw
    padded = pt or pb or pl or pr
    if geo.order == "ijc":
        g = geo.groups
        cg = c // g
        src = x.transpose(0, 2, 3, 1)  # (N, H, W, C): free when x is channels-last
        if padded:
            xp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=x.dtype)
            xp[:, pt:pt + h, pl:pl + w] = src
        else:
            xp = src
        s_n, s_h, s_w, s_c = xp.strides
        win = as_strided(xp, (n, ho, wo, g, kh, kw, cg),
                         (s_n, s_h * sh, s_w * sw, s_c * cg, s_h * dh, s_w * dw, s_c),
                         writeable=False)
        cols = np.empty((n * ho * wo, c * kh * kw), dtype=x.dtype)
        np.copyto(cols.reshape(n, ho, wo, g, kh, kw, cg), win)
        return cols
    if padded:
        xp = np.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
        xp[:, :, pt:pt + h, pl:pl + w] = x
    else:
        xp = x
    s_n, s_c, s_h, s_w = xp.strides
    # (C, kh, kw, N, Ho, Wo): the copy's inner loop runs along an image row.
    win = as_strided(xp, (c, kh, kw, n, ho, wo),
                     (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw), writeable=False)
    cols_t = np.empty((c * kh * kw, n * ho * wo), dtype=x.dtype)
    np.copyto(cols_t.reshape(c, kh, kw, n, ho, wo), win)
    return cols_t.T


def col2im_array(cols: np.ndarray, geo: ConvGeom) -> np.ndarray:
    """The adjoint of :func:`im2col_array`: (N, C, H, W) where each pixel is the sum of
    the column entries copied from it. ``cols`` is anything that reshapes to (N·Ho·Wo, K)
    in ``geo.order`` (a (N·Ho·Wo, G, kh·kw, C/G) view for 'ijc' avoids a copy). One
    strided slice-add per kernel offset, each over all of N, C and the output pixels."""
    n, c, h, w = geo.x_shape
    kh, kw = geo.kernel
    sh, sw = geo.stride
    (pt, pb), (pl, pr) = geo.padding
    dh, dw = geo.dilation
    ho, wo = geo.out_hw
    hp, wp = h + pt + pb, w + pl + pr
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    if geo.order == "ijc":
        g = geo.groups
        cg = c // g
        src = cols.reshape(n, ho, wo, g, kh, kw, cg)
        dxp = np.zeros((n, hp, wp, g, cg), dtype=cols.dtype)
        for i in range(kh):
            for j in range(kw):
                dxp[:, i * dh:i * dh + hspan:sh, j * dw:j * dw + wspan:sw] += src[:, :, :, :, i, j]
        dx = dxp.reshape(n, hp, wp, c)[:, pt:pt + h, pl:pl + w]
        return dx.transpose(0, 3, 1, 2)
    # (N, C, Ho, Wo, kh, kw) view; from the (K, N·Ho·Wo) layout the conv VJP produces,
    # each offset's slice runs along output rows, as the NCHW target does.
    src = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 1, 2, 4, 5)
    dxp = np.zeros((n, c, hp, wp), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i * dh:i * dh + hspan:sh, j * dw:j * dw + wspan:sw] += src[..., i, j]
    return dxp[:, :, pt:pt + h, pl:pl + w]


# -- the two primitives, each the other's VJP -----------------------------------------------
class Im2colBackward(Node):
    """cols = im2col(x) (N·Ho·Wo, K);  dx = col2im(g) (the sum over every copy of a pixel)."""

    def vjp(self, g, F):
        return (F.col2im(g, self.meta),)


class Col2imBackward(Node):
    """x = col2im(cols);  dcols = im2col(g) (each column entry reads back its pixel)."""

    def vjp(self, g, F):
        geo, shape = self.meta
        return (F.reshape(F.im2col(g, geo), shape),)


def _im2col_tensor(x: Tensor, geo: ConvGeom) -> Tensor:
    return unary(Im2colBackward, im2col_array(x.data, geo), x, meta=geo)


def _col2im_tensor(cols: Tensor, geo: ConvGeom) -> Tensor:
    return unary(Col2imBackward, col2im_array(cols.data, geo), cols,
                 meta=(geo, cols.data.shape))


register("im2col", im2col_array, _im2col_tensor)
register("col2im", col2im_array, _col2im_tensor)


def im2col(input: Tensor, kernel_size: Any, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> Tensor:
    """Patch matrix of ``input`` (N, C, H, W): (N·Ho·Wo, C·kh·kw), rows (n, ho, wo),
    columns (c, i, j), zero padding. Differentiable (its VJP is :func:`col2im`)."""
    geo = make_geom(input.data.shape, kernel_size, stride, padding, dilation, op="im2col")
    return _im2col_tensor(input, geo)


def col2im(cols: Tensor, input_shape: tuple, kernel_size: Any, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1) -> Tensor:
    """Adjoint of :func:`im2col`: ``cols`` (N·Ho·Wo, C·kh·kw) summed back onto an input of
    ``input_shape`` (N, C, H, W); overlapping windows accumulate."""
    geo = make_geom(input_shape, kernel_size, stride, padding, dilation, op="col2im")
    n, c = geo.x_shape[:2]
    want = (n * geo.out_hw[0] * geo.out_hw[1], c * geo.kernel[0] * geo.kernel[1])
    if tuple(cols.data.shape) != want:
        raise ShapeError(f"col2im: columns of shape {cols.data.shape} do not fit input shape "
                         f"{geo.x_shape} with this kernel/stride/padding (need {want})")
    return _col2im_tensor(cols, geo)


# -- conv2d ---------------------------------------------------------------------------------
def _weight_matrix(w: Any, geo: ConvGeom, F: Any) -> Any:
    """The weight (O, C/G, kh, kw) as (G, O/G, K/G), columns in ``geo.order``."""
    o, cg, kh, kw = w.shape
    g = geo.groups
    if geo.order == "cij":
        return F.reshape(w, (g, o // g, cg * kh * kw))
    w5 = F.permute(F.reshape(w, (g, o // g, cg, kh, kw)), (0, 1, 3, 4, 2))
    return F.reshape(w5, (g, o // g, kh * kw * cg))


def _weight_from_matrix(m: Any, w_shape: tuple, geo: ConvGeom, F: Any) -> Any:
    """Inverse of :func:`_weight_matrix`: (G, O/G, K/G) back to (O, C/G, kh, kw)."""
    o, cg, kh, kw = w_shape
    if geo.order == "cij":
        return F.reshape(m, w_shape)
    m5 = F.permute(F.reshape(m, (geo.groups, o // geo.groups, kh, kw, cg)), (0, 1, 4, 2, 3))
    return F.reshape(m5, w_shape)


class Conv2dBackward(Node):
    """y = cols · Wᵀ + b, cols = im2col(x) (N·Ho·Wo, K), per group;
    dW = gᵀ · cols,  dx = col2im(g · W),  db = Σ g over N, Ho, Wo."""

    def vjp(self, g, F):
        x, w = self.inputs(F)
        geo = self.meta
        ex, ew, eb = self.edges
        n, c = geo.x_shape[:2]
        ho, wo = geo.out_hw
        kh, kw = geo.kernel
        nl, o, grp = n * ho * wo, w.shape[0], geo.groups
        og, cg = o // grp, c // grp
        # g (N, O, Ho, Wo) as the GEMM's (N·Ho·Wo, O): free when g is channels-last, which
        # it is when it comes back through layout-keeping ops from this op's own output.
        gm = F.reshape(F.permute(g, (0, 2, 3, 1)), (nl, o))
        gg = F.permute(F.reshape(gm, (nl, grp, og)), (1, 2, 0))  # (G, O/G, N·Ho·Wo)
        gx = gw = gb = None
        if eb is not None:
            # Column sums as a GEMV: NumPy's sum(axis=0) over (N·Ho·Wo, O) is ~10x slower.
            gb = F.matmul(np.ones(nl, dtype=g.dtype), gm)
        if ew is not None:
            # The forward's columns on the fast path; under create_graph they are recomputed
            # from x so that dW stays a function of x (second derivatives mix x and W).
            cols = self.cached() if F.raw else F.im2col(x, geo)
            cols_g = F.permute(F.reshape(cols, (nl, grp, cg * kh * kw)), (1, 2, 0))  # (G,K/G,NL)
            # colsᵀ·g, then transposed: BLAS runs this orientation ~1.6x faster than gᵀ·cols
            # for the 3-channel first layer (and as fast for the others).
            gw_t = F.matmul(cols_g, F.permute(gg, (0, 2, 1)))  # (G, K/G, O/G)
            gw = _weight_from_matrix(F.swap_last(gw_t), w.shape, geo, F)
        if ex is not None:
            if geo.order == "ijc":
                # One (N·Ho·Wo, C/G) block per kernel offset: col2im then adds contiguous
                # blocks onto contiguous channel runs. Merging kk with O/G in the reshape
                # forces the one (small) copy that makes each (O/G, C/G) matrix BLAS-ready.
                w_off = F.permute(F.reshape(w, (grp, og, cg, kh * kw)), (0, 3, 1, 2))
                w_off = F.reshape(F.reshape(w_off, (grp, kh * kw * og, cg)),
                                  (grp, kh * kw, og, cg))
                g4 = F.permute(F.reshape(gm, (nl, grp, 1, og)), (1, 2, 0, 3))  # (G,1,NL,O/G)
                dcols = F.permute(F.matmul(g4, w_off), (2, 0, 1, 3))  # (NL, G, kk, C/G)
            else:
                # (G, K/G, N·Ho·Wo): col2im's slices then run along output rows.
                dcols = F.matmul(F.swap_last(_weight_matrix(w, geo, F)), gg)
                dcols = F.reshape(F.permute(dcols, (2, 0, 1)), (nl, c * kh * kw))
            gx = F.col2im(dcols, geo)
        return gx, gw, gb


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geo: ConvGeom
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(y (N, O, Ho, Wo) as a channels-last view, cols)."""
    n = geo.x_shape[0]
    ho, wo = geo.out_hw
    o, grp = w.shape[0], geo.groups
    nl = n * ho * wo
    cols = im2col_array(x, geo)
    wm = _weight_matrix(w, geo, RAW)  # (G, O/G, K/G)
    if grp == 1:
        out = cols @ wm[0].T  # (N·Ho·Wo, O): BLAS reads both transposes by flags
    else:
        cols_g = cols.reshape(nl, grp, -1).transpose(1, 0, 2)  # (G, NL, K/G) view
        out = np.matmul(cols_g, wm.transpose(0, 2, 1)).transpose(1, 0, 2).reshape(nl, o)
    if b is not None:
        out += b
    return out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2), cols


def _check_conv(x: np.ndarray, w: np.ndarray, b: Any, groups: int, op: str, nd: int) -> None:
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
    if b is not None and b.data.shape != (w.shape[0],):
        raise ShapeError(f"{op}: bias of shape {b.data.shape} does not fit weight of shape "
                         f"{w.shape} (need ({w.shape[0]},))")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as torch): input (N, C, H, W) or (C, H, W),
    weight (O, C/groups, kh, kw), bias (O,); stride/padding/dilation an int or (h, w) pair
    (padding also 'valid' or 'same'). Returns (N, O, Ho, Wo),
    Ho = (H + 2·ph − dh·(kh − 1) − 1) // sh + 1."""
    x, w = input.data, weight.data
    if x.ndim == 3 and w.ndim == 4:  # unbatched, as torch
        from autograd.ops.shape import reshape

        y = conv2d(reshape(input, (1,) + x.shape), weight, bias, stride, padding, dilation,
                   groups)
        return reshape(y, y.shape[1:])
    _check_conv(x, w, bias, groups, "conv2d", 2)
    geo = make_geom(x.shape, w.shape[2:], stride, padding, dilation, groups, choose_order(x),
                    op="conv2d")
    y, cols = _conv_forward(x, w, None if bias is None else bias.data, geo)
    # The columns are what dW needs; keep them only when W will get a gradient.
    keep = STATE.grad_enabled and weight.requires_grad
    return nary(Conv2dBackward, y, (input, weight, bias), saved=(input, weight), meta=geo,
                cache=cols if keep else None)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, k), bias (O,);
    returns (N, O, Lo). Runs as conv2d on (N, C, 1, L) with a (1, k) kernel."""
    from autograd.ops.shape import reshape

    x, w = input.data, weight.data
    if x.ndim == 2 and w.ndim == 3:
        y = conv1d(reshape(input, (1,) + x.shape), weight, bias, stride, padding, dilation,
                   groups)
        return reshape(y, y.shape[1:])
    _check_conv(x, w, bias, groups, "conv1d", 1)
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    y = conv2d(reshape(input, (x.shape[0], x.shape[1], 1, x.shape[2])),
               reshape(weight, (w.shape[0], w.shape[1], 1, w.shape[2])), bias,
               (1, _single(stride, "stride")), pad, (1, _single(dilation, "dilation")), groups)
    return reshape(y, (y.shape[0], y.shape[1], y.shape[3]))


def _single(v: Any, name: str) -> int:
    """An int from an int or a 1-tuple (torch's conv1d accepts both)."""
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, tuple | list) and len(v) == 1:
        return int(v[0])
    raise ValueError(f"conv1d: {name} must be an int or a 1-tuple, got {v!r}")
