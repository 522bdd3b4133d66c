"""Pruning (torch's ``torch.nn.utils.prune``): zero out parts of a module's parameter
through a mask, keeping the full parameter as ``<name>_orig`` and the mask as the buffer
``<name>_mask``; ``module.<name>`` is ``mask · orig``, recomputed before each forward (see
:mod:`nn.utils.pruning_base` for the mechanics). ``amount`` is a float in [0, 1] (the
fraction to prune, ``round(amount · n)`` units) or an int (the count).

Ties: torch picks the pruned entries (channels) with ``torch.topk``, whose order among
equal scores is an implementation detail. Here the ``k`` smallest scores are chosen by a
stable sort, so among equal scores the one with the lower (flattened) index is pruned
first; on scores without ties the pruned set is torch's, on tied scores it may differ.
The random methods draw from chainrule's generator (``ag.manual_seed``), so their masks
have torch's distribution, not its values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.module import Module
from nn.utils.convert_parameters import parameters_to_vector
from nn.utils.pruning_base import (
    BasePruningMethod,
    PruningContainer,
    _compute_nparams_toprune,
    _host,
    _validate_pruning_amount,
    _validate_pruning_amount_init,
    _validate_pruning_dim,
    _validate_structured_pruning,
    _wrap,
)

__all__ = ["BasePruningMethod", "CustomFromMask", "Identity", "L1Unstructured", "LnStructured",
           "PruningContainer", "RandomStructured", "RandomUnstructured", "custom_from_mask",
           "global_unstructured", "identity", "is_pruned", "l1_unstructured", "ln_structured",
           "random_structured", "random_unstructured", "remove"]

T_module = TypeVar("T_module", bound=Module)


def _smallest(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest of the 1-D ``scores`` (ties: lower index first; NaN
    counts as largest, as in torch's ``topk``)."""
    return np.argsort(scores, kind="stable")[:k]


def _check_k(k: Any, op: str) -> None:
    """torch hands a ``True`` amount (an Integral, so a count of 1) to ``topk``/``kthvalue``
    as ``k``, which refuse a bool: the same TypeError here."""
    if isinstance(k, bool):
        raise TypeError(f"{op}(): argument 'k' must be int, not bool")


def _channel_mask(t: Tensor, dim: int, keep: np.ndarray, default_mask: Tensor) -> Tensor:
    """Zeros of ``t``'s shape and dtype with ones on the channels ``keep`` (a boolean or
    index array along ``dim``), times ``default_mask``."""
    mask = np.zeros(t.shape, dtype=t.dtype)
    slc: list[Any] = [slice(None)] * t.dim()
    slc[dim] = keep
    mask[tuple(slc)] = 1
    mask *= _host(default_mask).astype(mask.dtype)
    return _wrap(mask, default_mask)


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (a pruning reparametrisation without zeros)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> Identity:  # type: ignore[override]
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries with the smallest :meth:`_order` values (the lower
    flattened index first among equal ones)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: int | float) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def _order(self, t: Tensor) -> np.ndarray:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        tensor_size = t.numel()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = _host(default_mask)
        if nparams_toprune != 0:
            _check_k(nparams_toprune, "topk")
            mask.reshape(-1)[_smallest(self._order(t), nparams_toprune)] = 0
        return _wrap(mask, default_mask)


class RandomUnstructured(_Unstructured):
    """Prunes ``amount`` entries chosen uniformly at random (the largest of uniform draws)."""

    def _order(self, t: Tensor) -> np.ndarray:
        return -_host(ag.rand(tuple(t.shape), dtype=t.dtype)).reshape(-1)

    @classmethod
    def apply(cls, module: Module, name: str,  # type: ignore[override]
              amount: int | float) -> RandomUnstructured:
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prunes the ``amount`` entries of smallest absolute value (of the importance scores).
    Among equal ``|t|`` the lower flattened index is pruned first (torch's ``topk`` order
    on ties may differ)."""

    def _order(self, t: Tensor) -> np.ndarray:
        return np.abs(_host(t)).reshape(-1)

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float,  # type: ignore[override]
              importance_scores: Tensor | None = None) -> L1Unstructured:
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim`` (all entries with that index),
    chosen uniformly at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, dim: int = -1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        tensor_size, nparams_toprune = _channels_to_prune(t, self.amount, self.dim)
        if nparams_toprune == 0:
            return default_mask
        _check_k(nparams_toprune, "kthvalue")
        prob = _host(ag.rand(tensor_size))
        # torch: keep the channels above the k-th smallest draw
        threshold = np.sort(prob)[nparams_toprune - 1]
        return _channel_mask(t, self.dim, prob > threshold, default_mask)

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float,  # type: ignore[override]
              dim: int = -1) -> RandomStructured:
        return super().apply(module, name, amount=amount, dim=dim)


def _channels_to_prune(t: Tensor, amount: int | float, dim: int) -> tuple[int, int]:
    """A structured pruning's channel count along ``dim`` and how many to prune, with
    torch's checks of the tensor, the dim and the amount."""
    _validate_structured_pruning(t)
    _validate_pruning_dim(t, dim)
    tensor_size = t.shape[dim]
    nparams_toprune = _compute_nparams_toprune(amount, tensor_size)
    _validate_pruning_amount(nparams_toprune, tensor_size)
    return tensor_size, nparams_toprune


