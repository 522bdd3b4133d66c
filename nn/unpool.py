"""``max_unpool1d``/``max_unpool2d``: the partial inverse of max pooling, each value put
back at the position its pooling index names, zeros elsewhere (one scatter per plane;
the gradient gathers at the indices, as torch's)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor

__all__ = ["max_unpool1d", "max_unpool2d"]


def _tuple(v: Any, n: int) -> tuple:
    return tuple(int(x) for x in v) if isinstance(v, (tuple, list)) else (int(v),) * n


def _output_size(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
                 output_size: Any) -> tuple:
    """torch's _unpool_output_size: (in − 1)·stride + kernel − 2·padding per axis, or the
    given size if it lies strictly within one stride of that."""
    n = len(kernel)
    default = [(input.shape[input.ndim - n + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(n)]
    if output_size is None:
        return tuple(default)
    size = [int(v) for v in output_size]
    if len(size) == n + 2:
        size = size[2:]
    if len(size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d in range(n):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{list(output_size)}" (dim {d} must be '
                             f'between {lo} and {hi})')
    return tuple(size)


def _unpool(input: Tensor, indices: Any, out_hw: tuple, name: str) -> Tensor:
    """(N, C, *spatial) values and int64 flat indices → (N, C, *out_hw)."""
    idx = indices if isinstance(indices, Tensor) else ag.tensor(np.asarray(indices))
    if tuple(idx.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(idx.shape)}")
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {idx.dtype}")
    total = int(np.prod(out_hw))
    lead = tuple(input.shape[:input.ndim - len(out_hw)])
    flat_idx = idx.reshape(*lead, -1)
    data = flat_idx._data
    bad = np.asarray(data.get() if hasattr(data, "get") else data)
    if bad.size and (bad.min() < 0 or bad.max() >= total):
        raise RuntimeError(f"{name}: Found an invalid max index: {int(bad.max())} (output "
                           f"volumes are of size {'x'.join(map(str, out_hw))})")
    canvas = ag.zeros((*lead, total), dtype=input.dtype, device=input.device)
    out = canvas.scatter(len(lead), flat_idx, input.reshape(*lead, -1))
    return out.reshape(*lead, *out_hw)


def max_unpool1d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """(N, C, L) or (C, L) values of ``max_pool1d(..., return_indices=True)`` → (…, L_out)."""
    k = _tuple(kernel_size, 1)
    s = _tuple(stride, 1) if stride is not None else k
    p = _tuple(padding, 1)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"max_unpool1d: Expected 2D or 3D input, got {input.ndim}D")
    return _unpool(input, indices, _output_size(input, k, s, p, output_size), "max_unpool1d")


def max_unpool2d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """(N, C, H, W) or (C, H, W) values of ``max_pool2d(..., return_indices=True)`` →
    (…, H_out, W_out)."""
    k = _tuple(kernel_size, 2)
    s = _tuple(stride, 2) if stride is not None else k
    p = _tuple(padding, 2)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"max_unpool2d: Expected 3D or 4D input, but got: "
                           f"{list(input.shape)}")
    return _unpool(input, indices, _output_size(input, k, s, p, output_size), "max_unpool2d")
