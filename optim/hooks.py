"""Optimizer hooks, as torch's: around ``step()`` (per optimizer and global), around
``state_dict()`` and ``load_state_dict()``.

``step`` hooks run from a wrapper put once on the optimizer's class (torch's
``_patch_step_function``): global then the optimizer's pre-hooks, ``step``, then the
optimizer's and the global post-hooks.
"""

from __future__ import annotations

import functools
import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["OptimizerHooks", "RemovableHandle", "register_optimizer_step_post_hook",
           "register_optimizer_step_pre_hook"]

_IDS = itertools.count()
_global_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_post_hooks: OrderedDict[int, Callable] = OrderedDict()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (also
    as a context manager)."""

    def __init__(self, hooks: dict[int, Callable]) -> None:
        self.id = next(_IDS)
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _add(hooks: OrderedDict[int, Callable], hook: Callable, prepend: bool = False
         ) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """A pre-hook ``hook(optimizer, args, kwargs)`` for every optimizer's ``step``."""
    return _add(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """A post-hook ``hook(optimizer, args, kwargs)`` for every optimizer's ``step``."""
    return _add(_global_post_hooks, hook)


def hooked_step(func: Callable) -> Callable:
    """``func`` (a ``step``) running the step hooks around it."""

    @functools.wraps(func)
    def step(*args: Any, **kwargs: Any) -> Any:
        # args[0] is the optimizer, and the hooks get it within args, as torch's
        self = args[0]
        pre = self.__dict__.get("_optimizer_step_pre_hooks")
        post = self.__dict__.get("_optimizer_step_post_hooks")
        if not (pre or post or _global_pre_hooks or _global_post_hooks):
            return func(*args, **kwargs)
        for hook in itertools.chain(_global_pre_hooks.values(), (pre or {}).values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{hook} must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        out = func(*args, **kwargs)
        for hook in itertools.chain((post or {}).values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step.hooked = True  # type: ignore[attr-defined]
    return step


class OptimizerHooks:
    """The ``register_*_hook`` methods of :class:`~optim.Optimizer` (torch's)."""

    def _patch_step_function(self) -> None:
        cls = self.__class__
        if not getattr(cls.step, "hooked", False):  # type: ignore[attr-defined]
            cls.step = hooked_step(cls.step)  # type: ignore[attr-defined]

    def _hooks(self, name: str) -> OrderedDict[int, Callable]:
        hooks = self.__dict__.get(name)
        if hooks is None:
            hooks = self.__dict__[name] = OrderedDict()
        return hooks

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before each ``step``; it may return
        ``(new_args, new_kwargs)``."""
        return _add(self._hooks("_optimizer_step_pre_hooks"), hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after each ``step``."""
        return _add(self._hooks("_optimizer_step_post_hooks"), hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False
                                     ) -> RemovableHandle:
        """``hook(optimizer)`` before ``state_dict()`` builds the dict."""
        return _add(self._hooks("_optimizer_state_dict_pre_hooks"), hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False
                                      ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` after ``state_dict()``; it may return a new
        dict."""
        return _add(self._hooks("_optimizer_state_dict_post_hooks"), hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False
                                          ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` before ``load_state_dict`` reads the dict (a
        shallow copy); it may return a new dict."""
        return _add(self._hooks("_optimizer_load_state_dict_pre_hooks"), hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False
                                           ) -> RemovableHandle:
        """``hook(optimizer)`` after ``load_state_dict``."""
        return _add(self._hooks("_optimizer_load_state_dict_post_hooks"), hook, prepend)

    def _run_dict_hooks(self, name: str, *args: Any) -> Any:
        """Run the hooks ``name``; the last result that is not None (a state dict)."""
        out = args[-1] if args else None
        for hook in (self.__dict__.get(name) or {}).values():
            result = hook(self, *args[:-1], out) if args else hook(self)
            if args and result is not None:
                out = result
        return out
