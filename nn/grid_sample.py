"""``F.affine_grid`` and ``F.grid_sample`` (4-D: spatial transformer networks), torch's
coordinate rules, composed from differentiable ops so both the input and the grid get
torch's gradients.

A grid entry (x, y) ∈ [−1, 1] maps to the input pixel ((x + 1)/2)(W − 1) with
``align_corners`` (the corner pixels' centres), else ((x + 1)W − 1)/2 (their outer
edges). ``padding_mode`` 'border' clamps the coordinate, 'reflection' reflects it about
the borders (its gradient changes sign on each reflection) then clamps; 'zeros' reads 0
outside. 'bilinear' blends the four neighbours, 'nearest' reads the nearest (half to even).
"""

from __future__ import annotations

from typing import Any

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away
from autograd.tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """(N, 2, 3) affine matrices and size (N, C, H, W) → the (N, H, W, 2) sampling grid
    θ·(x, y, 1) over the output's normalised pixel coordinates."""
    align = bool(align_corners)
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{list(size)}. Got {list(theta.shape)}.")
    if len(size) != 4:
        raise NotImplementedError("affine_grid only supports 4D sizes, for 2D affine "
                                  "transformations here.")
    n, _, h, w = (int(v) for v in size)
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size)}")
    xp = xp_of(theta._data)

    def axis(m: int) -> Any:
        if m <= 1:
            return xp.zeros(m, dtype=theta.dtype)
        v = xp.linspace(-1, 1, m, dtype=theta.dtype)
        return v if align else v * (m - 1) / m

    base = xp.ones((h, w, 3), dtype=theta.dtype)
    base[..., 0] = axis(w)[None, :]
    base[..., 1] = axis(h)[:, None]
    grid = ag.matmul(Tensor._const(base.reshape(1, h * w, 3)), theta.transpose(1, 2))
    return grid.reshape(n, h, w, 2)


def _source(coord: Tensor, size: int, padding_mode: str, align: bool) -> Tensor:
    """torch's grid_sampler_compute_source_index for one axis."""
    x = ((coord + 1) / 2) * (size - 1) if align else ((coord + 1) * size - 1) / 2
    if padding_mode == "border":
        return _clip(x, size)
    if padding_mode == "reflection":
        lo, hi = (0.0, 2.0 * (size - 1)) if align else (-1.0, 2.0 * size - 1)
        d = x._data
        xp = xp_of(d)
        if hi == lo:
            r, sign = xp.zeros_like(d), xp.zeros_like(d)
        else:
            mn, span = lo / 2, (hi - lo) / 2
            a = d - mn
            sign0 = xp.where(a < 0, -1.0, 1.0)
            a = xp.abs(a)
            extra = xp.fmod(a, span)
            even = xp.floor(a / span) % 2 == 0
            r = xp.where(even, extra + mn, span - extra + mn)
            sign = xp.where(even, sign0, -sign0)
        sign = sign.astype(d.dtype)
        x = x * Tensor._const(sign) + Tensor._const((r - d * sign).astype(d.dtype))
        return _clip(x, size)
    return x


def _clip(x: Tensor, size: int) -> Tensor:
    """min(max(x, 0), size − 1) with torch's clip_coordinates_set_grad: the gradient
    passes only strictly inside (0, size − 1), so it is 0 on the border itself."""
    d = x._data
    xp = xp_of(d)
    inside = ((d > 0) & (d < size - 1)).astype(d.dtype)
    return x * Tensor._const(inside) + Tensor._const(
        (xp.clip(d, 0, size - 1) - d * inside).astype(d.dtype))


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample (N, C, H, W) at the (N, H_out, W_out, 2) grid → (N, C, H_out, W_out)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("grid_sample", grid_sample, input, grid, mode, padding_mode,
                            align_corners)
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode={mode!r} is not supported here "
                                  f"('bilinear', 'nearest')")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or \
            grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sample: expected input (N, C, H, W) and grid (N, H_out, "
                           f"W_out, 2), got {list(input.shape)} and {list(grid.shape)}")
    align = bool(align_corners)
    n, c, h, w = input.shape
    ho, wo = grid.shape[1:3]
    ix = _source(grid[..., 0], w, padding_mode, align)
    iy = _source(grid[..., 1], h, padding_mode, align)
    flat = input.reshape(n, c, h * w)
    xp = xp_of(ix._data)

    def read(yy: Any, xx: Any) -> Tensor:
        inside = (xx >= 0) & (xx <= w - 1) & (yy >= 0) & (yy <= h - 1)
        k = (xp.clip(yy, 0, h - 1) * w + xp.clip(xx, 0, w - 1)).astype(xp.int64)
        k = xp.broadcast_to(k.reshape(n, 1, ho * wo), (n, c, ho * wo))
        v = ag.gather(flat, 2, Tensor._const(xp.ascontiguousarray(k)))
        return v * Tensor._const(inside.reshape(n, 1, ho * wo).astype(input.dtype))

    if mode == "nearest":
        out = read(xp.rint(iy._data), xp.rint(ix._data))  # nearbyint: half to even
        # the grid gets torch's zero gradient (not none): a where that never picks it
        never = xp.zeros((n, 1, ho * wo), dtype=bool)
        out = out + ag.where(Tensor._const(never), (ix + iy).reshape(n, 1, ho * wo), 0.0)
        return out.reshape(n, c, ho, wo)
    x0, y0 = xp.floor(ix._data), xp.floor(iy._data)
    wx1 = (ix - Tensor._const(x0)).reshape(n, 1, ho * wo)
    wy1 = (iy - Tensor._const(y0)).reshape(n, 1, ho * wo)
    wx0, wy0 = 1 - wx1, 1 - wy1
    out = (read(y0, x0) * (wx0 * wy0) + read(y0, x0 + 1) * (wx1 * wy0)
           + read(y0 + 1, x0) * (wx0 * wy1) + read(y0 + 1, x0 + 1) * (wx1 * wy1))
    return out.reshape(n, c, ho, wo)

