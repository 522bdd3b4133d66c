"""Tensor.fill_diagonal_ (torch's): the main diagonal written in place, through
masked_fill_ (so recorded like any in-place op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor


def fill_diagonal_(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write fill_value on the main diagonal (every dim equal, or a tall 2-D matrix whose
    diagonal restarts after each N+1 rows when ``wrap``), in place."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(shape, dtype=bool)
    mask[(np.arange(min(shape)),) * len(shape)] = True
    if wrap and len(shape) == 2 and shape[0] > shape[1] + 1:
        mask.reshape(-1)[::shape[1] + 1] = True
    return input.masked_fill_(Tensor(mask), fill_value)


METHODS = {"fill_diagonal_": fill_diagonal_}
