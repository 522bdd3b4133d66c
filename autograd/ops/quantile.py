"""``quantile`` and ``nanquantile`` as torch composes them: sort along the dim, read the
two order statistics around each rank q·(n − 1) and interpolate (``lerp``). No node of
their own: the gradient goes through ``sort``, ``gather`` and ``lerp`` to the two
neighbouring order statistics, (1 − w) and w (w the rank's fraction), as torch's.

Ranks are computed in the input's dtype, as torch's (q · (n − 1) in float32 for float32).
A slice holding a nan gives nan for ``quantile`` (its rank is set to the last, where sort
puts nan); ``nanquantile`` ranks among the non-nan values (all nan: nan).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import is_device_array, xp_of
from autograd.dims import normalize_dim
from autograd.graph import Away
from autograd.ops.along import gather
from autograd.ops.elementary import lerp
from autograd.ops.record import check_tensor_args
from autograd.ops.sorting import sort
from autograd.tensor import Tensor

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_array(q: Any, dtype: np.dtype, op: str) -> tuple[np.ndarray, bool]:
    """q as a 1-d array in ``dtype`` and whether it was a scalar (no output dim)."""
    if isinstance(q, Tensor):
        qd = q._data
        if qd.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if qd.dtype != dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        scalar = qd.ndim == 0
        arr = np.array(qd, ndmin=1)
    elif isinstance(q, (float, int)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q}")
        scalar = True
        arr = np.array([q], dtype=dtype)
    else:
        raise TypeError(f"{op}(): argument 'q' must be float or Tensor, not "
                        f"{type(q).__name__}")
    if not ((arr >= 0) & (arr <= 1)).all():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    return arr, scalar


def _quantile(op: str, input: Tensor, q: Any, dim: int | None, keepdim: bool,
              interpolation: str, ignore_nan: bool) -> Tensor:
    check_tensor_args("nanquantile" if ignore_nan else "quantile", ("input", input, False))
    d = input._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    qs, scalar = _q_array(q, d.dtype, op)
    if d.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    ndim = d.ndim
    if dim is None:
        x = input.reshape(-1)
        kept = (1,) * ndim
    else:
        dim = normalize_dim(dim, max(ndim, 1))
        x = input if ndim else input.reshape(1)
        x = x.movedim(dim, -1) if ndim else x
        kept = None
    srt = sort(x, -1)[0]  # nan last, as torch's sort
    s = srt._data
    f = d.dtype.type
    nan = np.isnan(s)
    m = qs.size
    if is_device_array(s):  # the ranks are computed where the values are
        qs = xp_of(s).asarray(qs)
    if ignore_nan:
        count = (~nan).sum(-1, keepdims=True).astype(d.dtype)
        ranks = qs * (count - f(1))
        ranks = np.where(ranks < 0, f(0), ranks)
    else:
        last = f(s.shape[-1] - 1)
        ranks = np.where(nan.any(-1, keepdims=True), last, qs * last)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)  # halves to even, as torch's round
    below = ranks.astype(np.int64)
    out = gather(srt, -1, below)
    if interpolation in ("linear", "midpoint"):
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = np.ceil(ranks).astype(np.int64)
        out = lerp(out, gather(srt, -1, above), Tensor(weights.astype(d.dtype)))
    out = out.squeeze(-1) if scalar else out.movedim(-1, 0)
    if keepdim:
        if kept is not None:
            out = out.reshape(kept if scalar else (m, *kept))
        elif ndim:
            out = out.unsqueeze(dim if scalar else dim + 1)
    return out


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles of ``input`` along ``dim`` (all elements when None): for a 1-d
    tensor q of m values the output has m first, (m, *reduced shape); interpolation
    between the order statistics at ⌊r⌋ and ⌈r⌉, r = q·(n − 1): 'linear', 'lower',
    'higher', 'midpoint' or 'nearest'. A slice with a nan gives nan."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("quantile", quantile, input, q, dim, keepdim,
                     interpolation=interpolation)
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring nan: the ranks count the non-nan values of each slice."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("nanquantile", nanquantile, input, q, dim, keepdim,
                     interpolation=interpolation)
    return _quantile("quantile", input, q, dim, keepdim, interpolation, True)  # torch's word


METHODS = {"quantile": quantile, "nanquantile": nanquantile}
PUBLIC = ["quantile", "nanquantile"]
