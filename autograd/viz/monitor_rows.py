"""The rows behind :class:`~autograd.viz.monitor.Monitor`: where each subsample lies in
a recorded step's row, and how a block of rows becomes sums.

A recorded step costs one ``np.concatenate``: the subsamples of the watched layers'
outputs (L segments), the gradients at those outputs (L), the parameters' gradients (P)
and values (P) are copied, in that order, into the next row of a preallocated float64
block; the last P segments of the row (the update) are left for later. When the block
is full, or the history is read, all its rows are reduced at once, in a few calls
whatever their number: the updates (each row's values minus the row above, or minus the
values copied before the step when ``every > 1``), every segment's sum and sum of
squares, and each flagged layer's saturated count. Every segment is padded with zeros
to whole chunks of :data:`CHUNK` values, so that one matrix-vector product gives every
chunk's sum and one batched dot product every chunk's sum of squares (the BLAS, in
float64), and one ``np.add.reduceat`` over the chunks gives the segments'.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["CHUNK", "SATURATION", "RowLayout", "reduce_rows", "statistics", "subsample_plan"]

# |tanh| beyond this is "saturated" (tanh' = 1 - t^2 < 0.06: the gradient barely passes);
# a sigmoid output is saturated within 1 - SATURATION of 0 or 1 (sigma' = s(1-s) < 0.03).
SATURATION = 0.97
# Values per chunk (segments are padded with zeros to whole chunks).
CHUNK = 64
# The most rows a block holds, and the most bytes: the rows of a step are written once and
# reduced together; a bigger block saves calls but takes the training step's cache.
BLOCK_ROWS = 32
BLOCK_BYTES = 4 << 20


def subsample_plan(shape: tuple, sample: int) -> tuple[slice | None, bool]:
    """How to take at most ``sample`` values of an array of ``shape``: ``(part, flat)``.

    ``part`` is None when the array has at most ``sample`` values (it is used whole);
    otherwise every r-th row (``part = slice(None, None, r)``, ``flat`` False: whole rows,
    every unit is seen) when at least 4 rows fit in ``sample``, r the smallest that
    keeps at most ``sample`` values; else every s-th value of the flattened array
    (``flat`` True), s = ceil(size / sample) raised until coprime with the last
    dimension (so the columns all come round). Fixed strides: runs are reproducible."""
    n = math.prod(shape)
    if n <= sample:
        return None, False
    row = n // shape[0] if shape else 1
    if len(shape) >= 2 and 4 * row <= sample:
        return slice(None, None, -(-shape[0] // (sample // row))), False
    s = -(-n // sample)
    last = int(shape[-1]) if shape else 1
    while math.gcd(s, last) > 1:
        s += 1
    return slice(None, None, s), True


def _kept(shape: tuple, plan: tuple[slice | None, bool]) -> int:
    n = math.prod(shape)
    part, flat = plan
    if part is None:
        return n
    if flat:
        return len(range(n)[part])
    return len(range(shape[0])[part]) * (n // shape[0])


class RowLayout:
    """The segments of a row for one set of source shapes, and the block of rows.

    ``key``: the sources' shapes (None for a missing one: a layer that did not run, a
    parameter without gradient) then the tuple of the parameters' subsample sizes.
    """

    def __init__(self, key: tuple, plans: list, n_layers: int, kinds: list) -> None:
        shapes = key[:-1]
        present = iter(plans)
        sizes = tuple(0 if s is None else _kept(s, next(present)) for s in shapes)
        sizes = (*sizes, *key[-1])
        n_params = len(key[-1])
        full = sizes + sizes[len(sizes) - n_params:]    # the update: as the values
        padded = [-(-n // CHUNK) * CHUNK for n in full]
        offsets = np.concatenate(([0], np.cumsum(padded))).astype(np.intp)
        self.key, self.sizes = key, sizes
        self.shapes = [s for s in shapes if s is not None]
        self.offsets = offsets.tolist()
        self.width = int(offsets[-1])
        self.total = self.offsets[len(sizes)]            # the row up to the update
        self.n_data = self.width - self.total            # values (and update), padded
        self.n_segments = len(full)
        self.present = np.flatnonzero(full)              # segments with values
        self.counts = np.array(full, dtype=np.float64)[self.present]
        # per present source: its slice, whether of the flat array, its zero pad
        pads = [p - n for p, n in zip(padded, sizes) if n]
        self.plans = [(part, flat, np.zeros(pad) if pad else None)
                      for (part, flat), pad in zip(plans, pads)]
        # Monitor._record's fast path: every source there, none flattened
        self.fast = None not in shapes and not any(flat for _, flat in plans)
        # the watched activations of a known kind: (layer, kind, first value, end)
        self.flagged = [(i, kinds[i], self.offsets[i], self.offsets[i] + sizes[i])
                        for i in range(n_layers)
                        if sizes[i] and kinds[i] in ("tanh", "sigmoid", "relu")]
        rows = max(1, min(BLOCK_ROWS, BLOCK_BYTES // (8 * max(self.width, 1))))
        # Allocated once (fresh arrays of this size cost page faults each time); zeros,
        # as the pads of the update are only ever written with 0 - 0.
        self.block = np.zeros((rows, self.width))
        chunk_starts = offsets[self.present] // CHUNK
        self.flat_starts = (np.arange(rows)[:, None] * (self.width // CHUNK)
                            + chunk_starts).ravel()
        widest = max((b - a for _, _, a, b in self.flagged), default=0)
        self.dist = np.empty((rows, widest))           # scratch for the saturated flags
        self.hits = np.empty((rows, widest), dtype=bool)
        self.prevs: np.ndarray | None = None   # each row's "before" values (every > 1)
        self.known = np.zeros(rows, dtype=bool)  # whether a row's update is measured
        self.filled = 0
        self.ones = np.ones(CHUNK)


def reduce_rows(lay: RowLayout, carry: np.ndarray | None, n_layers: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reduce the block's ``lay.filled`` rows: ``(sums, squares, saturated)``, the first
    two ``(k, segments present)``, the last ``(k, n_layers)`` (NaN for unflagged layers).

    ``carry``: the values before the first row when each row's "before" is the row above
    (``every == 1``); None when they are in ``lay.prevs``. The rows' squares are not
    kept: the block is written over by the next steps."""
    k, total = lay.filled, lay.total
    rows = lay.block[:k]
    data, update = rows[:, total - lay.n_data:total], rows[:, total:]
    if carry is not None:
        np.subtract(data[1:], data[:-1], out=update[1:])
        if lay.known[0]:
            np.subtract(data[0], carry, out=update[0])
    elif lay.prevs is not None:
        np.subtract(data, lay.prevs[:k], out=update)
    update[~lay.known[:k]] = np.nan
    saturated = np.full((k, n_layers), np.nan)
    for i, kind, a, b in lay.flagged:  # through scratch: no temporaries of the block's size
        acts, dist, hit = rows[:, a:b], lay.dist[:k, :b - a], lay.hits[:k, :b - a]
        if kind == "tanh":  # |t| > 0.97
            np.greater(np.abs(acts, out=dist), SATURATION, out=hit)
        elif kind == "sigmoid":  # |s - 0.5| > 0.47
            np.greater(np.abs(np.subtract(acts, 0.5, out=dist), out=dist), SATURATION - 0.5,
                       out=hit)
        else:  # relu: "dead"
            np.equal(acts, 0.0, out=hit)
        saturated[:, i] = np.count_nonzero(hit, axis=1) / (b - a)
    m = len(lay.present)
    if not m:
        return np.empty((k, 0)), np.empty((k, 0)), saturated
    chunks = rows.reshape(-1, CHUNK)
    starts = lay.flat_starts[:k * m]  # the rows one after another (reduceat along axis 1
    sums = np.add.reduceat(chunks @ lay.ones, starts)  # of a 2-D array is slow)
    squares = np.matmul(chunks[:, None, :], chunks[:, :, None]).reshape(-1)
    squares = np.add.reduceat(squares, starts)
    return sums.reshape(k, m), squares.reshape(k, m), saturated


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def statistics(lay: RowLayout, n_layers: int, n_params: int, sums: np.ndarray,
               squares: np.ndarray, saturated: np.ndarray) -> dict[str, Any]:
    """Means and standard deviations from the sums, ``std = sqrt(E[x^2] - E[x]^2)``
    (NumPy's ddof=0) in float64, and the ratios; one row per step."""
    k = len(sums)
    means = np.full((k, lay.n_segments), np.nan)
    stds = np.full((k, lay.n_segments), np.nan)
    if len(lay.present):
        mu = sums / lay.counts
        var = squares / lay.counts - mu * mu
        means[:, lay.present] = mu
        stds[:, lay.present] = np.sqrt(np.maximum(var, 0.0))
    p0 = 2 * n_layers
    grad_std = stds[:, p0:p0 + n_params]
    data_std = stds[:, p0 + n_params:p0 + 2 * n_params]
    update_std = stds[:, p0 + 2 * n_params:]
    return {
        "mean": means[:, :n_layers], "std": stds[:, :n_layers], "saturated": saturated,
        "grad_mean": means[:, n_layers:p0], "grad_std_layer": stds[:, n_layers:p0],
        "grad_std": grad_std, "data_std": data_std,
        "grad_data": _ratio(grad_std, data_std), "update_data": _ratio(update_std, data_std),
    }
