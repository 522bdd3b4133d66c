"""``F.interpolate`` and the adaptive pools. Interpolation and adaptive averages, with
torch's exact coordinate maps, are separable passes of the resampling primitive
(``autograd/ops/resample.py``), the last spatial axis first (the order torch's kernels
combine their terms in).

Per axis, for output index o of an axis resized from ``n_in`` to ``n_out``:

* nearest: src = min(⌊o·s⌋, n_in − 1); nearest-exact: min(⌊(o + ½)·s⌋, n_in − 1); s is
  1/scale_factor when a scale factor is given (and not recomputed), else n_in/n_out,
  in float32 as torch's kernel computes it.
* linear (align_corners=False): src = max(s·(o + ½) − ½, 0); (True): src = o·(n_in − 1)/
  (n_out − 1); taps ⌊src⌋ and ⌊src⌋ + 1 (clamped), weights 1 − λ and λ = src − ⌊src⌋.
* cubic: the same src without the clamp, four taps ⌊src⌋ − 1 … ⌊src⌋ + 2 (clamped to the
  edge) with Keys' cubic convolution weights, A = −0.75.
* adaptive average (and mode 'area'): bin o is [⌊o·n_in/n_out⌋, ⌈(o + 1)·n_in/n_out⌉),
  each entry weighted 1/(bin size).

Adaptive max pooling (the same bins, not separable) is its own primitive in
``autograd/ops/pool.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.errors import ShapeError
from autograd.graph import Away
from autograd.ops.pool import adaptive_bins
from autograd.ops.pool import adaptive_max_pool2d as _adaptive_max_pool2d
from autograd.ops.resample import make_taps, resample
from autograd.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "interpolate",
]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_NEEDS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_CUBIC_A = -0.75


def _opmath(dtype: np.dtype) -> type:
    return np.float32 if np.dtype(dtype).itemsize <= 4 else np.float64


def _scale(n_in: int, n_out: int, scale: float | None, align_corners: bool, ct: type) -> Any:
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return ct((n_in - 1) / (n_out - 1)) if n_out > 1 else ct(0)
    return ct(1.0 / scale) if scale is not None and scale > 0 else ct(n_in) / ct(n_out)


def _nearest(n_in: int, n_out: int, scale: float | None, exact: bool,
             shortcut: bool = True) -> np.ndarray:
    o = np.arange(n_out)
    # torch's nearest_idx copies (n_out = n_in) or halves (n_out = 2·n_in) whatever the
    # scale factor; its 1-D and 3-D forward kernels skip these shortcuts, so a given scale
    # of 1.1 or 2.1 maps o to ⌊o/scale⌋ there (``shortcut`` False) and not in 2-D
    if (shortcut or scale is None) and not exact:
        if n_out == n_in:
            return o
        if n_out == 2 * n_in:
            return o >> 1
    s = _scale(n_in, n_out, scale, False, np.float32)
    src = (o.astype(np.float32) + np.float32(0.5)) * s if exact else o.astype(np.float32) * s
    return np.minimum(np.floor(src).astype(np.int64), n_in - 1)


def _linear(n_in: int, n_out: int, scale: float | None, align: bool, ct: type) -> tuple:
    s = _scale(n_in, n_out, scale, align, ct)
    o = np.arange(n_out).astype(ct)
    src = o * s if align else np.maximum(s * (o + ct(0.5)) - ct(0.5), ct(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(ct), ct(0), ct(1))
    i1 = i0 + (i0 < n_in - 1)
    return np.stack([i0, i1]), np.stack([ct(1) - lam, lam])


def _cubic(n_in: int, n_out: int, scale: float | None, align: bool, ct: type) -> tuple:
    s = _scale(n_in, n_out, scale, align, ct)
    o = np.arange(n_out).astype(ct)
    src = o * s if align else s * (o + ct(0.5)) - ct(0.5)
    i0 = np.floor(src).astype(np.int64)
    t = src - i0.astype(ct)
    a = ct(_CUBIC_A)

    def conv1(x: np.ndarray) -> np.ndarray:  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    w = np.stack([conv2(t + 1), conv1(t), conv1(1 - t), conv2(2 - t)])
    idx = np.clip(i0[None] + np.arange(-1, 3)[:, None], 0, n_in - 1)
    return idx, w.astype(ct)


def _aa_filter(x: np.ndarray, mode: str) -> np.ndarray:
    """torch's antialias filters: the triangle (bilinear) or Keys' cubic with a = −0.5."""
    x = np.abs(x)
    if mode == "bilinear":
        return np.maximum(1 - x, 0)
    a = -0.5
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0))


def _antialias(n_in: int, n_out: int, scale: float | None, align: bool, mode: str,
               ct: type) -> tuple:
    """torch's _compute_weights_aa: output o reads inputs [xmin, xmin + xsize) around
    center = s·(o + ½), the filter stretched by s when downsampling (s ≥ 1), the weights
    normalised to sum 1; padded to the widest window with weight-0 taps."""
    s = _scale(n_in, n_out, scale, align, ct)
    interp = 2 if mode == "bilinear" else 4
    support = ct(interp * 0.5) * s if s >= 1 else ct(interp * 0.5)
    inv = ct(1) / s if s >= 1 else ct(1)
    center = s * (np.arange(n_out).astype(ct) + ct(0.5))
    xmin = np.maximum((center - support + ct(0.5)).astype(np.int64), 0)
    xsize = np.minimum((center + support + ct(0.5)).astype(np.int64), n_in) - xmin
    taps = int(xsize.max()) if n_out else 1
    j = np.arange(taps)[:, None]
    w = _aa_filter(((j + xmin[None, :]).astype(ct) - center[None, :] + ct(0.5)) * inv,
                   mode).astype(ct)
    w = np.where(j < xsize[None, :], w, 0)
    total = w.sum(0, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w)
    idx = np.minimum(j + xmin[None, :], n_in - 1)
    return idx, w


def _resize(input: Tensor, sizes: list, scales: list, mode: str, align: bool,
            antialias: bool = False) -> Tensor:
    x = input
    ct = _opmath(input.dtype)
    lead = input.ndim - len(sizes)
    for ax in reversed(range(len(sizes))):
        axis, n_in, n_out, s = lead + ax, input.shape[lead + ax], sizes[ax], scales[ax]
        if antialias:
            taps = make_taps(axis, n_in, *_antialias(n_in, n_out, s, align, mode, ct))
        elif mode in ("nearest", "nearest-exact"):
            taps = make_taps(axis, n_in, _nearest(n_in, n_out, s, mode == "nearest-exact",
                                                  shortcut=len(sizes) == 2))
        elif mode == "area":
            taps = make_taps(axis, n_in, *adaptive_bins(n_in, n_out))
        elif mode == "bicubic":
            taps = make_taps(axis, n_in, *_cubic(n_in, n_out, s, align, ct))
        else:
            taps = make_taps(axis, n_in, *_linear(n_in, n_out, s, align, ct))
        x = resample(x, taps)
    return x


def _spatial(value: Any, dim: int, what: str, input: Tensor) -> list | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        return [value] * dim
    if len(value) != dim:
        have = list(input.shape[2:])
        if what == "size":
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {have} and output size of {value}. Please "
                f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                f"(o1, o2, ...,oK) format.")
        raise ValueError(
            f"Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {have} and scale_factor of shape {value}. Please "
            f"provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
            f"(s1, s2, ...,sK) format.")
    return list(value)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) to ``size``,
    or to ⌊n·scale_factor⌋ per axis. Modes: 'nearest', 'nearest-exact', 'linear' (3-D),
    'bilinear' / 'bicubic' (4-D), 'trilinear' (5-D), 'area' (adaptive average pooling);
    torch's coordinate maps exactly (module docstring)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("interpolate", interpolate, input, size, scale_factor, mode,
                            align_corners, recompute_scale_factor, antialias)
    if mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    align = bool(align_corners)
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    dim = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    # torch's order: a size/scale_factor of the wrong length is a ValueError before the
    # input's rank is checked against the mode
    sizes = _spatial(size, dim, "size", input)
    scales = _spatial(scale_factor, dim, "scale_factor", input)
    if dim not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in _NEEDS and input.ndim != _NEEDS[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode]}D input")
    if sizes is None:
        scales = [float(s) for s in scales]
        sizes = [int(math.floor(float(n) * s)) for n, s in zip(input.shape[2:], scales)]
        if recompute_scale_factor:
            scales = [None] * dim
    else:
        sizes = [int(s) for s in sizes]
        scales = [None] * dim
    if mode == "area":  # torch: adaptive average pooling, where an empty output is valid
        return _adaptive_avg(input, sizes, dim, "interpolate")
    if min(sizes) <= 0 or min(input.shape[2:]) <= 0:
        raise ShapeError(f"interpolate: input and output sizes should be greater than 0, but "
                         f"got input {tuple(input.shape[2:])} and output {tuple(sizes)}")
    return _resize(input, sizes, scales, mode, align, antialias)


def _adaptive_avg(input: Tensor, output_size: Any, nd: int, name: str) -> Tensor:
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name}: expected a {nd + 1}-D or {nd + 2}-D input, got input of "
                         f"shape {tuple(input.shape)}")
    sizes = list(output_size) if isinstance(output_size, list | tuple) else [output_size] * nd
    if len(sizes) != nd:
        raise ValueError(f"{name}: output_size must be an int or {nd} ints, got {output_size!r}")
    spatial = input.shape[-nd:]
    sizes = [spatial[i] if s is None else int(s) for i, s in enumerate(sizes)]
    if min(sizes) < 0 or min(spatial) <= 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0"
                           f" and the input non-empty, got output_size {tuple(sizes)} for input "
                           f"of shape {tuple(input.shape)}")
    out = _resize(input, [max(s, 1) for s in sizes], [None] * nd, "area", False)
    if 0 in sizes:  # torch's empty output (still in the graph): narrow the zero-size axes
        lead = input.ndim - nd
        out = out[(slice(None),) * lead + tuple(slice(0, s) for s in sizes)]
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, L) or (C, L) → (..., L_out): the mean of each adaptive bin."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, H, W) or (C, H, W) → (..., H_out, W_out): the mean of each adaptive bin
    (``None`` in ``output_size`` keeps that axis)."""
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, D, H, W) or (C, D, H, W) → (..., D_out, H_out, W_out)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("adaptive_avg_pool3d", adaptive_avg_pool3d, input, output_size)
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """(N, C, H, W) or (C, H, W) → (..., H_out, W_out): the max of each adaptive bin (and,
    with ``return_indices``, torch's flat indices of the maxima)."""
    return _adaptive_max_pool2d(input, output_size, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """(N, C, L) or (C, L) → (..., L_out): the max of each adaptive bin (and, with
    ``return_indices``, the index of each max along L)."""
    if input.ndim not in (2, 3):
        raise ValueError(f"adaptive_max_pool1d: expected a 2-D or 3-D input, got input of "
                         f"shape {tuple(input.shape)}")
    size = output_size[0] if isinstance(output_size, list | tuple) else output_size
    x4 = input.unsqueeze(-2)
    out = _adaptive_max_pool2d(x4, (1, size), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
