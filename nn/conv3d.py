"""``F.conv3d`` and ``F.conv_transpose3d``, composed from the engine's 2-D ops.

conv3d, 3-D cross-correlation as torch's: for each depth offset k of the kernel, the
input depth slices it meets (k·d_D + s_D·t for output depth t) form a batch of images
convolved with W[:, :, k]; the k terms add up. conv_transpose3d places each slice's 2-D
transposed convolution on its output depths. Gradients, first and second order, are the
2-D ops' and the slicing's.
"""

from __future__ import annotations

from typing import Any

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away
from autograd.ops.conv import conv2d
from autograd.ops.conv_transpose import conv_transpose2d
from autograd.ops.window import ConvArgumentError, ntuple, same_padding
from autograd.tensor import Tensor
from nn.padding import pad

__all__ = ["conv3d", "conv_transpose3d"]


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """(N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kD, kH, kW) →
    (N, O, D_out, H_out, W_out), each out size ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv3d", conv3d, input, weight, bias, stride, padding, dilation,
                            groups)
    if input.ndim not in (4, 5):
        raise RuntimeError(f"Expected 4D (unbatched) or 5D (batched) input to conv3d, but got "
                           f"input of size: {list(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == 4 else input
    if weight.ndim != 5:
        raise RuntimeError(f"conv3d: expected a 5-D weight, got {tuple(weight.shape)}")
    kd, kh, kw = weight.shape[2:]
    s = ntuple(stride, 3, "stride", "conv3d")
    d = ntuple(dilation, 3, "dilation", "conv3d")
    if min(s) <= 0:
        raise ConvArgumentError("conv3d: non-positive stride is not supported")
    if min(d) <= 0:
        raise ConvArgumentError(f"conv3d: dilation should be greater than zero, got {d}")
    if isinstance(padding, str):
        if padding == "valid":
            pairs = [(0, 0)] * 3
        elif padding == "same":
            if s != (1, 1, 1):
                raise ConvArgumentError("padding='same' is not supported for strided "
                                        "convolutions")
            pairs = same_padding((kd, kh, kw), d)
        else:
            raise ConvArgumentError(f"Invalid padding string: '{padding}'")
    else:
        pairs = [(p, p) for p in ntuple(padding, 3, "padding", "conv3d")]
        if min(p for p, _ in pairs) < 0:
            raise ConvArgumentError("negative padding is not supported")
    if any(pairs[0]) or pairs[1][0] != pairs[1][1] or pairs[2][0] != pairs[2][1]:
        # depth padding (and an asymmetric 'same') by F.pad; H and W by the 2-D op
        x = pad(x, (0, pairs[2][1] - pairs[2][0], 0, pairs[1][1] - pairs[1][0], *pairs[0]))
    hw_pad = (pairs[1][0], pairs[2][0])
    n, c, depth = x.shape[:3]
    d_out = (depth - d[0] * (kd - 1) - 1) // s[0] + 1
    if d_out <= 0:
        raise RuntimeError(f"conv3d: the kernel ({kd}, {kh}, {kw}) with dilation {d} does not "
                           f"fit the padded input of size {list(x.shape)}")
    out = None
    for k in range(kd):
        t = [k * d[0] + s[0] * i for i in range(d_out)]
        xs = x[:, :, t].permute(0, 2, 1, 3, 4).reshape(n * d_out, c, *x.shape[3:])
        y = conv2d(xs, weight[:, :, k], None, s[1:], hw_pad, d[1:], groups)
        out = y if out is None else out + y
    out = out.reshape(n, d_out, *out.shape[1:]).permute(0, 2, 1, 3, 4)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out.squeeze(0) if input.ndim == 4 else out


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution, torch's argument order: (N, C_in, D, H, W) or unbatched,
    weight (C_in, C_out/groups, kD, kH, kW) → (N, C_out, D_out, H_out, W_out), each
    out size (n − 1)s − 2p + d(k − 1) + output_padding + 1. Per depth offset k, the 2-D
    transposed convolution of every depth slice lands on output depth t·s_D + k·d_D (a 0/1
    placement matrix), the k terms add up, and the depth padding is cropped."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("conv_transpose3d", conv_transpose3d, input, weight, bias, stride,
                            padding, output_padding, groups, dilation)
    if input.ndim not in (4, 5):
        raise RuntimeError(f"Expected 4D (unbatched) or 5D (batched) input to "
                           f"conv_transpose3d, but got input of size: {list(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == 4 else input
    if weight.ndim != 5:
        raise RuntimeError(f"conv_transpose3d: expected a 5-D weight, got "
                           f"{tuple(weight.shape)}")
    kd = weight.shape[2]
    s = ntuple(stride, 3, "stride", "conv_transpose3d")
    p = ntuple(padding, 3, "padding", "conv_transpose3d")
    op = ntuple(output_padding, 3, "output_padding", "conv_transpose3d")
    d = ntuple(dilation, 3, "dilation", "conv_transpose3d")
    if min(s) <= 0 or min(d) <= 0:
        raise ConvArgumentError("conv_transpose3d: stride and dilation must be positive")
    if min(p) < 0 or min(op) < 0:
        raise ConvArgumentError("conv_transpose3d: negative padding is not supported")
    if any(o >= max(si, di) for o, si, di in zip(op, s, d)):
        raise ConvArgumentError(f"output padding must be smaller than either stride or "
                                f"dilation, but got output_padding={op}, stride={s}, "
                                f"dilation={d}")
    n, c, depth = x.shape[:3]
    full = (depth - 1) * s[0] + d[0] * (kd - 1) + 1 + op[0]
    d_out = full - 2 * p[0]
    if d_out <= 0:
        raise RuntimeError(f"conv_transpose3d: output depth {d_out} is not positive")
    slices = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, *x.shape[3:])
    xp = xp_of(x._data)
    out = None
    for k in range(kd):
        y = conv_transpose2d(slices, weight[:, :, k], None, s[1:], p[1:], op[1:], groups, d[1:])
        y = y.reshape(n, depth, *y.shape[1:]).permute(0, 2, 3, 4, 1)  # (N, O, Ho, Wo, D)
        place = xp.zeros((depth, full), dtype=y.dtype)
        place[xp.arange(depth), xp.arange(depth) * s[0] + k * d[0]] = 1
        y = ag.matmul(y, Tensor._const(place))  # (N, O, Ho, Wo, full)
        out = y if out is None else out + y
    out = out[..., p[0]:p[0] + d_out].permute(0, 1, 4, 2, 3)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out.squeeze(0) if input.ndim == 4 else out
