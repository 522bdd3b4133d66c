"""``F.fractional_max_pool2d`` / ``fractional_max_pool3d`` (Graham, 2014), as torch 2.13's
CPU kernel: max pooling over pseudo-random windows.

Along a spatial axis of size n pooled to m outputs with kernel k, one sample u ∈ [0, 1) per
(batch, channel) places the windows: with α = (n − k)/(m − 1), the i-th window starts at

    ⌊(i + u)·α⌋ − ⌊u·α⌋   (i < m − 1),   n − k  (the last one),

computed in the input's dtype (float32 rounding for float32 input, as torch's kernel).
``_random_samples`` (N, C, d) holds u per axis in torch's order (2-d: (W, H); 3-d: (T, H, W));
without it they are drawn from the engine's generator (``ag.rand``). Each output is the
window's first maximum (a NaN wins, the last one); the indices are flat per plane
(h·W + w, or t·H·W + h·W + w). The output is a ``gather`` of the input at those indices,
so the gradient (scatter-added, as torch's) and its derivatives are the engine's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import follow, to_host
from autograd.graph import Away
from autograd.promotion import torch_name
from autograd.tensor import Tensor

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(v: Any, d: int) -> tuple:
    return tuple(v) if isinstance(v, list | tuple) else (v,) * d


def _starts(u: np.ndarray, n: int, m: int, k: int) -> np.ndarray:
    """Window starts (P, m) for samples ``u`` (P,) in their dtype (torch's
    generate_intervals)."""
    dt = u.dtype.type
    seq = np.empty((u.shape[0], m), dtype=np.int64)
    if m > 1:
        alpha = dt(n - k) / dt(m - 1)
        i = np.arange(m - 1, dtype=u.dtype)[None, :]
        seq[:, :-1] = (((i + u[:, None]) * alpha).astype(np.int64)
                       - (u[:, None] * alpha).astype(np.int64))
    if m > 0:
        seq[:, -1] = n - k
    return seq


def _pool(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
          samples: Any, d: int) -> tuple:
    name = f"fractional_max_pool{d}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # torch's 2-d form takes len() of the ratio (a bare float raises TypeError there);
        # its 3-d form takes any ratio and reads the first three
        if d == 2 and len(output_ratio) > d:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or "
                             f"tuple of Ints.")
        ratio = _tuple(output_ratio, d)
        output_size = [int(input.shape[-d + i] * ratio[i]) for i in range(d)]
    if samples is None:
        n_batch = 1 if input.ndim == d + 1 else input.shape[0]
        samples = ag.rand(n_batch, input.shape[-d - 1], d, dtype=input.dtype)
    kernel, out = _tuple(kernel_size, d), _tuple(output_size, d)
    tuple_of = "Ints" if d == 2 else "three Ints"
    if len(kernel) != d:
        raise RuntimeError(f"{name}: kernel_size must either be a single Int or tuple of "
                           f"{tuple_of}")
    if len(out) != d:
        raise RuntimeError(f"{name}: output_size must either be a single Int or tuple of "
                           f"{tuple_of}")
    where = f"{name}()" if d == 2 else f"{name}_out()"
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{where}: Expected {d + 1}D or {d + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(input.shape)} with dimension {i} "
                               f"being empty.")
    spatial = input.shape[-d:]
    if min(kernel) <= 0:  # torch's kernel returns −inf windows here: no answer to follow
        raise RuntimeError(f"{name}(): kernel_size must be positive, got {kernel}")
    # torch 2.13's 3-d check is strict (m + k − 1 < n) and looks at time, width, height
    # in that order; its 2-d check is m + k − 1 ≤ n, height first
    for a in ((0, 1) if d == 2 else (0, 2, 1)):
        ax, n, m, k = _AXES[d][a], spatial[a], out[a], kernel[a]
        if m + k - 1 > n - (d == 3):
            raise RuntimeError(f"{where}: pool {ax} {k} too large relative to input {ax} {n}")
    s = to_host(samples._data if isinstance(samples, Tensor) else np.asarray(samples))
    batched = input.ndim == d + 2
    x = input if batched else input.unsqueeze(0)
    n_b, c = x.shape[:2]
    if s.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {s.ndim}")
    if s.shape[0] < n_b:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if s.shape[1] != c:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if s.shape[2] != d:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {d}; got {s.shape[2]}.")
    if s.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_out_frame" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    s = s[:n_b].reshape(n_b * c, d)
    # torch's sample order: 2-d (W, H), 3-d (T, H, W); per axis of (H, W) / (T, H, W)
    order = (1, 0) if d == 2 else (0, 1, 2)
    starts = [_starts(s[:, order[a]], spatial[a], out[a], kernel[a]) for a in range(d)]
    plane = int(np.prod(spatial))
    idx = _windows(to_host(x._data).reshape(n_b * c, plane), starts, spatial, kernel)
    idx = idx.reshape((n_b, c) + tuple(out))
    n_out = int(np.prod(out))
    idx = follow(idx, x._data)  # the indices live where the input does, as torch's
    values = x.reshape(n_b, c, plane).gather(2, Tensor._const(idx.reshape(n_b, c, n_out)))
    values = values.reshape((n_b, c) + tuple(out))
    if not batched:
        values, idx = values.squeeze(0), idx[0]
    return values, Tensor._const(idx)


def _windows(planes: np.ndarray, starts: list, spatial: tuple, kernel: tuple) -> np.ndarray:
    """Each window's flat maximum index (P, *out) (first maximum; a NaN wins, the last one)
    for ``planes`` (P, prod(spatial)) and per-axis window starts [(P, m_a)]."""
    d = len(spatial)
    strides = [int(np.prod(spatial[a + 1:])) for a in range(d)]
    # flat offset of every (window, tap): Σ_a (start_a + tap_a)·stride_a, broadcast so that
    # the dims are (P, m_0, …, m_{d−1}, k_0, …, k_{d−1}) (torch scans taps in that order)
    flat = 0
    p = planes.shape[0]
    for a in range(d):
        pos = (starts[a][:, :, None] + np.arange(kernel[a])[None, None, :]) * strides[a]
        shape = [p] + [1] * (2 * d)
        shape[1 + a], shape[1 + d + a] = pos.shape[1], kernel[a]
        flat = flat + pos.reshape(shape)
    flat = np.broadcast_to(flat, flat.shape[:1 + d] + tuple(kernel))
    flat = flat.reshape(flat.shape[:1 + d] + (int(np.prod(kernel)),))  # (P, *out, K)
    per_plane = int(np.prod(flat.shape[1:]))
    vals = np.take_along_axis(planes, flat.reshape(p, per_plane), 1).reshape(flat.shape)
    nan = np.isnan(vals)
    k = vals.shape[-1]
    pick = np.where(nan.any(-1), k - 1 - np.argmax(nan[..., ::-1], -1),
                    np.argmax(np.where(nan, -np.inf, vals), -1))
    return np.take_along_axis(flat, pick[..., None], -1)[..., 0]


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple:
    """(values, indices) of fractional max pooling of (N, C, H, W) or (C, H, W)."""
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """Fractional max pooling of (N, C, H, W) or (C, H, W) to ``output_size`` (or
    ⌊ratio·size⌋); with ``return_indices`` also the flat per-plane indices (int64)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("fractional_max_pool2d", fractional_max_pool2d, input, kernel_size,
                     output_size, output_ratio, return_indices, _random_samples)
    out = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return out if return_indices else out[0]


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple:
    """(values, indices) of fractional max pooling of (N, C, T, H, W) or (C, T, H, W)."""
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) (see the 2-d form)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("fractional_max_pool3d", fractional_max_pool3d, input, kernel_size,
                     output_size, output_ratio, return_indices, _random_samples)
    out = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return out if return_indices else out[0]
