"""Covariance and correlation matrices, as torch's ``cov`` and ``corrcoef`` (compositions
of the differentiable primitives, written in torch's order of operations so that the
rounding matches).

Rows are variables, columns observations: ``input`` of shape (V, N) gives (V, V); a 1-D
input is one variable and gives a 0-d result.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd.ops.arith import div, mul, sub
from autograd.ops.contract import mm
from autograd.ops.rearrange import diagonal
from autograd.ops.reduce import sum as _sum
from autograd.ops.shape import reshape, squeeze, transpose, unsqueeze
from autograd.ops.unary import clamp, sqrt
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _wrap


def _check_weights(name: str, w: Tensor, n: int, integral: bool) -> None:
    d = w._data
    if d.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {d.ndim} dimensions")
    if integral and d.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} "
                           f"with {torch_name(d.dtype)} dtype")
    if not integral and d.dtype.kind != "f":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{name} with {torch_name(d.dtype)} dtype")
    if d.size != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {d.size} != {n}")
    if n and d.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance of the rows of ``input`` (V, N) over its N observations: with
    w = fweights · aweights (either may be absent), avg = Σ x w / Σ w and
    C = (x − avg)(w · (x − avg))ᵀ / (Σw − correction · Σ(w · aweights) / Σw)
    (Σw − correction without aweights). A non-positive divisor warns and becomes 0, as
    torch's (NaN or inf results)."""
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {d.ndim} dimensions")
    x = reshape(input, (1, -1)) if d.ndim < 2 else input
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, integral=False)
        w = aweights if w is None else mul(w, aweights)
    w_sum = _sum(w) if w is not None else _wrap(np.array(n, dtype=np.int64), None)
    if w is not None and not w_sum._data.all():
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = div(_sum(mul(x, w) if w is not None else x, 1), w_sum)
    if w is not None and aweights is not None and correction != 0:
        norm = sub(w_sum, div(mul(_sum(mul(w, aweights)), correction), w_sum))
    else:
        norm = sub(w_sum, correction)
    if norm._data <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = mul(norm, 0)
    x = sub(x, unsqueeze(avg, 1))
    c = mm(x, transpose(mul(x, w) if w is not None else x, 0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero divisor: inf/NaN, quietly
        return squeeze(div(c, norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation of the rows: C_ij / √(C_ii C_jj) of ``cov(input)``, clipped to
    [−1, 1]; a single variable gives C / C (1, or NaN for a constant row)."""
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                           f"got an input with {d.ndim} dimensions")
    c = cov(input)
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant row: NaN, quietly
        if c._data.ndim == 0:
            return div(c, c)
        stddev = sqrt(diagonal(c))
        c = div(c, reshape(stddev, (-1, 1)))
        c = div(c, reshape(stddev, (1, -1)))
        return clamp(c, -1, 1)


PUBLIC = ["cov", "corrcoef"]

METHODS: dict[str, Any] = {"cov": cov, "corrcoef": corrcoef}
FUNCTIONS: dict[str, Any] = dict(METHODS)
