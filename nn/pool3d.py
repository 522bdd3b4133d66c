"""``F.max_pool3d`` and ``F.avg_pool3d``, separable compositions of the 2-D pools: the
(H, W) windows of every depth slice first, then the depth windows, done as a 2-D pool
with a (k_D, 1) window over (N·C, 1, D, H_out·W_out). Max and box sums factor over the
axes, and so do torch's divisors (each axis's own count of the window's elements inside
the input or its padding), so values, indices and gradients are torch's.
"""

from __future__ import annotations

from typing import Any

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import Away
from autograd.ops.pool import adaptive_max_pool2d, avg_pool2d, max_pool2d
from autograd.ops.window import ntuple
from autograd.tensor import Tensor

__all__ = ["adaptive_max_pool3d", "avg_pool3d", "lp_pool3d", "max_pool3d"]


def _prep(input: Tensor, name: str) -> tuple:
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{name}: expected a 4D or 5D input, got {list(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == 4 else input
    return x, x.shape


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """Max over kD×kH×kW windows: (N, C, D, H, W) or (C, D, H, W) → (…, D_out, H_out,
    W_out); with ``return_indices`` also each max's flat index into D·H·W."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("max_pool3d", max_pool3d, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)
    k = ntuple(kernel_size, 3, "kernel_size", "max_pool3d")
    s = k if stride is None or stride == [] else ntuple(stride, 3, "stride", "max_pool3d")
    p = ntuple(padding, 3, "padding", "max_pool3d")
    d = ntuple(dilation, 3, "dilation", "max_pool3d")
    x, (n, c, depth, h, w) = _prep(input, "max_pool3d")
    planes = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, h, w)
    first = max_pool2d(planes, k[1:], s[1:], p[1:], d[1:], ceil_mode, return_indices)
    y1, i1 = first if return_indices else (first, None)
    ho, wo = y1.shape[2:]
    cols = y1.reshape(n, depth, c, ho * wo).permute(0, 2, 1, 3).reshape(n * c, 1, depth,
                                                                         ho * wo)
    second = max_pool2d(cols, (k[0], 1), (s[0], 1), (p[0], 0), (d[0], 1), ceil_mode,
                        return_indices)
    y2, i2 = second if return_indices else (second, None)
    return _finish(input, y2, i1, i2, (n, c, depth, h, w), (ho, wo), return_indices)


def _finish(input: Tensor, y2: Tensor, i1: Any, i2: Any, shape: tuple, hw_out: tuple,
            return_indices: bool) -> Any:
    """The (…, D_out, H_out, W_out) result of the two stages, and with ``return_indices``
    each max's flat index into D·H·W: the depth stage's index (into D × H_out·W_out) picks
    the depth and the slice whose own (H·W) index the first stage kept."""
    n, c, depth, h, w = shape
    ho, wo = hw_out
    do = y2.shape[2]
    out = y2.reshape(n, c, do, ho, wo)
    out = out.squeeze(0) if input.ndim == 4 else out
    if not return_indices:
        return out
    di = i2._data.reshape(n, c, do, ho * wo) // (ho * wo)
    col = i2._data.reshape(n, c, do, ho * wo) % (ho * wo)
    plane = i1._data.reshape(n, depth, c, ho * wo).transpose(0, 2, 1, 3)  # (n, c, D, HoWo)
    idx = (di * (h * w) + plane[_grid(plane, n, c, do, ho * wo, di, col)]).reshape(
        n, c, do, ho, wo)
    return out, Tensor._const(idx[0] if input.ndim == 4 else idx)


def _grid(plane: Any, n: int, c: int, do: int, m: int, di: Any, col: Any) -> tuple:
    from autograd.backend import xp_of

    xp = xp_of(plane)
    nn_ = xp.arange(n).reshape(n, 1, 1, 1)
    cc = xp.arange(c).reshape(1, c, 1, 1)
    return (xp.broadcast_to(nn_, di.shape), xp.broadcast_to(cc, di.shape), di, col)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over kD×kH×kW windows: (N, C, D, H, W) or (C, D, H, W) → (…, D_out, H_out,
    W_out); padded zeros counted unless ``count_include_pad=False``; ``divisor_override``
    replaces the divisor."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("avg_pool3d", avg_pool3d, input, kernel_size, stride, padding,
                     ceil_mode, count_include_pad, divisor_override)
    k = ntuple(kernel_size, 3, "kernel_size", "avg_pool3d")
    s = k if stride is None or stride == [] else ntuple(stride, 3, "stride", "avg_pool3d")
    p = ntuple(padding, 3, "padding", "avg_pool3d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, (n, c, depth, h, w) = _prep(input, "avg_pool3d")
    planes = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, h, w)
    sums = divisor_override is not None  # box sums, one divisor at the end
    y1 = avg_pool2d(planes, k[1:], s[1:], p[1:], ceil_mode, count_include_pad,
                    1 if sums else None)
    ho, wo = y1.shape[2:]
    cols = y1.reshape(n, depth, c, ho * wo).permute(0, 2, 1, 3).reshape(n * c, 1, depth,
                                                                         ho * wo)
    y2 = avg_pool2d(cols, (k[0], 1), (s[0], 1), (p[0], 0), ceil_mode, count_include_pad,
                    1 if sums else None)
    out = y2.reshape(n, c, y2.shape[2], ho, wo)
    if sums:
        out = out / divisor_override
    return out.squeeze(0) if input.ndim == 4 else out


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive bins (torch's [⌊i·n/n_out⌋, ⌈(i + 1)·n/n_out⌉) per axis; None keeps
    an axis): (N, C, D, H, W) or (C, D, H, W) → (…, D_out, H_out, W_out)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("adaptive_max_pool3d", adaptive_max_pool3d, input, output_size,
                     return_indices)
    x, (n, c, depth, h, w) = _prep(input, "adaptive_max_pool3d")
    size = list(output_size) if isinstance(output_size, list | tuple) else [output_size] * 3
    if len(size) != 3:
        raise ValueError(f"adaptive_max_pool3d: output_size must be an int or 3 ints, got "
                         f"{output_size!r}")
    size = [d if s is None else int(s) for s, d in zip(size, (depth, h, w))]
    planes = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, h, w)
    first = adaptive_max_pool2d(planes, size[1:], return_indices)
    y1, i1 = first if return_indices else (first, None)
    ho, wo = y1.shape[2:]
    cols = y1.reshape(n, depth, c, ho * wo).permute(0, 2, 1, 3).reshape(n * c, 1, depth,
                                                                         ho * wo)
    second = adaptive_max_pool2d(cols, (size[0], ho * wo), return_indices)
    y2, i2 = second if return_indices else (second, None)
    return _finish(input, y2, i1, i2, (n, c, depth, h, w), (ho, wo), return_indices)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(Σ_window xᵖ)^(1/p) over kD×kH×kW windows, torch's formula:
    (sign(a)·relu(|a|)·kD·kH·kW)^(1/p), a the window average of xᵖ."""
    import autograd as ag

    k = ntuple(kernel_size, 3, "kernel_size", "lp_pool3d")
    if norm_type == float("inf"):
        return max_pool3d(ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool3d(-ag.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool3d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return (ag.sign(out) * ag.relu(ag.abs(out)) * (k[0] * k[1] * k[2])) ** (1.0 / norm_type)
