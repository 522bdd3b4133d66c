"""Window geometry and the patch primitives every windowed op builds on (conv, pooling).

* :class:`ConvGeom` / :func:`make_geom`: the validated layout of one convolution-like call
  (kernel, stride, padding, dilation, groups, column order, output size), with the one
  padding rule (:func:`same_padding`) and the one int-or-tuple normaliser (:func:`ntuple`).
* ``im2col``: x (N, C, H, W) -> cols (N·Ho·Wo, K), one row per output pixel, one column
  per (channel, kernel offset); zero padding.
* ``col2im``: cols -> x-shaped sums, every column entry added back onto the input pixel
  it was copied from (overlapping windows accumulate). Each is the other's VJP.

Column order (``geo.order``): ``"cij"`` for an input in NCHW memory (columns (c, i, j); the
gather reads runs of image rows; ``cols`` is the transpose of a (K, N·Ho·Wo) array), or
``"ijc"`` for a channels-last input (columns (group, i, j, c); the gather reads runs of
channels; ``cols`` is contiguous). Both give the same result; the order only decides which
copies are cheap (see ``autograd/ops/conv.py``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.backend import as_strided, xp_of
from autograd.errors import ShapeError
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.tensor import Tensor


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


class ConvArgumentError(ValueError, RuntimeError):
    """A bad convolution or pooling argument (torch raises RuntimeError from its kernels
    and ValueError from its modules; this is both, so code written for either catches it)."""


def ntuple(value: Any, n: int, name: str, op: str) -> tuple:
    """``value`` as an n-tuple of ints: an int means the same value on every axis, else a
    sequence of n ints (torch's ``int or tuple`` arguments: kernel_size, stride, ...)."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        out = ()
    if len(out) != n:
        what = "a pair of ints" if n == 2 else f"a {n}-tuple of ints"
        raise ConvArgumentError(f"{op}: {name} must be an int or {what}, got {value!r}") from None
    return out


def same_padding(kernel: tuple, dilation: tuple) -> tuple:
    """padding='same' (stride 1), as torch: per axis ``(before, after)`` with total
    d·(k − 1); an odd total (an even kernel) puts the extra row at the end."""
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                 for k, d in zip(kernel, dilation))


def _padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple, op: str) -> tuple:
    """((top, bottom), (left, right)) from an int, an (h, w) pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ConvArgumentError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            return same_padding(kernel, dilation)
        raise ConvArgumentError(f"{op}: padding must be 'valid', 'same', an int or a pair, "
                         f"got {padding!r}")
    ph, pw = ntuple(padding, 2, "padding", op)
    if ph < 0 or pw < 0:
        raise ConvArgumentError(f"{op}: negative padding is not supported, got {padding!r}")
    return (ph, ph), (pw, pw)


def _positive(pair: tuple, name: str, op: str) -> tuple:
    if pair[0] <= 0 or pair[1] <= 0:
        raise ConvArgumentError(f"{op}: {name} must be positive, got {pair}")
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
    k = _positive(ntuple(kernel, 2, "kernel_size", op), "kernel_size", op)
    s = _positive(ntuple(stride, 2, "stride", op), "stride", op)
    d = _positive(ntuple(dilation, 2, "dilation", op), "dilation", op)
    p = _padding(padding, k, s, d, op)
    x_shape = tuple(int(v) for v in x_shape)
    if len(x_shape) != 4:
        raise ShapeError(f"{op}: expected an input of shape (N, C, H, W), got {x_shape}")
    if groups <= 0 or x_shape[1] % groups:
        raise ShapeError(f"{op}: groups={groups} must be positive and divide the input's "
                         f"{x_shape[1]} channels (input of shape {x_shape})")
    return ConvGeom(x_shape, k, s, p, d, int(groups), order, _out_hw(x_shape, k, s, p, d, op))


# -- im2col / col2im on arrays --------------------------------------------------------------
def _items_ok(src: Any, dst: Any) -> bool:
    """Both NumPy, C-contiguous (their buffers are read from their first byte) and not
    empty: :func:`_items` may view them."""
    return src.__class__ is np.ndarray and dst.__class__ is np.ndarray and src.size > 0 and \
        dst.size > 0 and src.flags.c_contiguous and dst.flags.c_contiguous


def _items(a: np.ndarray, shape: tuple, strides: tuple, nbytes: int) -> np.ndarray:
    """A view of ``a``'s buffer as opaque ``nbytes``-byte items at the given byte strides.
    A copy between two such views runs NumPy's inner loop once per item row, each step
    one memcpy of ``nbytes``: the same bytes as the float copy, whose inner loop would
    otherwise restart every wo or kw·C values (55,000 times for the SimpleCNN's first
    layer: 0.45 -> 0.25 ms)."""
    return np.ndarray(shape, np.dtype((np.void, nbytes)), a, 0, strides)


def im2col_array(x: np.ndarray, geo: ConvGeom, ones: bool = False) -> np.ndarray:
    """Patch matrix (N·Ho·Wo, K) of ``x`` (N, C, H, W), zero-padded: row (n, ho, wo) holds
    the window under output pixel (ho, wo); columns in ``geo.order``. One strided view of
    the padded input, one copy. ``ones``: one more column, all 1 (K + 1 columns), so that
    a convolution's GEMM adds its bias and its dW GEMM yields db (see conv.py)."""
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
    xp = np if x.__class__ is np.ndarray else xp_of(x)
    if geo.order == "ijc":
        g = geo.groups
        cg = c // g
        src = x.transpose(0, 2, 3, 1)  # (N, H, W, C): free when x is channels-last
        if padded:
            x_pad = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=x.dtype)
            x_pad[:, pt:pt + h, pl:pl + w] = src
        else:
            x_pad = src
        s_n, s_h, s_w, s_c = x_pad.strides
        k = c * kh * kw
        cols = xp.empty((n * ho * wo, k + ones), dtype=x.dtype)
        if g == 1 and dw == 1 and _items_ok(x_pad, cols):
            # One item per kernel row: its kw pixels' channels, contiguous in both.
            r, item = cols.strides[0], kw * c * x.itemsize
            np.copyto(_items(cols, (n, ho, wo, kh), (ho * wo * r, wo * r, r, item), item),
                      _items(x_pad, (n, ho, wo, kh), (s_n, s_h * sh, s_w * sw, s_h * dh), item))
        else:
            win = as_strided(x_pad, (n, ho, wo, g, kh, kw, cg),
                             (s_n, s_h * sh, s_w * sw, s_c * cg, s_h * dh, s_w * dw, s_c),
                             writeable=False)
            np.copyto(cols[:, :k].reshape(n, ho, wo, g, kh, kw, cg), win)  # splits dims: a view
        if ones:
            cols[:, k] = 1
        return cols
    if padded:
        x_pad = xp.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
        x_pad[:, :, pt:pt + h, pl:pl + w] = x
    else:
        x_pad = x
    s_n, s_c, s_h, s_w = x_pad.strides
    k = c * kh * kw
    cols_t = xp.empty((k + ones, n * ho * wo), dtype=x.dtype)
    if sw == 1 and _items_ok(x_pad, cols_t):
        # One item per output row: wo consecutive input pixels, contiguous in both.
        item = wo * x.itemsize
        np.copyto(_items(cols_t, (c, kh, kw, n, ho), (kh * kw * n * ho * item, kw * n * ho * item,
                                                      n * ho * item, ho * item, item), item),
                  _items(x_pad, (c, kh, kw, n, ho), (s_c, s_h * dh, s_w * dw, s_n, s_h * sh), item))
    else:
        # (C, kh, kw, N, Ho, Wo): the copy's inner loop runs along an image row.
        win = as_strided(x_pad, (c, kh, kw, n, ho, wo),
                         (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw), writeable=False)
        np.copyto(cols_t[:k].reshape(c, kh, kw, n, ho, wo), win)
    if ones:
        cols_t[k] = 1
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
    xp = np if cols.__class__ is np.ndarray else xp_of(cols)
    if geo.order == "ijc":
        g = geo.groups
        cg = c // g
        src = cols.reshape(n, ho, wo, g, kh, kw, cg)
        dxp = xp.zeros((n, hp, wp, g, cg), dtype=cols.dtype)
        for i in range(kh):
            for j in range(kw):
                dxp[:, i * dh:i * dh + hspan:sh, j * dw:j * dw + wspan:sw] += src[:, :, :, :, i, j]
        dx = dxp.reshape(n, hp, wp, c)[:, pt:pt + h, pl:pl + w]
        return dx.transpose(0, 3, 1, 2)
    # (N, C, Ho, Wo, kh, kw) view; from the (K, N·Ho·Wo) layout the conv VJP produces,
    # each offset's slice runs along output rows, as the NCHW target does.
    src = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 1, 2, 4, 5)
    dxp = xp.zeros((n, c, hp, wp), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i * dh:i * dh + hspan:sh, j * dw:j * dw + wspan:sw] += src[..., i, j]
    return dxp[:, :, pt:pt + h, pl:pl + w]


