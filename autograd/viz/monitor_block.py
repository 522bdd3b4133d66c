"""The block behind :class:`~autograd.viz.monitor.Monitor`: recorded steps' subsamples kept
as rows, reduced together to sums, turned into statistics when the history is read.

A row holds, for one recorded step, the subsamples of the watched layers' outputs (L
segments), of their gradients (L), of the parameters' gradients (P) and values (P), each
flat; a block holds the rows of consecutive steps with the same segment sizes, in the
arrays' own float type. Reducing costs about ten NumPy calls for all the block's rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import to_host

__all__ = ["SATURATION", "Block", "stride"]

# |tanh| beyond this is "saturated" (tanh' = 1 - t^2 < 0.06: the gradient barely passes);
# a sigmoid output is saturated within 1 - SATURATION of 0 or 1 (sigma' = s(1-s) < 0.03).
SATURATION = 0.97


def stride(shape: tuple, sample: int, strides: tuple | None = None) -> int:
    """The stride s that subsamples an array of ``shape``, flat in memory order, to at
    most ``sample`` values: s = ceil(size / sample), raised until coprime with the length
    of the axis that varies fastest in memory (the last of a C-contiguous array, given
    ``strides``), so that its positions, and the other axes', all come round."""
    s = -(-math.prod(shape) // sample)
    axes = [i for i, n in enumerate(shape) if n > 1]
    if strides is not None and axes:
        fastest = shape[min(axes, key=lambda i: abs(strides[i]))]
    else:
        fastest = int(shape[-1]) if shape else 1
    while math.gcd(s, fastest) > 1:
        s += 1
    return s


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def _offsets(counts: np.ndarray) -> np.ndarray:
    """Where each of consecutive segments of ``counts`` values starts."""
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)


