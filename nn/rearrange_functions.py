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
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import to_host
from autograd.graph import Away
from autograd.ops.conv import conv2d
from autograd.ops.conv_transpose import conv_transpose2d
from autograd.ops.pool import avg_pool2d, max_pool2d
from autograd.promotion import torch_name
from autograd.tensor import Tensor
from nn.pool1d import avg_pool1d, max_pool1d

__all__ = ["channel_shuffle", "fold", "lp_pool1d", "lp_pool2d", "max_unpool1d", "max_unpool2d",
           "max_unpool3d", "native_channel_shuffle", "pixel_shuffle", "pixel_unshuffle",
           "unfold"]


def _pair(v: Any) -> tuple:
    return (int(v), int(v)) if isinstance(v, int | np.integer) else tuple(int(x) for x in v)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r) (Shi et al. 2016's sub-pixel rearrangement)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
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
    """(*, C, H·r, W·r) → (*, C·r², H, W), pixel_shuffle's inverse. An empty input comes
    back in its own shape (torch 2.13's early return, unlike pixel_shuffle's)."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, "
                           f"but got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got "
                           f"{r}")
    *lead, c, h, w = input.shape
    for name, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({dim})={size} is not "
                               f"divisible by {r}")
    if input.numel() == 0:
        return input.clone()
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



class _NativeChannelShuffle(ag.Function):
    """torch's ``native_channel_shuffle``: channel_shuffle's values, but aten has no
    derivative for it, so (as torch) the output of an input that requires grad requires
    grad too and backward through it raises."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, groups: int) -> Tensor:
        return channel_shuffle(input, groups)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        raise RuntimeError("derivative for aten::native_channel_shuffle is not implemented")


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """channel_shuffle's (N, C, *) regrouping with no derivative (torch's native kernel:
    backward through it raises RuntimeError, as torch's)."""
    return _NativeChannelShuffle.apply(input, groups)

def _bank(c: int, kh: int, kw: int, like: Tensor) -> Tensor:
    """The (C·kh·kw, C, kh, kw) identity filter bank of unfold, where ``like`` lives."""
    w = np.zeros((c * kh * kw, c, kh, kw), dtype=like.dtype)
    o = np.arange(c * kh * kw)
    w[o, o // (kh * kw), (o // kw) % kh, o % kw] = 1
    return Tensor._const(backend.to(w, like.device))


def _size2(name: str, v: Any) -> tuple:
    """An int or a 2-sequence as (h, w), torch's check of the length."""
    if isinstance(v, int | np.integer):
        return int(v), int(v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return int(v[0]), int(v[1])


def _blocks(n: int, k: int, d: int, p: int, s: int) -> int:
    """Sliding blocks along one axis, ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, rounded down as
    torch's div_rtn (the counts it reports may be 0 or negative)."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _check_block_args(k: tuple, d: tuple, p: tuple, s: tuple, stride_first: bool) -> None:
    """torch's im2col/col2im argument checks, in their order (col2im checks the stride
    second, im2col last)."""
    checks = [(min(k) > 0, f"kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}"),
              (min(d) > 0, f"dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}"),
              (min(p) >= 0, f"padding should be non-negative, but got pad_height: {p[0]} "
                            f"pad_width: {p[1]}")]
    stride = (min(s) > 0, f"stride should be greater than zero, but got stride_height: "
                          f"{s[0]} stride_width: {s[1]}")
    checks.insert(1 if stride_first else 3, stride)
    for ok, message in checks:
        if not ok:
            raise RuntimeError(message)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding blocks (im2col): (N, C, H, W) → (N, C·kh·kw, L), L the number of window
    positions; (C, H, W) → (C·kh·kw, L). N may be 0 (torch: C, H and W may not)."""
    k, d = _size2("kernel_size", kernel_size), _size2("dilation", dilation)
    p, s = _size2("padding", padding), _size2("stride", stride)
    _check_block_args(k, d, p, s, stride_first=False)
    nd = input.ndim
    if nd < 3:  # torch reads input.size(1) and input.size(2) before checking the rank
        if nd == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got {nd})")
    if nd not in (3, 4) or 0 in input.shape[nd - 3:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    x = input.unsqueeze(0) if nd == 3 else input
    c, h, w = x.shape[1:]
    bh, bw = (_blocks(h, k[0], d[0], p[0], s[0]), _blocks(w, k[1], d[1], p[1], s[1]))
    if bh < 1 or bw < 1:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as ({bh}, {bw}), but its components must be at "
                           f"least one.")
    cols = conv2d(x, _bank(c, k[0], k[1], x), None, s, p, d)
    cols = cols.reshape(x.shape[0], c * k[0] * k[1], bh * bw)
    return cols.squeeze(0) if nd == 3 else cols


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """unfold's adjoint (col2im): (N, C·kh·kw, L) → (N, C, H, W) with overlapping
    entries summed; (C·kh·kw, L) → (C, H, W). N may be 0 (torch: C·kh·kw and L may not)."""
    (oh, ow), (kh, kw) = _size2("output_size", output_size), _size2("kernel_size",
                                                                    kernel_size)
    (dh, dw), (ph, pw) = _size2("dilation", dilation), _size2("padding", padding)
    sh, sw = _size2("stride", stride)
    _check_block_args((kh, kw), (dh, dw), (ph, pw), (sh, sw), stride_first=True)
    if input.ndim not in (2, 3) or 0 in input.shape[input.ndim - 2:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    cols = input.unsqueeze(0) if input.ndim == 2 else input
    if cols.shape[1] % (kh * kw):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={cols.shape[1]} "
                           f"and kernel_size={(kh, kw)}.")
    bh, bw = _blocks(oh, kh, dh, ph, sh), _blocks(ow, kw, dw, pw, sw)
    if bh < 1 or bw < 1 or bh * bw != cols.shape[2]:
        raise RuntimeError(f"Given output_size={(oh, ow)}, kernel_size={(kh, kw)}, "
                           f"dilation={(dh, dw)}, padding={(ph, pw)}, stride={(sh, sw)}, "
                           f"expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {bh} * {bw} = {bh * bw}, but got "
                           f"input.size(2)={cols.shape[2]}.")
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


def _check_unpool(input: Tensor, idx: Any, size: list) -> None:
    """torch 2.13's max_unpooling{2,3}d checks in its order: int64 indices, the rank, equal
    shapes, no empty non-batch dimension, every index inside its plane (the one named is
    the last bad one, as torch's single-threaded kernel). max_unpool1d runs as the 2-d
    kernel on (…, L, 1), so its messages show that shape."""
    kernel = "max_unpooling3d" if len(size) == 3 else "max_unpooling2d"
    one_d = len(size) == 1
    shape = list(input.shape) + [1] * one_d
    if idx.dtype != np.int64:
        tail = "" if len(size) == 3 else f" but got: {torch_name(idx.dtype)}"
        raise RuntimeError(f"elements in indices should be type int64{tail}")
    ranks = (4, 5) if len(size) == 3 else (3, 4)
    if len(shape) not in ranks:
        raise RuntimeError(f"Input to {kernel} should be a {ranks[0]}d or {ranks[1]}d Tensor, "
                           f"but got a tensor with {len(shape)} dimensions.")
    if idx.shape != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input "
                           f"tensor ({shape}) but got indices tensor with shape: "
                           f"{list(idx.shape) + [1] * one_d}")
    for d in range(1, len(shape)):  # torch takes dim 0 for the batch, whatever the rank
        if shape[d] == 0:
            raise RuntimeError(f"{kernel}_forward_out_cpu(): Expected input to have non-zero "
                               f"size for non-batch dimensions, but got {shape} with "
                               f"dimension {d} being empty.")
    bad = np.flatnonzero(to_host((idx < 0) | (idx >= math.prod(size))))
    if bad.size:
        plane = "x".join(map(str, size + [1] * one_d))
        raise RuntimeError(f"Found an invalid max index: {int(idx.reshape(-1)[bad[-1]])} "
                           f"(output volumes are of size {plane})")


def _unpool(input: Tensor, indices: Any, size: list) -> Tensor:
    """Scatter each plane's values to its flat ``indices`` in a zero (…, *size) plane."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    _check_unpool(input, idx, size)
    lead = tuple(input.shape[:input.ndim - len(size)])
    plane = math.prod(size)
    n = math.prod(input.shape[len(lead):])  # not -1: the batch may be empty
    flat = input.reshape(*lead, n)
    out = ag.zeros(*lead, plane, dtype=input.dtype, device=input.device).scatter(
        -1, Tensor._const(idx.reshape(*lead, n)), flat)
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
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("max_unpool2d", max_unpool2d, input, indices, kernel_size, stride,
                     padding, output_size)
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    return _unpool(input, indices, _unpool_size(input, k, s, _pair(padding), output_size))


def max_unpool3d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """max_pool3d's partial inverse: (N, C, D, H, W) or (C, D, H, W) values scattered to
    their flat indices in zero (D_out, H_out, W_out) volumes."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("max_unpool3d", max_unpool3d, input, indices, kernel_size, stride,
                     padding, output_size)
    k = _triple(kernel_size)
    s = k if stride is None else _triple(stride)
    if min(s) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(s)}")
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
