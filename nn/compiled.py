"""``torch.compile`` for programs written for torch: chainrule has no compiler, so the
compiled model is the model itself, run eagerly, inside torch's wrapper.

The wrapper matters more than the speed-up it stands for: ``torch.compile(model)``
returns an ``OptimizedModule`` holding the model as ``_orig_mod``, so its ``state_dict``
keys start with ``_orig_mod.`` (nanoGPT strips that prefix when it resumes), its
attributes read through to the model's and ``train()``/``eval()`` reach the model. Code
that saves, loads or inspects a compiled model therefore sees what it sees under torch.
A compiled function is the function. torch's argument checks are kept (an unknown
``mode``, ``mode`` with ``options``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from nn.modules.module import Module

__all__ = ["OptimizedModule", "compile"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


class OptimizedModule(Module):
    """What ``compile(module)`` returns: ``_orig_mod`` run as it is (see the module)."""

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod
        self.training = mod.training

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod(*args, **kwargs)

    def __len__(self) -> int:  # torch's wrapper has it (not __getitem__: c[0] raises)
        return len(self._orig_mod)

    def __getattr__(self, name: str) -> Any:
        # the wrapper's own parameters/buffers/submodules first (only _orig_mod), then
        # the model's attributes, as torch's OptimizedModule reads them
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__["_modules"]["_orig_mod"], name)


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: Any = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:
    """torch.compile: a Module in an :class:`OptimizedModule`, a function as it is; with
    ``model=None`` a decorator (``@torch.compile(mode=...)``).

    Raises:
        RuntimeError: ``mode`` is not one of torch's, or is given with ``options``.
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(_MODES)}")
    if model is None:
        def decorate(fn: Any) -> Any:
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, disable=disable)
        return decorate
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)
    if not callable(model):
        raise RuntimeError(f"compile: expected a callable or an nn.Module, got "
                           f"{type(model).__name__}")
    return _eager(model)


def _eager(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    compiled._torchdynamo_orig_callable = fn  # type: ignore[attr-defined]  # torch's name
    return compiled
