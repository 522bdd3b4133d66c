"""Lazy modules: a layer whose input size is taken from its first input, as torch's
``LazyModuleMixin``.

Until the first forward (or a load_state_dict) the size-dependent parameters and buffers
are empty placeholders (torch's UninitializedParameter/UninitializedBuffer). The first
input gives them their shapes in place — the same Parameter objects, so an optimizer
built before sees them — they are initialised as the plain layer's constructor does, and
the module becomes the plain class (torch's ``cls_to_become``). :class:`LazyModuleMixin`
holds that mechanism; each lazy layer states only its shapes and where the input size
comes from. This file has ``LazyLinear``; the lazy convolutions and norms are in
``nn.modules.lazy_layers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn.modules.linear import Linear
from nn.modules.module import Module, Parameter

__all__ = ["LazyLinear", "LazyModuleMixin"]


def _lazy_load_hook(module: Any, state_dict: Mapping[str, Any], prefix: str,
                    *_: Any) -> None:
    """load_state_dict pre-hook: shapes a lazy module from the state it is given, so that
    the load's own shape checks then pass (torch's ``_lazy_load_hook``). A function, not a
    bound method, so that a module holding it pickles."""
    if isinstance(module, LazyModuleMixin):
        module._materialize_from_state(state_dict, prefix)


class LazyModuleMixin:
    """Mixed in before the plain layer class. A lazy layer sets ``cls_to_become`` (the plain
    class), ``_feature_attr`` (the attribute the input fixes: ``in_features``,
    ``in_channels``, ``num_features``) and implements ``_lazy_shapes``,
    ``_features_from_input`` and ``_features_from_state``; its ``__init__`` runs the plain
    constructor with that size 0 and then calls :meth:`_make_lazy`."""

    cls_to_become: type = Module  # the plain class: each lazy layer names its own
    _feature_attr = ""

    # -- what each lazy layer states ------------------------------------------------------
    def _lazy_shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        """The shape of each size-dependent parameter/buffer once the input size is n."""
        raise NotImplementedError

    def _features_from_input(self, input: Tensor) -> int:
        """The input size read from the first input (raising torch's error on a bad one)."""
        raise NotImplementedError

    def _features_from_state(self, name: str, shape: tuple[int, ...]) -> int | None:
        """The input size that a saved ``name`` of ``shape`` implies (None: it doesn't)."""
        raise NotImplementedError

    # -- the shared mechanism -------------------------------------------------------------
    def _make_lazy(self, params: Iterable[str], buffers: Iterable[str] = (), dtype: Any = None,
                   device: Any = None) -> None:
        """Replace ``params`` and ``buffers`` by empty placeholders of ``dtype`` and move the
        module to ``device``; ``.to()``/``.double()`` before the first input then convert
        the placeholders, whose dtype and device the materialised tensors take."""
        assert isinstance(self, Module)
        dt = np.dtype(dtype or np.float32)
        names = []
        for name in params:
            setattr(self, name, Parameter(np.empty((0,), dt)))
            names.append(name)
        for name in buffers:
            self.register_buffer(name, ag.zeros(0, dtype=dt))
            names.append(name)
        self.__dict__["_lazy_names"] = names
        handle = self.register_load_state_dict_pre_hook(_lazy_load_hook)
        self.__dict__["_lazy_hook_id"] = handle.id
        if device is not None:
            self.to(device)

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer is still a placeholder (False for a layer with
        none, e.g. ``LazyBatchNorm2d(affine=False, track_running_stats=False)``, as torch)."""
        return bool(self.__dict__.get("_lazy_names"))

    def _awaits_input(self) -> bool:
        # a layer without placeholders still learns its size, where torch's keeps 0 (its
        # plain forward would then refuse the input's channel count)
        return self.has_uninitialized_params() or getattr(self, self._feature_attr) == 0

    def reset_parameters(self) -> None:
        """The plain layer's initialisation, once the shapes are known (the plain
        constructor, run with size 0, calls this too: nothing to draw then)."""
        if not self.has_uninitialized_params() and getattr(self, self._feature_attr) != 0:
            super().reset_parameters()  # type: ignore[misc]

    def _materialize(self, n: int) -> None:
        """Fix the input size to n and give every placeholder its shape (zeros, in place)."""
        shapes = self._lazy_shapes(n)
        with ag.no_grad():
            for name in self.__dict__.get("_lazy_names", ()):
                t = getattr(self, name)
                t.data = ag.zeros(shapes[name], dtype=t.dtype, device=t.device)
        setattr(self, self._feature_attr, int(n))
        self.__dict__["_lazy_names"] = []

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        """Shape the placeholders for ``input`` and initialise them as the plain layer."""
        if self._awaits_input():
            self._materialize(self._features_from_input(input))
            self.reset_parameters()

    def _materialize_from_state(self, state_dict: Mapping[str, Any], prefix: str) -> None:
        """Shape the placeholders from a saved materialised state. Only when every saved
        entry agrees with one input size: otherwise nothing changes and the load reports
        the mismatch (a failed load leaves the module as it was). Entries the state lacks
        (strict=False) are initialised as the plain layer."""
        names = self.__dict__.get("_lazy_names", ())
        saved = {name: tuple(np.shape(state_dict[prefix + name])) for name in names
                 if prefix + name in state_dict}
        saved = {k: s for k, s in saved.items() if s != (0,)}  # an unmaterialised save
        sizes = {self._features_from_state(k, s) for k, s in saved.items()} - {None}
        if len(sizes) != 1:
            return
        n = sizes.pop()
        shapes = self._lazy_shapes(n)
        if n <= 0 or any(shapes[k] != s for k, s in saved.items()):
            return
        self._materialize(n)
        if len(saved) < len(names):
            self.reset_parameters()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The first call: materialise from ``args[0]``, become ``cls_to_become``, and run
        its forward (later calls go straight to it)."""
        self.initialize_parameters(*args, **kwargs)
        plain = self.cls_to_become
        self._become()
        return plain.forward(self, *args, **kwargs)

    def _become(self) -> None:
        # the load hook has no more to do; a plain layer carries nothing of the lazy one
        hooks = self.__dict__.get("_load_state_dict_pre_hooks", {})
        hooks.pop(self.__dict__.pop("_lazy_hook_id", None), None)
        if not hooks:
            self.__dict__.pop("_load_state_dict_pre_hooks", None)
        self.__dict__.pop("_lazy_names", None)
        self.__class__ = self.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """y = x Wᵀ + b with W (out_features, in_features), in_features fixed by the first
    input's last dim: (…, in_features) → (…, out_features)."""

    cls_to_become = Linear
    _feature_attr = "in_features"

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        Linear.__init__(self, 0, out_features, False, None, dtype)
        self._make_lazy(["weight", "bias"] if bias else ["weight"], dtype=dtype, device=device)

    def _lazy_shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        return {"weight": (self.out_features, n), "bias": (self.out_features,)}

    def _features_from_input(self, input: Tensor) -> int:
        return int(input.shape[-1])

    def _features_from_state(self, name: str, shape: tuple[int, ...]) -> int | None:
        return shape[1] if name == "weight" and len(shape) == 2 else None
