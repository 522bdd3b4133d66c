"""``F.conv3d``: 3-D convolution (cross-correlation, as torch) composed from the engine's
2-D convolution: for each depth offset k of the kernel, the input depth slices it meets
(k·d_D + s_D·t for output depth t) form a batch of images convolved with W[:, :, k]; the
k terms add up. Gradients, first and second order, are the 2-D op's and the slicing's.
"""

from __future__ import annotations

from typing import Any

from autograd.ops.conv import conv2d
from autograd.ops.window import ConvArgumentError, ntuple, same_padding
from autograd.tensor import Tensor
from nn.padding import pad

__all__ = ["conv3d"]


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """(N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kD, kH, kW) →
    (N, O, D_out, H_out, W_out), each out size ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1."""
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
