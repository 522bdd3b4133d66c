"""``F.unfold`` (im2col) and ``F.fold`` (col2im), torch's sliding-block extraction and its
adjoint, as one gather and one scatter-add over a flattened, padded image (both
differentiable twice: gather's gradient is a scatter-add and the reverse)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.padding import pad

__all__ = ["fold", "unfold"]


def _pair(v: Any) -> tuple:
    return tuple(int(x) for x in v) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _blocks(size: tuple, k: tuple, d: tuple, p: tuple, s: tuple) -> tuple:
    """Sliding blocks per axis: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1."""
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: "
                           f"{s[0]} stride_width: {s[1]}")
    if min(k) <= 0 or min(d) <= 0:
        raise RuntimeError(f"kernel size and dilation should be greater than zero, but got "
                           f"kernel_size={k}, dilation={d}")
    if min(p) < 0:
        raise RuntimeError(f"padding should be non-negative, but got padding={p}")
    return tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))


def _flat_index(padded: tuple, blocks: tuple, k: tuple, d: tuple, s: tuple) -> np.ndarray:
    """(kh·kw, L) positions in the flattened padded image: block (bh, bw), kernel tap
    (i, j) reads row bh·s_h + i·d_h, column bw·s_w + j·d_w."""
    rows = (np.arange(k[0]) * d[0])[:, None, None, None] + \
        (np.arange(blocks[0]) * s[0])[None, None, :, None]
    cols = (np.arange(k[1]) * d[1])[None, :, None, None] + \
        (np.arange(blocks[1]) * s[1])[None, None, None, :]
    return (rows * padded[1] + cols).reshape(k[0] * k[1], blocks[0] * blocks[1])


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding local blocks: (N, C, H, W) → (N, C·kh·kw, L), L the number of blocks (rows
    ordered channel-major, then kernel row, then kernel column; unbatched (C, H, W) →
    (C·kh·kw, L))."""
    if input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 2)")
    if input.ndim != 4 and input.ndim != 3:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got: {list(input.shape)}")
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    x = input if input.ndim == 4 else input.unsqueeze(0)
    n, c, h, w = x.shape
    blocks = _blocks((h, w), k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as {blocks}, but its components must be at least "
                           f"one.")
    if any(p):
        x = pad(x, (p[1], p[1], p[0], p[0]))
    idx = _flat_index((h + 2 * p[0], w + 2 * p[1]), blocks, k, d, s)
    out = x.reshape(n, c, x.shape[2] * x.shape[3])[:, :, idx.reshape(-1)]
    out = out.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """The adjoint of ``unfold``: sum the blocks of (N, C·kh·kw, L) into (N, C, *output_size)
    (overlapping entries add up; unbatched (C·kh·kw, L) → (C, *output_size))."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    o, k = _pair(output_size), _pair(kernel_size)
    d, p, s = _pair(dilation), _pair(padding), _pair(stride)
    y = input if input.ndim == 3 else input.unsqueeze(0)
    n, ck, length = y.shape
    if ck % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ck} and "
                           f"kernel_size={k}.")
    blocks = _blocks(o, k, d, p, s)
    if min(blocks) < 1 or blocks[0] * blocks[1] != length:
        raise RuntimeError(f"Given output_size={o}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)="
                           f"{length}.")
    c = ck // (k[0] * k[1])
    hp, wp = o[0] + 2 * p[0], o[1] + 2 * p[1]
    idx = _flat_index((hp, wp), blocks, k, d, s).reshape(-1)
    index = ag.tensor(np.ascontiguousarray(np.broadcast_to(idx, (n, c, idx.size))),
                      device=y.device)
    canvas = ag.zeros((n, c, hp * wp), dtype=y.dtype, device=y.device)
    out = canvas.scatter_add(2, index, y.reshape(n, c, idx.size)).reshape(n, c, hp, wp)
    if any(p):
        out = out[:, :, p[0]:p[0] + o[0], p[1]:p[1] + o[1]]
    return out if input.ndim == 3 else out.squeeze(0)
