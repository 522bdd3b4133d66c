"""The machinery of ``nn.utils.prune`` (torch's ``torch.nn.utils.prune``): the abstract
:class:`BasePruningMethod` (how a pruning reparametrises a module's tensor) and
:class:`PruningContainer` (how successive prunings of one tensor combine), with torch's
``amount`` validation. The concrete methods and the functional API are in
:mod:`nn.utils.prune`.

The reparametrisation, as torch's: pruning ``module.<name>`` moves the Parameter to
``<name>_orig``, registers a buffer ``<name>_mask`` (1 = kept, 0 = pruned) and sets the
plain attribute ``module.<name> = <name>_mask * <name>_orig``, recomputed by a forward
pre-hook (the pruning method itself) before every forward, so gradients reach
``<name>_orig`` (zero where pruned) and ``state_dict`` holds ``<name>_orig`` and
``<name>_mask``.

Masks are computed on the host in NumPy (no gradient flows through a mask) and returned
as Tensors on the importance scores' device.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.module import Module

__all__ = ["BasePruningMethod", "PruningContainer"]


def _host(t: Tensor) -> np.ndarray:
    """``t``'s values as a host NumPy array (a copy, safe to write into)."""
    return np.array(t.detach().cpu().numpy())


def _wrap(arr: np.ndarray, like: Tensor) -> Tensor:
    """``arr`` as a Tensor on ``like``'s device."""
    return ag.tensor(arr).to(like.device)


