"""Power-average pooling ``lp_pool1d``/``lp_pool2d``: y = (Σ_window x^p)^(1/p), computed
as torch does, from average pooling of x^p times the window size (so p = 1 is sum pooling
and p → ∞ approaches max pooling)."""

from __future__ import annotations

from typing import Any

import autograd as ag
from autograd.ops.pool import avg_pool2d
from autograd.tensor import Tensor
from nn.pool1d import avg_pool1d

__all__ = ["lp_pool1d", "lp_pool2d"]


def _root(out: Tensor, count: int, norm_type: float) -> Tensor:
    # torch's sign(out)·relu(|out|): a negative average (odd p, negative inputs) is kept
    return (ag.sign(out) * ag.relu(out.abs()) * count) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(N, C, L) or (C, L) → (…, L_out): the p-norm of each window of ``kernel_size``."""
    if stride is not None:
        out = avg_pool1d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input ** norm_type, kernel_size, padding=0, ceil_mode=ceil_mode)
    return _root(out, int(kernel_size), norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(N, C, H, W) or (C, H, W) → (…, H_out, W_out): the p-norm of each kh × kw window."""
    kw, kh = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if stride is not None:
        out = avg_pool2d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input ** norm_type, kernel_size, padding=0, ceil_mode=ceil_mode)
    return _root(out, int(kw) * int(kh), norm_type)
