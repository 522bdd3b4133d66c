"""What every loss shares: the ``reduction`` argument (with torch's deprecated
``size_average``/``reduce`` flags), the reduction itself, and the target check."""

from __future__ import annotations

from typing import Any

from autograd.backend import asarray, check_same_device
from autograd.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str, size_average: bool | None = None,
               reduce: bool | None = None) -> str:
    """The reduction, honouring torch's deprecated ``size_average``/``reduce`` flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction "
                         f"(expected one of {', '.join(_REDUCTIONS)})")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_target(target: Any, like: Tensor, name: str) -> Tensor:
    """``target`` as a float Tensor of ``like``'s dtype and shape (ValueError otherwise)."""
    t = target if isinstance(target, Tensor) else Tensor._const(asarray(target))
    if t._data.__class__ is not like._data.__class__:  # torch's error, never a copy
        check_same_device(like._data, t._data)
    if t.shape != like.shape:
        raise ValueError(f"{name}: target of shape {tuple(t.shape)} does not match input of "
                         f"shape {tuple(like.shape)}; they must have the same shape")
    if t.dtype.kind not in "biuf":
        raise ValueError(f"{name}: target must be numeric, got dtype {t.dtype}")
    if t.dtype != like.dtype:
        t = t.astype(like.dtype) if t.dtype.kind == "f" else Tensor._const(
            t._data.astype(like.dtype))
    return t


def _weight_of(weight: Any, input: Tensor) -> Tensor:
    w = weight if isinstance(weight, Tensor) else Tensor._const(asarray(weight))  # where it is
    if tuple(w.shape) != tuple(input.shape):
        raise ValueError(f"Weights and input must have the same size: weight of shape "
                         f"{tuple(w.shape)}, input of shape {tuple(input.shape)}")
    return w


def _weight(loss: Tensor, weight: Any, input: Tensor) -> Tensor:
    if weight is None:
        return loss
    return loss * _weight_of(weight, input)


def _reduce_weighted(loss: Tensor, weight: Any, input: Tensor, reduction: str) -> Tensor:
    """``loss`` · w reduced as torch's weighted l1_loss/mse_loss: 'mean' is the weighted
    mean Σ w·ℓ / Σ w (huber_loss instead takes the plain mean of w·ℓ, see there)."""
    if weight is None:
        return _reduce(loss, reduction)
    w = _weight_of(weight, input)
    if reduction == "mean":
        return (loss * w).sum() / w.sum()
    return _reduce(loss * w, reduction)