def _compute_norm(t: Tensor, n: Any, dim: int) -> np.ndarray:
    """The ``n``-norm of each channel along ``dim`` (over all the other dims), shape
    ``(t.shape[dim],)``: ``torch.norm(t, p=n, dim=others)``."""
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    with ag.no_grad():  # 'fro' over > 2 dims and 'nuc' over other than 2 raise, as torch's
        return _host(ag.norm(t.detach(), p=n, dim=dims))


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest ``n``-norm (``n`` as
    ``torch.norm``'s ``p``: a number, ``inf``, ``-inf``, ``'fro'``...). Among equal norms the
    lower channel index is pruned first (torch's ``topk`` order on ties may differ)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, n: Any, dim: int = -1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        tensor_size, nparams_toprune = _channels_to_prune(t, self.amount, self.dim)
        norm = _compute_norm(t, self.n, self.dim)
        if nparams_toprune == 0:
            return default_mask
        keep = np.ones(tensor_size, dtype=bool)
        keep[_smallest(norm, nparams_toprune)] = False
        return _channel_mask(t, self.dim, keep, default_mask)

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float, n: Any,  # type: ignore[override]
              dim: int, importance_scores: Tensor | None = None) -> LnStructured:
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given ``mask`` (the tensor's shape) is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {tuple(default_mask.shape)} must match "
                                 f"self.mask shape {tuple(self.mask.shape)}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module: Module, name: str,  # type: ignore[override]
              mask: Tensor) -> CustomFromMask:
        return super().apply(module, name, mask=mask)


# -- the functional API -------------------------------------------------------------------
def identity(module: T_module, name: str) -> T_module:
    """Reparametrise ``module.<name>`` for pruning with an all-ones mask; returns
    ``module``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: T_module, name: str, amount: int | float) -> T_module:
    """Prune ``amount`` random entries of ``module.<name>``; returns ``module``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: T_module, name: str, amount: int | float,
                    importance_scores: Tensor | None = None) -> T_module:
    """Prune the ``amount`` entries of ``module.<name>`` with the smallest
    ``|importance_scores|`` (default: the tensor itself); returns ``module``. Ties: the
    lower flattened index goes first (see the module docstring)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: T_module, name: str, amount: int | float, dim: int) -> T_module:
    """Prune ``amount`` random channels of ``module.<name>`` along ``dim``; returns
    ``module``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: T_module, name: str, amount: int | float, n: Any, dim: int,
                  importance_scores: Tensor | None = None) -> T_module:
    """Prune the ``amount`` channels of ``module.<name>`` along ``dim`` whose
    ``importance_scores`` (default: the tensor) have the smallest ``n``-norm over the
    other dims; returns ``module``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters: Iterable[tuple[Module, str]], pruning_method: type,
                        importance_scores: dict | None = None, **kwargs: Any) -> None:
    """Prune the tensors ``(module, name)`` of ``parameters`` together: their importance
    scores (``importance_scores[(module, name)]``, default the tensor) are concatenated
    and ``pruning_method(**kwargs)`` (an unstructured method, e.g. ``L1Unstructured`` with
    ``amount``) chooses among all their entries still unpruned; each tensor then gets its
    share through :func:`custom_from_mask`."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    relevant_importance_scores = parameters_to_vector(
        [importance_scores.get((module, name), getattr(module, name))
         for (module, name) in parameters])
    default_mask = parameters_to_vector(
        [getattr(module, name + "_mask", ag.ones_like(getattr(module, name)))
         for (module, name) in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        param_mask = final_mask[pointer:pointer + num_param].view_as(param)
        custom_from_mask(module, name, mask=param_mask)
        pointer += num_param


def custom_from_mask(module: T_module, name: str, mask: Tensor) -> T_module:
    """Prune ``module.<name>`` where ``mask`` is 0; returns ``module``."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module: T_module, name: str) -> T_module:
    """Make the pruning of ``module.<name>`` permanent: ``<name>`` is a Parameter again,
    holding the pruned values; ``<name>_orig``, ``<name>_mask`` and the hook go.

    Raises:
        ValueError: ``name`` is not pruned.
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                     "can be removed")


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or any of its submodules has a pruning hook."""
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
