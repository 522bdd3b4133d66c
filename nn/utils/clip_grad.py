"""Gradient clipping, in place on each parameter's ``.grad`` (as torch.nn.utils).

``clip_grad_norm_`` is ``get_total_norm`` of the gradients followed by
``clip_grads_with_norm_``, as in torch.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import writeable, xp_of
from autograd.tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _as_list(tensors: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [p.grad for p in _as_list(parameters) if p.grad is not None]


def _scale_(g: Tensor, factor: Any) -> None:
    with np.errstate(invalid="ignore"):  # inf · 0 is nan, silently, as torch
        if writeable(g._data):
            g._data *= factor  # same dtype: the grad array is owned by the parameter
        else:
            g._data = g._data * factor


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""The ``norm_type``-norm of all ``tensors`` viewed as one vector (the norm of
    their norms), a 0-d Tensor of their promoted dtype (``tensor(0.)`` for none),
    computed in that dtype as torch's.

    ``norm_type`` may be ``inf`` (or ``'inf'``): the largest magnitude; 0 counts the
    nonzeros; a negative p gives ``(Σ|x|^p)^(1/p)`` as torch. ``foreach`` is
    accepted and changes nothing.

    Raises:
        RuntimeError: the norm is nan or ±inf and ``error_if_nonfinite``; or an empty
            tensor with an infinite or negative ``norm_type`` (no identity, as torch).
    """
    ts = _as_list(tensors)
    norm_type = float(norm_type)
    if not ts:
        return ag.tensor(0.0)
    for t in ts:
        if t._data.size == 0 and (norm_type < 0 or np.isinf(norm_type)):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {norm_type} norm on an "
                               "empty tensor because the operation does not have an identity")
    # torch's: each tensor's norm in its own dtype, then the norm of the stacked norms,
    # promoted (float32 and float64 gradients give a float64 total). In float32 a sum of
    # squares past 3.4e38 is inf, as torch's (error_if_nonfinite then raises).
    dtype = np.result_type(*(t._data.dtype for t in ts))
    xp = xp_of(ts[0]._data)
    # kept as 0-d arrays on the tensors' device, so clipping never waits for the device
    if np.isinf(norm_type):
        pick = xp.max if norm_type > 0 else xp.min
        total = pick(xp.stack([pick(xp.abs(t._data)).astype(dtype) for t in ts]))
    else:
        with np.errstate(divide="ignore", over="ignore"):  # a negative p over zeros: 0
            per = [xp.linalg.norm(t._data.reshape(-1), norm_type).astype(dtype) for t in ts]
            total = xp.linalg.norm(xp.stack(per), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return Tensor._const(total.astype(dtype))


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor | float, foreach: bool | None = None) -> None:
    r"""Scale every gradient by ``min(max_norm / (total_norm + 1e-6), 1)`` in place, for
    a ``total_norm`` computed beforehand (e.g. by :func:`get_total_norm`)."""
    grads = _grads(parameters)
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    xp = xp_of(grads[0]._data)
    # torch's clip_coef_clamped: a factor of exactly 1 leaves the gradients unchanged
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = xp.minimum(float(max_norm) / (xp.asarray(total, dtype=np.float64) + 1e-6), 1.0)
    for g in grads:
        _scale_(g, coef.astype(g._data.dtype))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most
    ``max_norm``: each is multiplied by max_norm / (total + 1e-6) when that is below 1.
    Returns the total norm (before clipping) as a 0-d Tensor."""
    is_generator = isinstance(parameters, types.GeneratorType)
    params = _as_list(parameters)
    if is_generator and not params:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      UserWarning, stacklevel=2)
    total = get_total_norm(_grads(params), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_` (a FutureWarning, as torch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element to [−clip_value, clip_value], in place."""
    v = float(clip_value)
    for g in _grads(parameters):
        if writeable(g._data):
            np.clip(g._data, -v, v, out=g._data)
        else:
            g._data = np.clip(g._data, -v, v)