class BasePruningMethod(ABC):
    """Abstract base of the pruning methods: a subclass defines ``compute_mask(t,
    default_mask)`` (and ``PRUNING_TYPE``: ``'unstructured'``, ``'structured'`` with a
    ``dim`` attribute, or ``'global'``) and gets :meth:`apply` (prune a module's tensor),
    :meth:`prune` (mask a tensor), :meth:`remove`. An instance is also the module's
    forward pre-hook that recomputes ``module.<name>`` from ``<name>_orig`` and
    ``<name>_mask``."""

    _tensor_name: str

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The mask (``t``'s shape) of this pruning applied on top of ``default_mask``
        (the mask of earlier prunings; 0 entries stay 0)."""

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_mask · <name>_orig`` (the mask cast to the parameter's dtype): the
        pruned tensor, differentiable with respect to ``<name>_orig``."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Tensor | None = None,
              **kwargs: Any) -> BasePruningMethod:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, the mask computed from
        ``importance_scores`` (``module.<name>`` when None; same shape required). A tensor
        pruned before gets a :class:`PruningContainer` holding both prunings (the new mask
        acts on the entries the old one kept). Returns the method (or container)."""
        method = _composite_method(cls, module, name, *args, **kwargs)
        orig = getattr(module, name)
        if importance_scores is not None:
            if importance_scores.shape != orig.shape:
                raise AssertionError(
                    f"importance_scores should have the same shape as parameter {name} of "
                    f"{module}, got {tuple(importance_scores.shape)} vs {tuple(orig.shape)}")
        else:
            importance_scores = orig
        if not isinstance(method, PruningContainer):
            # the first pruning: the Parameter becomes <name>_orig (appended last, as torch)
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ag.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if not isinstance(method, PruningContainer):  # undo the reparametrisation
                orig = getattr(module, name + "_orig")
                module.register_parameter(name, orig)
                del module._parameters[name + "_orig"]
            raise
        return method

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """``t · mask``, the mask computed from ``importance_scores`` (``t`` when None)
        on top of ``default_mask`` (all ones when None)."""
        if importance_scores is not None:
            if importance_scores.shape != t.shape:
                raise AssertionError(
                    f"importance_scores should have the same shape as tensor t, got "
                    f"{tuple(importance_scores.shape)} vs {tuple(t.shape)}")
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else ag.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``module.<name>`` becomes the Parameter
        ``<name>_orig`` holding the pruned values; ``<name>_orig`` and ``<name>_mask`` go.
        (The hook itself is dropped by :func:`nn.utils.prune.remove`.)"""
        if self._tensor_name is None:
            raise AssertionError(
                f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + "_orig"]
        orig.data = weight.data
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


def _composite_method(cls: type, module: Module, name: str, *args: Any,
                      **kwargs: Any) -> BasePruningMethod:
    """The new method ``cls(*args, **kwargs)`` for ``name``, merged with the pruning
    hook already on ``name`` (which is unregistered): appended to its container, or a new
    container holding both (torch's ``_get_composite_method``)."""
    old_method = None
    found = 0
    hooks_to_remove = []
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            old_method = hook
            hooks_to_remove.append(k)
            found += 1
    if found > 1:
        raise AssertionError(
            f"Avoid adding multiple pruning hooks to the same tensor {name} of module "
            f"{module}. Use a PruningContainer.")
    for k in hooks_to_remove:
        del module._forward_pre_hooks[k]
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if old_method is not None:
        if isinstance(old_method, PruningContainer):
            old_method.add_pruning_method(method)
            method = old_method
        elif isinstance(old_method, BasePruningMethod):
            container = PruningContainer(old_method)
            container.add_pruning_method(method)
            method = container
    return method


class PruningContainer(BasePruningMethod):
    """A sequence of pruning methods applied one after another to one tensor: its mask
    is the previous mask with the last method's mask computed on the entries (or, for
    structured methods, the channels along ``dim``) the previous mask still keeps."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:  # several or none: _tensor_name must already be set (as in torch)
            for method in args:
                self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod | None) -> None:
        """Append ``method``, which must prune the same tensor name."""
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        elif method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer {self}. Found "
                f"'{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx: Any) -> Any:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` (cast to ``t``'s dtype) with the last method's mask written
        into the part it still keeps (torch's ``_combine_masks``): for an unstructured
        method the entries equal to 1 (flattened, so an ``amount`` fraction counts the
        remaining entries); for a structured one the slices along ``method.dim`` with
        any nonzero entry; for a global one the whole tensor. A copy: ``default_mask``
        is left as it was."""
        method = self._pruning_methods[-1]
        mask = _host(default_mask)
        new_mask = mask.astype(t.dtype)
        if method.PRUNING_TYPE == "unstructured":
            slc: Any = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to '
                                     "have the attribute `dim` defined.")
            n_dims = t.dim()
            dim = method.dim
            if dim < 0:
                dim = n_dims + dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            keep_channel = mask.sum(axis=tuple(d for d in range(n_dims) if d != dim)) != 0
            slc = [slice(None)] * n_dims
            slc[dim] = keep_channel
            slc = tuple(slc)
        elif method.PRUNING_TYPE == "global":
            slc = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        part_t = _wrap(_host(t)[slc], t)
        part_mask = _wrap(mask[slc], default_mask)
        partial_mask = method.compute_mask(part_t, default_mask=part_mask)
        new_mask[slc] = _host(partial_mask).astype(new_mask.dtype)
        return _wrap(new_mask, default_mask)


# -- amount validation (torch's messages) -----------------------------------------------------
def _validate_pruning_amount_init(amount: Any) -> None:
    """``amount`` is a float in [0, 1] (a fraction) or a non-negative int (a count)."""
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral)
            and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")


def _validate_pruning_amount(amount: Any, tensor_size: int) -> None:
    """A count ``amount`` may not exceed the number of units that can be pruned."""
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to "
                         f"prune={tensor_size}")


def _validate_structured_pruning(t: Tensor) -> None:
    shape = tuple(t.shape)
    if len(shape) <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. "
                         f"Found tensor of shape {shape} with {len(shape)} dims")


def _compute_nparams_toprune(amount: Any, tensor_size: int) -> int:
    """The count to prune: ``amount`` itself, or ``round(amount · tensor_size)`` (Python's
    round, half to even, as torch) for a fraction."""
    if isinstance(amount, numbers.Integral):
        return amount
    return round(amount * tensor_size)


def _validate_pruning_dim(t: Tensor, dim: int) -> None:
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {tuple(t.shape)}")