class Block:
    """The rows of consecutive recorded steps with one set of segment sizes (the
    activations: L, their gradients: L, the parameters' gradients: P and values: P) and
    where each segment lies; ``updates`` holds each row's parameter update (P more
    segments), formed when the block is reduced from the row before, or at the step itself
    when the values before it are not the block's previous row."""

    def __init__(self, sizes: tuple, n_layers: int, kinds: list, n_rows: int,
                 dtype: np.dtype, array_module: Any = np) -> None:
        self.n_params = n_params = (len(sizes) - 2 * n_layers) // 2
        data_sizes = np.array(sizes[len(sizes) - n_params:], dtype=np.int64)
        row_sizes = np.array(sizes, dtype=np.int64)
        self.sizes = sizes
        self.total = int(row_sizes.sum())
        self.n_data = int(data_sizes.sum())
        self.n_segments = len(sizes) + n_params  # the update's segments last
        # reduceat cannot sum an empty segment: only those with values are reduced
        self.present = np.flatnonzero(row_sizes)
        self.counts = row_sizes[self.present]
        self.starts = _offsets(self.counts)
        self.data_present = len(sizes) + np.flatnonzero(data_sizes)  # the updates'
        self.data_counts = data_sizes[self.data_present - len(sizes)]
        self.data_starts = _offsets(self.data_counts)
        self.n_acts = int(row_sizes[:n_layers].sum())
        self.act_layers = [i for i in range(n_layers) if sizes[i]]
        self.act_starts = _offsets(row_sizes[self.act_layers])
        self.n_layers = n_layers
        self.layer_kinds = list(kinds[:n_layers])
        self.kinds = sorted({kinds[i] for i in self.act_layers}
                            & {"tanh", "sigmoid", "relu"})
        # Allocated once: fresh arrays of this size cost page faults that dwarf the
        # arithmetic. The rows keep the arrays' own float type (a float32 copy costs less);
        # sums and squares are formed in float64 (a float32 value's square is exact there).
        # On a device (``array_module`` CuPy) the rows and updates stay there, written
        # without a wait; reducing copies them to the host once per block.
        self.xp = xp = array_module
        self.rows = xp.empty((n_rows, self.total), dtype=dtype)
        self.squares = np.empty((n_rows, self.total))
        self.updates = xp.empty((n_rows, self.n_data))
        self.steps: list[tuple[int, float]] = []   # (step, lr) of the rows filled so far

    def reduce(self, consecutive: bool) -> tuple[tuple, np.ndarray | None]:
        """Reduce the rows filled so far and empty the block: ``((steps, self, sums,
        saturated), last_values)``. ``sums``: the rows' segments' sums and sums of squares
        (two ``np.add.reduceat`` over all rows, in float64), then the updates' (P
        segments); ``saturated``: per activation kind, the saturated counts of each layer.
        ``consecutive``: the rows are consecutive steps, so the updates of rows 1.. are the
        differences of their parameter values (row 0's was formed at its step); then
        ``last_values`` is a copy of the last row's values, else None."""
        steps, self.steps = self.steps, []
        k, n_acts, p0 = len(steps), self.n_acts, self.total - self.n_data
        # each row's parameter values are the next's "before" (kept where the rows are)
        last_values = self.rows[k - 1, p0:].copy() if consecutive else None
        x, updates = self.rows[:k], self.updates[:k]
        if self.xp is not np:  # one copy to the host for the block (one wait for the device)
            x, updates = to_host(x), np.array(to_host(updates))
        if consecutive:
            values = x[:, p0:]
            np.subtract(values[1:], values[:-1], out=updates[1:], dtype=np.float64)
        saturated = {}
        if "sigmoid" in self.kinds:  # within 1 - SATURATION of 0 or 1
            saturated["sigmoid"] = np.abs(x[:, :n_acts] - 0.5) > SATURATION - 0.5
        squares = np.square(x, out=self.squares[:k], dtype=np.float64)
        for kind in self.kinds:  # |t| > 0.97 <=> t^2 > 0.97^2; a dead ReLU's t^2 is 0
            if kind == "tanh":
                saturated[kind] = squares[:, :n_acts] > SATURATION ** 2
            elif kind == "relu":
                saturated[kind] = squares[:, :n_acts] == 0
            saturated[kind] = np.add.reduceat(saturated[kind], self.act_starts, axis=1,
                                              dtype=np.intp)
        sums = []
        if self.starts.size:
            sums += (np.add.reduceat(x, self.starts, axis=1, dtype=np.float64),
                     np.add.reduceat(squares, self.starts, axis=1))
        if self.data_starts.size:
            sums.append(np.add.reduceat(updates, self.data_starts, axis=1))
            sums.append(np.add.reduceat(np.square(updates, out=updates), self.data_starts,
                                        axis=1))
        return (steps, self, sums, saturated), last_values

    def statistics(self, steps: list[tuple], sums: list, saturated: dict) -> dict[str, Any]:
        """The reduced rows' statistics (from :meth:`reduce`): an array per key with a row
        per step, a column per layer or parameter (``monitor.history``'s columns)."""
        n_layers, n_params = self.n_layers, self.n_params
        k = len(steps)
        means = np.full((k, self.n_segments), np.nan)
        stds = np.full((k, self.n_segments), np.nan)
        pairs = []
        if self.starts.size:
            pairs.append((self.present, self.counts))
        if self.data_starts.size:
            pairs.append((self.data_present, self.data_counts))
        for (present, counts), total, squares in zip(pairs, sums[::2], sums[1::2]):
            mu = total / counts
            var = squares / counts - mu * mu
            means[:, present] = mu
            stds[:, present] = np.sqrt(np.maximum(var, 0.0))
        fractions = np.full((k, n_layers), np.nan)
        for kind, counts in saturated.items():
            for i_act, layer in enumerate(self.act_layers):
                if self.layer_kinds[layer] == kind:
                    fractions[:, layer] = counts[:, i_act] / self.sizes[layer]
        p0 = 2 * n_layers
        grad_std = stds[:, p0:p0 + n_params]
        data_std = stds[:, p0 + n_params:p0 + 2 * n_params]
        update_std = stds[:, p0 + 2 * n_params:]
        return {
            "step": [s[0] for s in steps], "lr": [s[1] for s in steps],
            "mean": means[:, :n_layers], "std": stds[:, :n_layers], "saturated": fractions,
            "grad_mean": means[:, n_layers:p0], "grad_std_layer": stds[:, n_layers:p0],
            "grad_std": grad_std, "data_std": data_std,
            "grad_data": _ratio(grad_std, data_std), "update_data": _ratio(update_std, data_std),
        }
