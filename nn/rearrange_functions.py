"""torch's rearranging and pooling extras of ``nn.functional``: ``pixel_shuffle``,
``pixel_unshuffle``, ``channel_shuffle``, ``unfold``/``fold`` (im2col and its adjoint),
``max_unpool1d``/``max_unpool2d`` and ``lp_pool1d``/``lp_pool2d``.

All are compositions of differentiable ops: shuffles are reshapes and permutes, ``unfold``
is a convolution with the identity filter bank (column c·kh·kw + i·kw + j copies channel
c at kernel offset (i, j), torch's order) and ``fold`` the transposed convolution with
the same bank (overlaps add up), unpooling a scatter and LP pooling torch's average-pool
formula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import backend
from autograd.backend import xp_of
from autograd.ops.conv import conv2d
from autograd.ops.conv_transpose import conv_transpose2d
from autograd.ops.pool import avg_pool2d, max_pool2d
from autograd.tensor import Tensor
from nn.pool1d import avg_pool1d, max_pool1d

__all__ = ["channel_shuffle", "fold", "lp_pool1d", "lp_pool2d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "pixel_shuffle", "pixel_unshuffle", "unfold"]


def _pair(v: Any) -> tuple:
    return (int(v), int(v)) if isinstance(v, int | np.integer) else tuple(int(x) for x in v)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r) (Shi et al. 2016's sub-pixel rearrangement)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c}"
                           f" is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W), pixel_shuffle's inverse."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, "
                           f"but got input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got {h} and {w} with {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) → channels regrouped: channel g·(C/g) + k moves to k·g + g (ShuffleNet)."""
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value "
                           f"of groups:{g}")
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    n, c = input.shape[:2]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(input.shape)


def _bank(c: int, kh: int, kw: int, like: Tensor) -> Tensor:
    """The (C·kh·kw, C, kh, kw) identity filter bank of unfold, where ``like`` lives."""
    w = np.zeros((c * kh * kw, c, kh, kw), dtype=like.dtype)
    o = np.arange(c * kh * kw)
    w[o, o // (kh * kw), (o // kw) % kh, o % kw] = 1
    return Tensor._const(backend.to(w, like.device))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding blocks (im2col): (N, C, H, W) → (N, C·kh·kw, L), L the number of window
    positions; (C, H, W) → (C·kh·kw, L)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    kh, kw = _pair(kernel_size)
    c = x.shape[1]
    cols = conv2d(x, _bank(c, kh, kw, x), None, _pair(stride), _pair(padding),
                  _pair(dilation))
    cols = cols.reshape(x.shape[0], c * kh * kw, -1)
    return cols.squeeze(0) if input.ndim == 3 else cols


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """unfold's adjoint (col2im): (N, C·kh·kw, L) → (N, C, H, W) with overlapping
    entries summed; (C·kh·kw, L) → (C, H, W)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.ndim}D)")
    cols = input.unsqueeze(0) if input.ndim == 2 else input
    (oh, ow), (kh, kw) = _pair(output_size), _pair(kernel_size)
    (dh, dw), (ph, pw), (sh, sw) = _pair(dilation), _pair(padding), _pair(stride)
    if cols.shape[1] % (kh * kw):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={cols.shape[1]} "
                           f"and kernel_size={(kh, kw)}")
    bh = (oh + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    bw = (ow + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if bh <= 0 or bw <= 0 or bh * bw != cols.shape[2]:
        raise RuntimeError(f"Given output_size={(oh, ow)}, kernel_size={(kh, kw)}, "
                           f"dilation={(dh, dw)}, padding={(ph, pw)}, stride={(sh, sw)}, "
                           f"expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {max(bh, 0)} * {max(bw, 0)} = "
                           f"{max(bh, 0) * max(bw, 0)}, but got input.size(2)={cols.shape[2]}.")
    c = cols.shape[1] // (kh * kw)
    grid = cols.reshape(cols.shape[0], c * kh * kw, bh, bw)
    extra = (oh - ((bh - 1) * sh - 2 * ph + dh * (kh - 1) + 1),
             ow - ((bw - 1) * sw - 2 * pw + dw * (kw - 1) + 1))
    out = conv_transpose2d(grid, _bank(c, kh, kw, cols), None, (sh, sw), (ph, pw),
                           extra, 1, (dh, dw))
    return out.squeeze(0) if input.ndim == 2 else out


def _unpool_size(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
                 output_size: Any) -> list:
    nd = len(kernel)
    default = [(input.shape[input.ndim - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(nd)]
    if output_size is None:
        return default
    size = list(output_size)
    if len(size) == nd + 2:
        size = size[2:]
    if len(size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{list(output_size)}" (dim {d} must be '
                             f"between {lo} and {hi})")
    return [int(s) for s in size]


def _unpool(input: Tensor, indices: Any, size: list) -> Tensor:
    """Scatter each plane's values to its flat ``indices`` in a zero (…, *size) plane."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    xp = xp_of(idx)
    if idx.shape != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input "
                           f"tensor ({tuple(input.shape)}) but got indices tensor with shape: "
                           f"{idx.shape}")
    lead = tuple(input.shape[:input.ndim - len(size)])
    plane = math.prod(size)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= plane):
        raise RuntimeError(f"Found an invalid max index: {int(idx.max())} (output volumes are "
                           f"of size {'x'.join(map(str, size))})")
    flat = input.reshape(*lead, -1)
    out = ag.zeros(*lead, plane, dtype=input.dtype, device=input.device).scatter(
        -1, Tensor._const(idx.reshape(*lead, -1).astype(xp.int64)), flat)
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """max_pool1d's partial inverse: each value back at its index, zeros elsewhere;
    (N, C, L) or (C, L)."""
    k = (int(kernel_size if isinstance(kernel_size, int) else kernel_size[0]),)
    s = k if stride is None else (int(stride if isinstance(stride, int) else stride[0]),)
    p = (int(padding if isinstance(padding, int) else padding[0]),)
    return _unpool(input, indices, _unpool_size(input, k, s, p, output_size))


def max_unpool2d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """max_pool2d's partial inverse: (N, C, H, W) or (C, H, W) values scattered to their
    flat indices in zero (H_out, W_out) planes, H_out = (H − 1)·s − 2p + k."""
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    return _unpool(input, indices, _unpool_size(input, k, s, _pair(padding), output_size))


def max_unpool3d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """max_pool3d's partial inverse: (N, C, D, H, W) or (C, D, H, W) values scattered to
    their flat indices in zero (D_out, H_out, W_out) volumes."""
    k = _triple(kernel_size)
    s = k if stride is None else _triple(stride)
    return _unpool(input, indices, _unpool_size(input, k, s, _triple(padding), output_size))


def _triple(v: Any) -> tuple:
    return (int(v),) * 3 if isinstance(v, int | np.integer) else tuple(int(x) for x in v)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(Σ_window xᵖ)^(1/p) as torch: (sign(a)·relu(|a|)·k)^(1/p), a the average of xᵖ;
    p = ±inf: max of |x| (min for −inf)."""
    if norm_type == float("inf"):
        return max_pool1d(ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool1d(-ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool1d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return (ag.sign(out) * ag.relu(ag.abs(out)) * k) ** (1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """2-D lp_pool1d: (sign(a)·relu(|a|)·kh·kw)^(1/p), a the window average of xᵖ."""
    kh, kw = _pair(kernel_size)
    if norm_type == float("inf"):
        return max_pool2d(ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool2d(-ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool2d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return (ag.sign(out) * ag.relu(ag.abs(out)) * (kh * kw)) ** (1.0 / norm_type)
