"""Gradient clipping, in place on each parameter's ``.grad`` (as torch.nn.utils)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

import autograd as ag
from autograd.backend import writeable, xp_of
from autograd.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def _scale_(g: Tensor, factor: float) -> None:
    if writeable(g._data):
        g._data *= factor  # same dtype: the grad array is owned by the parameter
    else:
        g._data = g._data * factor


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most
    ``max_norm``: each is multiplied by max_norm / (total + 1e-6) when that is below 1.
    Returns the total norm (before clipping) as a 0-d Tensor."""
    grads = _grads(parameters)
    if not grads:
        return ag.tensor(0.0)
    norm_type = float(norm_type)
    dtype = grads[0].dtype
    xp = xp_of(grads[0]._data)
    # norm of the per-tensor norms = the norm of everything concatenated; kept as 0-d
    # arrays on the gradients' device, so clipping never waits for the device
    if norm_type == np.inf:
        per = [xp.max(xp.abs(g._data)) if g._data.size else xp.zeros((), g._data.dtype)
               for g in grads]
        total = xp.max(xp.stack(per)).astype(np.float64)
    else:
        per = [xp.linalg.norm(g._data.reshape(-1).astype(np.float64), norm_type)
               for g in grads]
        total = xp.linalg.norm(xp.stack(per), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    # torch's clip_coef_clamped: max_norm / (total + 1e-6), at most 1 (a factor of 1 is exact)
    coef = xp.minimum(float(max_norm) / (total + 1e-6), 1.0)
    for g in grads:
        _scale_(g, coef.astype(g._data.dtype))
    return Tensor._const(total.astype(dtype))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element to [−clip_value, clip_value], in place."""
    v = float(clip_value)
    for g in _grads(parameters):
        if writeable(g._data):
            np.clip(g._data, -v, v, out=g._data)
        else:
            g._data = np.clip(g._data, -v, v)