# -- the two primitives, each the other's VJP (xp.im2col, xp.col2im) ----------------------
class Im2colBackward(Node):
    """cols = im2col(x) (N·Ho·Wo, K);  dx = col2im(g) (the sum over every copy of a pixel)."""

    def vjp(self, g, xp):
        return (xp.col2im(g, self.meta),)


class Col2imBackward(Node):
    """x = col2im(cols);  dcols = im2col(g) (each column entry reads back its pixel)."""

    def vjp(self, g, xp):
        geo, shape = self.meta
        return (xp.reshape(xp.im2col(g, geo), shape),)


def _im2col_tensor(x: Tensor, geo: ConvGeom) -> Tensor:
    return unary(Im2colBackward, im2col_array(x._data, geo), x, meta=geo)


def _col2im_tensor(cols: Tensor, geo: ConvGeom) -> Tensor:
    return unary(Col2imBackward, col2im_array(cols._data, geo), cols,
                 meta=(geo, cols._data.shape))




def im2col(input: Tensor, kernel_size: Any, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> Tensor:
    """Patch matrix of ``input`` (N, C, H, W): (N·Ho·Wo, C·kh·kw), rows (n, ho, wo),
    columns (c, i, j), zero padding. Differentiable (its VJP is :func:`col2im`)."""
    geo = make_geom(input._data.shape, kernel_size, stride, padding, dilation, op="im2col")
    return _im2col_tensor(input, geo)


def col2im(cols: Tensor, input_shape: tuple, kernel_size: Any, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1) -> Tensor:
    """Adjoint of :func:`im2col`: ``cols`` (N·Ho·Wo, C·kh·kw) summed back onto an input of
    ``input_shape`` (N, C, H, W); overlapping windows accumulate."""
    geo = make_geom(input_shape, kernel_size, stride, padding, dilation, op="col2im")
    n, c = geo.x_shape[:2]
    want = (n * geo.out_hw[0] * geo.out_hw[1], c * geo.kernel[0] * geo.kernel[1])
    if tuple(cols._data.shape) != want:
        raise ShapeError(f"col2im: columns of shape {cols._data.shape} do not fit input shape "
                         f"{geo.x_shape} with this kernel/stride/padding (need {want})")
    return _col2im_tensor(cols, geo)
