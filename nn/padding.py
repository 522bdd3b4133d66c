"""``F.pad`` with torch's argument order and modes.

``pad`` lists (before, after) pairs from the LAST axis backwards: ``(left, right)`` pads
the last axis, ``(left, right, top, bottom)`` the last two, and so on. Modes:

* 'constant': ``value`` outside (negative widths crop), the engine's constant pad;
* 'reflect': mirror without repeating the edge (…, x2, x1 | x0, x1, x2, …), width < n;
* 'replicate': repeat the edge value;
* 'circular': wrap around (width ≤ n; with a negative width, around the cropped core).

The non-constant modes are one gather per padded axis (the resampling primitive,
``autograd/ops/resample.py``, with one tap): output j of an axis reads source j − before,
mapped back into [0, n) by the mode; the gradient scatters back by the same map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.ops.resample import make_taps, resample
from autograd.tensor import Tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Source index of each output position along one axis."""
    src = np.arange(-before, n + after)
    if mode == "reflect":
        src = np.abs(src)
        return np.where(src > n - 1, 2 * (n - 1) - src, src)
    if mode == "replicate":
        return np.clip(src, 0, n - 1)
    # circular: torch wraps the cropped core (negative widths crop first)
    c0, c1 = max(-before, 0), n - max(-after, 0)
    return c0 + (np.arange(-max(before, 0), c1 - c0 + max(after, 0)) % (c1 - c0))


def _check_width(n: int, before: int, after: int, mode: str, axis: int, shape: tuple,
                 arg: int) -> None:
    if n + before + after <= 0 or n == 0:
        raise RuntimeError(f"pad: input of shape {list(shape)} padded by ({before}, {after}) "
                           f"at dimension {axis} leaves no elements (mode {mode!r})")
    if mode == "reflect" and (before >= n or after >= n):
        raise RuntimeError(f"Argument #{arg}: Padding size should be less than the "
                           f"corresponding input dimension, but got: padding ({before}, "
                           f"{after}) at dimension {axis} of input {list(shape)}")
    if mode == "circular" and (before > n or after > n):
        raise RuntimeError(f"Padding value causes wrapping around more than once: padding "
                           f"({before}, {after}) at dimension {axis} of input {list(shape)}")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)/2 axes of ``input``; ``pad`` = (last_before, last_after,
    second_last_before, …) as torch. Differentiable in every mode."""
    widths = [int(p) for p in pad]
    shape = tuple(input.shape)
    if len(widths) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(widths) // 2
    if k > len(shape):
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(widths)} and input "
                           f"of dimension {len(shape)}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pairs = [(len(shape) - 1 - i, widths[2 * i], widths[2 * i + 1]) for i in range(k)]
    if mode == "constant":
        return _constant(input, pairs, 0.0 if value is None else value)
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (len(shape) - 1 <= k + 1 <= len(shape) and 1 <= k <= 3):
        raise NotImplementedError(
            f"Padding size {len(widths)} is not supported for {len(shape)}D input tensor.\n"
            f"Supported combinations for non-constant padding:\n"
            f"  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            f"  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            f"  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    for i, (axis, before, after) in enumerate(pairs):
        n = shape[axis]
        _check_width(n, before, after, mode, axis, shape, 4 + 2 * i)
        if before or after:
            out = resample(out, make_taps(axis, n, _source(n, before, after, mode)))
    return out


def _constant(input: Tensor, pairs: list, value: float) -> Tensor:
    """Crop the negative widths (a slice), then pad the positive ones with ``value``."""
    shape = tuple(input.shape)
    crop = [slice(None)] * len(shape)
    grow = [(0, 0)] * len(shape)
    for axis, before, after in pairs:
        n = shape[axis]
        if n + before + after < 0:
            raise RuntimeError(f"pad: the resulting size of dimension {axis} would be "
                               f"{n + before + after} (input of shape {list(shape)})")
        if before < 0 or after < 0:
            crop[axis] = slice(max(-before, 0), n - max(-after, 0))
        grow[axis] = (max(before, 0), max(after, 0))
    out = input
    if any(s != slice(None) for s in crop):
        out = out[tuple(crop)]
    if any(g != (0, 0) for g in grow):
        out = ag.pad(out, grow, value=value)
    return out
