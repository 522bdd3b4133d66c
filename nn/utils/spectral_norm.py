"""Spectral normalisation by a forward pre-hook (torch's ``nn.utils.spectral_norm`` and
``remove_spectral_norm``; torch recommends the parametrization,
:func:`nn.utils.parametrizations.spectral_norm`, which older code does not use).

The parameter ``<name>`` becomes ``<name>_orig``; the buffers ``<name>_u`` (h,) and
``<name>_v`` (w,) hold the power iteration's vectors, and before every forward
``module.<name> = <name>_orig / σ`` with ``σ = uᵀ W v`` (W: ``<name>_orig`` with ``dim``
first and the rest flattened, h × w). In training mode each forward first advances
``v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖`` ``n_power_iterations`` times (no gradient through them).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from nn.modules.module import Module, Parameter

__all__ = ["SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook",
           "remove_spectral_norm", "spectral_norm"]


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm` (torch's class of that name)."""

    _version: int = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """(size along ``dim``, the rest flattened)."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.ndim)
                                                if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """``<name>_orig / (uᵀ W v)``, after ``n_power_iterations`` steps of the power
        iteration (written into the buffers) when ``do_power_iteration``."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with ag.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(ag.mv(weight_mat.t(), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(ag.mv(weight_mat, v), dim=0, eps=self.eps))
                # clones: the buffers change in place at the next forward, and backward
                # needs the values this forward used
                u = u.clone()
                v = v.clone()
        sigma = ag.dot(u, ag.mv(weight_mat, v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with ag.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat: Tensor, u: Tensor, target_sigma: Any
                             ) -> Tensor:
        """A ``v`` with ``uᵀ W v = target_sigma`` (least squares ``v = (WᵀW)⁺ Wᵀ u``,
        rescaled): torch's recovery of ``v`` from a version-0 checkpoint."""
        w = weight_mat._data
        v = np.linalg.pinv(w.T @ w) @ w.T @ u._data
        sigma = np.asarray(target_sigma._data if isinstance(target_sigma, Tensor)
                           else target_sigma)
        return ag.tensor((v * (sigma / (u._data @ (w @ v)))).astype(w.dtype))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float
              ) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError("Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        lazy = getattr(module, "has_uninitialized_params", None)
        if callable(lazy) and lazy():
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying spectral normalization")
        with ag.no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # a plain attribute until the first forward recomputes it (torch's weight.data)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module.register_state_dict_post_hook(SpectralNormStateDictHook(fn))
        module.register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Loads a checkpoint of torch's version-0 format (``<name>``, ``<name>_orig`` and
    ``<name>_u`` saved, no ``<name>_v``) by solving for ``v``; current ones pass
    through."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: dict, prefix: str, local_metadata: dict,
                 strict: bool, missing_keys: list, unexpected_keys: list,
                 error_msgs: list) -> None:
        fn = self.fn
        version = (local_metadata or {}).get("spectral_norm", {}).get(fn.name + ".version")
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if version is None and weight_key not in state_dict and all(
                weight_key + s in state_dict for s in ("_orig", "_u", "_v")):
            return
        has_missing_keys = False
        for suffix in ("_orig", "", "_u"):
            key = weight_key + suffix
            if key not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(key)
        if has_missing_keys:
            return
        with ag.no_grad():
            weight_orig = _as_tensor(state_dict[weight_key + "_orig"])
            weight = _as_tensor(state_dict.pop(weight_key))
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = _as_tensor(state_dict[weight_key + "_u"])
            state_dict[weight_key + "_v"] = fn._solve_v_and_rescale(weight_mat, u, sigma)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else ag.tensor(np.asarray(x))


class SpectralNormStateDictHook:
    """Records the format version in the state dict's metadata (torch's)."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: dict, prefix: str,
                 local_metadata: dict) -> None:
        meta = local_metadata.setdefault("spectral_norm", {})
        key = self.fn.name + ".version"
        if key in meta:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        meta[key] = self.fn._version


T_module = TypeVar("T_module", bound=Module)


def spectral_norm(module: T_module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> T_module:
    """Spectrally normalise ``module.<name>`` by a forward pre-hook (see the module
    docstring): state-dict keys ``<name>_orig``, ``<name>_u``, ``<name>_v`` as torch's;
    ``u``, ``v`` start as normalised N(0, 1) draws.

    Args:
        dim: the output dim (default 1 for transposed convolutions, else 0).

    Raises:
        RuntimeError: ``name`` is already spectrally normalised.
        ValueError: ``n_power_iterations <= 0``, or the parameter is None.
    """
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose1d | ConvTranspose2d | ConvTranspose3d) \
            else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`spectral_norm`: ``<name>`` becomes a Parameter again holding
    ``<name>_orig / σ`` (σ from the current ``u``, ``v``).

    Raises:
        ValueError: ``name`` is not spectrally normalised.
    """
    hooks = module._forward_pre_hooks
    for k, hook in hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for registry, cls in (("_state_dict_hooks", SpectralNormStateDictHook),
                          ("_load_state_dict_pre_hooks", SpectralNormLoadStateDictPreHook)):
        registered = module.__dict__.get(registry, {})
        for k, hook in registered.items():
            if isinstance(hook, cls) and hook.fn.name == name:
                del registered[k]
                break
    return module
