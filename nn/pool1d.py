"""``F.max_pool1d`` and ``F.avg_pool1d``: the 2-D pooling primitives on (N, C, 1, L) views
(a 1 × k window, so every option — stride, padding, dilation, ceil_mode,
count_include_pad, return_indices — keeps torch's meaning along L)."""

from __future__ import annotations

from typing import Any

from autograd.ops.pool import avg_pool2d, max_pool2d
from autograd.tensor import Tensor

__all__ = ["avg_pool1d", "max_pool1d"]


def _one(value: Any, name: str, op: str) -> int:
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise RuntimeError(f"{op}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return int(value)


def _lifted(input: Tensor, op: str) -> Tensor:
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{op}: Expected 2D or 3D (batch mode) tensor for input, got "
                           f"input of shape {tuple(input.shape)}")
    return input.unsqueeze(-2)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """(N, C, L) or (C, L) → (…, L_out), L_out = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈⌉ with
    ``ceil_mode``): the max of each window (padding −∞); ``return_indices`` also gives
    each max's index along L."""
    k = _one(kernel_size, "kernel_size", "max_pool1d")
    s = k if stride is None or (isinstance(stride, list | tuple) and not stride) else \
        _one(stride, "stride", "max_pool1d")
    p = _one(padding, "padding", "max_pool1d")
    d = _one(dilation, "dilation", "max_pool1d")
    out = max_pool2d(_lifted(input, "max_pool1d"), (1, k), (1, s), (0, p), (1, d), ceil_mode,
                     return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """(N, C, L) or (C, L) → (…, L_out), L_out = ⌊(L + 2p − k)/s⌋ + 1 (⌈⌉ with
    ``ceil_mode``): the mean of each window, padded zeros counted unless
    ``count_include_pad=False``."""
    k = _one(kernel_size, "kernel_size", "avg_pool1d")
    s = k if stride is None or (isinstance(stride, list | tuple) and not stride) else \
        _one(stride, "stride", "avg_pool1d")
    p = _one(padding, "padding", "avg_pool1d")
    return avg_pool2d(_lifted(input, "avg_pool1d"), (1, k), (1, s), (0, p), ceil_mode,
                      count_include_pad).squeeze(-2)
