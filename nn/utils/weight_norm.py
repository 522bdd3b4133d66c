"""Weight normalisation by a forward pre-hook (torch's ``nn.utils.weight_norm`` and
``remove_weight_norm``, deprecated there in favour of the parametrization, and still
used by older code)."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from autograd.tensor import Tensor
from nn.modules.module import Module, Parameter

__all__ = ["WeightNorm", "remove_weight_norm", "weight_norm"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, keeping ``v``'s rank
    (size 1 except along ``dim``); ``dim=-1`` means the norm of the whole tensor (a 0-d
    tensor), as torch's ``norm_except_dim``."""
    if dim == -1:
        return v.norm(pow)
    dim = dim % v.ndim
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.norm(pow, dim=others, keepdim=True) if others else v.abs()


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: sets ``module.<name>`` to
    ``g · v / ‖v‖`` (norm over all dims but ``dim``) before each forward."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        # w = g · v / ‖v‖, starting at g = ‖w‖, v = w (the same weight)
        module.register_parameter(name + "_g",
                                  Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


T_module = TypeVar("T_module", bound=Module)


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    r"""Reparametrise ``module.<name>`` as ``w = g · v / ‖v‖`` (Salimans & Kingma,
    2016): the parameter is replaced by ``<name>_g`` (the norms, shape 1 except along
    ``dim``; one number for ``dim=None``) and ``<name>_v`` (the direction), and ``w`` is
    recomputed from them before every forward, so gradients reach ``g`` and ``v``.
    Registration order and state_dict keys are torch's (``<name>_g``, ``<name>_v`` last).

    Raises:
        RuntimeError: ``name`` is already weight-normalised.
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`weight_norm`: ``<name>`` becomes a Parameter again, holding the
    current ``g · v / ‖v‖``.

    Raises:
        ValueError: ``name`` is not weight-normalised.
    """
    hooks = module._forward_pre_hooks
    for k, hook in hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
