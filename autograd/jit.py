"""``torch.jit`` for programs written for torch: chainrule runs everything eagerly, so
``script`` and ``trace`` hand back what they are given (a scripted or traced model
computes what the model computes; its parameters, state_dict keys and attributes are the
model's own, as a ScriptModule's are), and the decorators that steer the TorchScript
compiler (``ignore``, ``unused``, ``export``) change nothing. ``is_scripting()`` and
``is_tracing()`` are False, so code guarded by them takes its eager branch, as in torch
outside TorchScript. TorchScript files (``jit.save``/``jit.load``) are not provided: they
hold compiled code that only torch can run; ``autograd.save`` saves a ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["annotate", "export", "ignore", "is_scripting", "is_tracing", "script", "trace",
           "unused"]


def script(obj: Any, optimize: Any = None, _frames_up: int = 0, _rcb: Any = None,
           example_inputs: Any = None) -> Any:
    """torch.jit.script: ``obj`` itself (a Module, a function or a class), run eagerly."""
    return obj


def trace(func: Any, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Any:
    """torch.jit.trace: ``func`` itself; no graph is frozen, so data-dependent control
    flow keeps working (where torch's trace would have fixed one branch)."""
    return func


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """@torch.jit.ignore and @torch.jit.ignore(drop=True): the function unchanged."""
    return drop if callable(drop) else (lambda fn: fn)


def unused(fn: Callable) -> Callable:
    """@torch.jit.unused: the function unchanged."""
    return fn


def export(fn: Callable) -> Callable:
    """@torch.jit.export: the method unchanged."""
    return fn


def is_scripting() -> bool:
    """False: nothing here runs as TorchScript."""
    return False


def is_tracing() -> bool:
    """False: nothing here is being traced."""
    return False


def annotate(the_type: Any, the_value: Any) -> Any:
    """torch.jit.annotate: the value (the type is for TorchScript's compiler)."""
    return the_value
