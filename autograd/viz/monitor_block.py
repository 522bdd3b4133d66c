"""The block behind :class:`~autograd.viz.monitor.Monitor`: recorded steps' subsamples kept
as rows, reduced together to means and variances, turned into statistics when the
history is read.

A row holds, for one recorded step, the subsamples of the watched layers' outputs (L
segments), of their gradients (L), of the parameters' gradients (P) and values (P), each
flat, then the parameters' updates (P); a block holds the rows of consecutive steps with
the same segment sizes, in the arrays' own float type. Reducing costs about a dozen NumPy
calls for all the block's rows.
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


def _square_threshold(dtype: np.dtype) -> Any:
    """The least square, in ``dtype`` (the rows': float32 or float64), of a value beyond
    SATURATION in ``dtype`` (``|t| > dtype(0.97)``, as NumPy compares). Squares round
    monotonically, and near 0.97 two neighbouring values' squares lie ~2 ulps apart, so
    none beyond the line rounds onto the line's own square."""
    first = np.nextafter(dtype.type(SATURATION), dtype.type(np.inf))  # beyond the line
    return first * first


class Block:
    """The rows of consecutive recorded steps with one set of segment sizes and where each
    segment lies. A row holds, in the arrays' own float type: the activations (L
    segments), their gradients (L), the parameters' gradients (P) and values (P), then the
    parameters' updates (P): each formed when the block is reduced, as the difference of
    the row's values and the row before's, or at the step itself when the values before
    it are not the block's previous row (its first row, every > 1)."""

    def __init__(self, sizes: tuple, n_layers: int, kinds: list, n_rows: int,
                 dtype: np.dtype, array_module: Any = np) -> None:
        self.n_params = n_params = (len(sizes) - 2 * n_layers) // 2
        data_sizes = sizes[len(sizes) - n_params:]
        all_sizes = np.array(sizes + data_sizes, dtype=np.int64)  # the updates' last
        self.sizes = sizes
        self.total = sum(sizes)  # the values copied at each step; the updates follow
        self.n_data = sum(data_sizes)
        self.n_segments = len(all_sizes)
        # reduceat cannot sum an empty segment: only those with values are reduced
        self.present = np.flatnonzero(all_sizes)
        self.counts = all_sizes[self.present]
        self.starts = _offsets(self.counts)
        self.n_acts = sum(sizes[:n_layers])
        self.act_layers = [i for i in range(n_layers) if sizes[i]]
        self.act_starts = _offsets(np.array([sizes[i] for i in self.act_layers], np.int64))
        self.n_layers = n_layers
        self.layer_kinds = list(kinds[:n_layers])
        self.kinds = sorted({kinds[i] for i in self.act_layers}
                            & {"tanh", "sigmoid", "relu"})
        dtype = np.dtype(dtype)
        self.tanh_line = _square_threshold(dtype)
        # d = (1 - tol) n sum(x^2) - sum(x)^2 > 0 where the sums leave the variance to
        # within ~1e-4 (see reduce); tol = 2^16 eps
        self.check = (1 - np.finfo(dtype).eps * 2 ** 16) * self.counts
        # Allocated once: fresh arrays of this size cost page faults that dwarf the
        # arithmetic. A float32 copy, square and sum cost half of float64's (no casting
        # pass, half the bytes). On a device (``array_module`` CuPy) the rows stay there,
        # written without a wait; reducing copies them to the host once per block.
        self.xp = xp = array_module
        self.rows = xp.empty((n_rows, self.total + self.n_data), dtype=dtype)
        self.squares = np.empty(self.rows.shape, dtype=dtype)  # host scratch
        # per row: the part a step writes, its parameter values, its updates (made once:
        # a view costs a call at every step)
        self.heads = [r[:self.total] for r in self.rows]
        self.values = [r[self.total - self.n_data:self.total] for r in self.rows]
        self.updates = [r[self.total:] for r in self.rows]
        self.steps: list[tuple[int, float]] = []   # (step, lr) of the rows filled so far

    def reduce(self, consecutive: bool) -> tuple[tuple, np.ndarray | None]:
        """Reduce the rows filled so far and empty the block: ``((steps, self, sums,
        saturated), last_values)``, in a dozen NumPy calls for all its rows.

        ``sums``: ``(sum(x), sum(x^2), exact)``, each segment's per row, NumPy's pairwise
        sums in the rows' own type (one pass each over x and x^2). The variance
        E[x^2] - E[x]^2 formed from them cancels where the spread is small against the
        mean (a constant, a parameter near 1 +- 1e-3): wherever it could lose more than
        ~1e-4 of itself to the sums' rounding (a few eps of E[x^2]: below 2^16 eps of
        E[x^2]), or the sums are not finite (a square beyond float32's range, a NaN),
        ``exact`` holds that row's segment's mean and variance computed again, two-pass in
        float64: a constant's variance is exactly 0, and elsewhere a standard deviation is
        within ~1e-4 of float64's, relatively. ``saturated``: per activation kind, the
        saturated counts of each layer. ``consecutive``: the rows are consecutive steps,
        so the updates of rows 1.. are the differences of their parameter values (row 0's
        was formed at its step); then ``last_values`` is a copy of the last row's values,
        else None."""
        steps, self.steps = self.steps, []
        k, n_acts, p0 = len(steps), self.n_acts, self.total - self.n_data
        # each row's parameter values are the next's "before" (kept where the rows are)
        last_values = self.values[k - 1].copy() if consecutive else None
        x = self.rows[:k]
        if self.xp is not np:  # one copy to the host for the block (one wait for the device)
            x = np.array(to_host(x))
        if consecutive:  # exact for values within a factor 2 (Sterbenz), else to 1/2 ulp
            np.subtract(x[1:, p0:self.total], x[:-1, p0:self.total], out=x[1:, self.total:])
        with np.errstate(over="ignore", invalid="ignore"):  # what _exact measures again
            sums = np.add.reduceat(x, self.starts, axis=1)
            squares = np.square(x, out=self.squares[:k])
            sums_sq = np.add.reduceat(squares, self.starts, axis=1)
            d = self.check * sums_sq - sums * sums
        exact = None
        if not (d.min() > 0 and d.max() < np.inf):  # NaN fails both
            exact = self._exact(x, d, sums_sq)
        acts, saturated = x[:, :n_acts], {}
        for kind in self.kinds:  # the rows are cached now: they were just read
            if kind == "tanh":  # |t| > 0.97 <=> t^2 >= line
                hit = squares[:, :n_acts] >= self.tanh_line
            elif kind == "sigmoid":  # within 1 - SATURATION of 0 or 1
                hit = np.abs(acts - 0.5) > SATURATION - 0.5
            else:  # a dead ReLU's output is exactly 0 (a square can underflow to it)
                hit = acts == 0
            saturated[kind] = np.add.reduceat(hit.view(np.uint8), self.act_starts, axis=1,
                                              dtype=np.int32)
        return (steps, self, (sums, sums_sq, exact), saturated), last_values

    def _exact(self, x: np.ndarray, d: np.ndarray, sums_sq: np.ndarray) -> dict:
        """``{(row, column): (mean, variance)}`` in float64, two-pass, for the segments
        whose sums could not give their variance (see :meth:`reduce`); an all-zero
        segment can (its sums are exact)."""
        with np.errstate(invalid="ignore"):
            again = ~((d > 0) & (d < np.inf)) & (sums_sq != 0)
        exact = {}
        for j in np.flatnonzero(again.any(axis=0)).tolist():  # rare: a few calls a segment
            rows = np.flatnonzero(again[:, j])
            start = self.starts[j]
            seg = x[rows, start:start + self.counts[j]].astype(np.float64)
            mu = seg.mean(axis=1)
            var = np.square(seg - mu[:, None]).mean(axis=1)
            exact.update({(r, j): (m, v) for r, m, v in zip(rows.tolist(), mu, var)})
        return exact

    def statistics(self, steps: list[tuple], sums: tuple, saturated: dict) -> dict[str, Any]:
        """The reduced rows' statistics (from :meth:`reduce`): an array per key with a row
        per step, a column per layer or parameter (``monitor.history``'s columns)."""
        n_layers, n_params = self.n_layers, self.n_params
        k = len(steps)
        total, total_sq, exact = sums
        with np.errstate(over="ignore", invalid="ignore"):  # those cells are in exact
            mu = total.astype(np.float64) / self.counts
            var = total_sq.astype(np.float64) / self.counts - mu * mu
        for (r, j), (m, v) in (exact or {}).items():
            mu[r, j], var[r, j] = m, v
        means = np.full((k, self.n_segments), np.nan)
        stds = np.full((k, self.n_segments), np.nan)
        means[:, self.present] = mu
        stds[:, self.present] = np.sqrt(np.maximum(var, 0.0))
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
