"""Module hooks as torch's: handles, global hooks, and the full backward hook.

``Module.__call__`` runs, in torch's order: global then module forward pre-hooks
(each may replace the positional args), the backward-hook identity around the tensor
inputs, ``forward``, global then module forward hooks (each may replace the output),
and the backward-hook identity around the tensor outputs.

A full backward hook ``hook(module, grad_input, grad_output)`` fires when the
gradients with respect to the module's tensor inputs have been computed, as torch's
``BackwardHook`` does: :class:`BackwardHookFunction` is an identity ``ag.Function``
applied to the inputs that require grad and to the outputs; the outputs' copy records
``grad_output`` as it passes, the inputs' copy hands ``grad_input`` (one entry per
positional argument, None where there is no gradient) to the hooks, and what a hook
returns replaces ``grad_input``. When no input requires grad the hooks are called at
the outputs with ``grad_input`` all None (and must return None).
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.function import Function, FunctionBackward
from autograd.grad_mode import is_grad_enabled
from autograd.tensor import Tensor

__all__ = [
    "GLOBAL_ON", "HOOK_STATE", "BackwardHook", "BackwardHookFunction", "RemovableHandle",
    "register_module_forward_hook", "register_module_forward_pre_hook",
    "register_module_full_backward_hook", "register_module_full_backward_pre_hook",
]

_IDS = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (also as a
    context manager: the hook is removed on exit)."""

    def __init__(self, hooks_dict: dict, *extra: Any, on_remove: Callable | None = None
                 ) -> None:
        self.id = next(_IDS)
        self._dicts = (hooks_dict, *extra)
        self._on_remove = on_remove

    def remove(self) -> None:
        for d in self._dicts:
            if isinstance(d, dict):
                d.pop(self.id, None)
            else:
                d.discard(self.id)
        if self._on_remove is not None:
            self._on_remove()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


# Global hooks (torch.nn.modules.module.register_module_*): run for every module,
# before that module's own hooks.
GLOBAL: dict[str, Any] = {
    "forward_pre": OrderedDict(), "forward": OrderedDict(), "forward_always": set(),
    "backward": OrderedDict(), "backward_pre": OrderedDict(),
}
# Whether any global hook is registered: Module.__call__ reads this one flag.
GLOBAL_ON = [False]


def _global_changed() -> None:
    GLOBAL_ON[0] = bool(GLOBAL["forward_pre"] or GLOBAL["forward"] or GLOBAL["backward"]
                        or GLOBAL["backward_pre"])


def _register(d: OrderedDict, hook: Callable, prepend: bool, *extra: Any,
              on_remove: Callable | None = None) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(d, *extra, on_remove=on_remove)
    d[handle.id] = hook
    if prepend:
        d.move_to_end(handle.id, last=False)
    if on_remove is not None:
        on_remove()
    return handle


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """A forward pre-hook ``hook(module, args)`` for every module (runs first)."""
    return _register(GLOBAL["forward_pre"], hook, False, on_remove=_global_changed)


def register_module_forward_hook(hook: Callable, *, always_call: bool = False
                                 ) -> RemovableHandle:
    """A forward hook ``hook(module, args, output)`` for every module (runs first)."""
    handle = _register(GLOBAL["forward"], hook, False, GLOBAL["forward_always"],
                       on_remove=_global_changed)
    if always_call:
        GLOBAL["forward_always"].add(handle.id)
    return handle


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """A full backward hook ``hook(module, grad_input, grad_output)`` for every module."""
    return _register(GLOBAL["backward"], hook, False, on_remove=_global_changed)


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """A backward pre-hook ``hook(module, grad_output)`` for every module."""
    return _register(GLOBAL["backward_pre"], hook, False, on_remove=_global_changed)


class BackwardHookFunctionBackward(FunctionBackward):
    """The identity's node: notes which outputs got no gradient at all (the Function's
    backward sees zeros there; torch's hooks see None)."""

    def vjp(self, g, xp):
        ctx = self.meta[0]
        ctx.missing = tuple(x is None for x in g) if isinstance(g, tuple) else (g is None,)
        return super().vjp(g, xp)


class BackwardHookFunction(Function):
    """Identity on tensors whose backward hands the gradients to a :class:`BackwardHook`
    (``forward(ctx, owner, side, *tensors)``, side ``'in'`` or ``'out'``)."""

    @classmethod
    def _node_class(cls) -> type:
        BackwardHookFunctionBackward.fn = cls
        return BackwardHookFunctionBackward

    @staticmethod
    def forward(ctx: Any, owner: BackwardHook, side: str, *tensors: Tensor) -> tuple:
        ctx.owner, ctx.side = owner, side
        return tensors

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        owner = ctx.owner
        missing = getattr(ctx, "missing", ())
        grads = tuple(None if m else g for g, m in zip(grads, missing)) + grads[len(missing):]
        res = owner._on_inputs(grads) if ctx.side == "in" else owner._on_outputs(grads)
        return (None, None, *res)


def _pack(index: list, values: Any, n: int) -> tuple:
    out: list = [None] * n
    for i, v in zip(index, values):
        out[i] = v
    return tuple(out)


def _check_count(res: Any, expected: int, what: str) -> tuple:
    if not isinstance(res, tuple | list) or len(res) != expected:
        got = len(res) if isinstance(res, tuple | list) else type(res).__name__
        raise RuntimeError(f"Backward hook returned an invalid number of {what}, got {got}, "
                           f"but expected {expected}")
    return tuple(res)


class BackwardHook:
    """One module call's full backward hooks (torch's ``torch.utils.hooks.BackwardHook``)."""

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.input_index: list | None = None
        self.input_zeros: dict = {}
        self.n_outputs = 0
        self.output_index: list = []

    @staticmethod
    def _wrap(owner: BackwardHook, side: str, items: tuple) -> tuple[tuple, list | None]:
        index = [i for i, a in enumerate(items) if isinstance(a, Tensor) and a.requires_grad]
        if not index or not is_grad_enabled():
            return items, None
        new = BackwardHookFunction.apply(owner, side, *(items[i] for i in index))
        out = list(items)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        args, self.input_index = self._wrap(self, "in", args)
        # tensors that need no gradient get zeros in grad_input, as torch's
        self.input_zeros = {i: (a.shape, a.dtype) for i, a in enumerate(args)
                            if self.input_index is not None and isinstance(a, Tensor)
                            and i not in self.input_index}
        return args

    def setup_output_hook(self, result: Any) -> Any:
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        self.n_outputs = len(outs)
        new, index = self._wrap(self, "out", outs)
        self.output_index = index or []
        return new[0] if single else new

    def _on_outputs(self, grads: tuple) -> tuple:
        grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.user_pre_hooks:
            res = hook(self.module, grad_outputs)
            if res is not None:
                if not isinstance(res, tuple):
                    res = (res,)
                grad_outputs = _check_count(res, self.n_outputs, "grad_output")
        self.grad_outputs = grad_outputs
        if self.input_index is None:  # no input needs a gradient: call the hooks now
            if self.user_hooks:
                warnings.warn("Full backward hook is firing when gradients are computed with "
                              "respect to module outputs since no inputs require gradients.",
                              stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, grad_outputs)
                if res is not None and not (isinstance(res, tuple)
                                            and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)

    def _on_inputs(self, grads: tuple) -> tuple:
        index = self.input_index or []
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing the outputs (double backward)
            return grads
        grad_inputs = list(_pack(index, grads, self.n_inputs))
        for i, (shape, dtype) in self.input_zeros.items():
            grad_inputs[i] = Tensor(np.zeros(shape, dtype))
        grad_inputs = tuple(grad_inputs)
        for hook in self.user_hooks:
            res = hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None:
                grad_inputs = _check_count(res, self.n_inputs, "grad_input")
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in index)


HOOK_STATE = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks",
              "_backward_pre_hooks", "_forward_pre_hooks_with_kwargs",
              "_forward_hooks_with_kwargs", "_forward_hooks_always_called")


def init_hook_state(d: dict) -> None:
    """Give a module (its ``__dict__`` ``d``) torch's empty hook registries. Created on
    first use (a registration, or reading one of them): a module that never had a
    hook is called without looking at any (``Module.__call__`` tests for
    ``'_forward_hooks' in __dict__`` and :data:`GLOBAL_ON`)."""
    for name in HOOK_STATE[:4]:
        d[name] = OrderedDict()
    for name in HOOK_STATE[4:]:
        d[name] = set()


class HookMixin:
    """Module's hook registration and the hooked call (torch's ``_call_impl``)."""

    def _hook_dict(self, name: str) -> Any:
        d = self.__dict__
        if name not in d:  # first use
            init_hook_state(d)
        return d[name]

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` before ``forward``; a non-None result replaces ``args``
        (a non-tuple is wrapped in one). With ``with_kwargs`` it is
        ``hook(module, args, kwargs)`` and returns None or ``(args, kwargs)``."""
        kw = self._hook_dict("_forward_pre_hooks_with_kwargs")
        handle = _register(self._hook_dict("_forward_pre_hooks"), hook, prepend, kw)
        if with_kwargs:
            kw.add(handle.id)
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False
                              ) -> RemovableHandle:
        """``hook(module, args, output)`` after ``forward`` (``args`` as ``forward`` got
        them); a non-None result replaces the output. With ``with_kwargs`` it is
        ``hook(module, args, kwargs, output)``; ``always_call`` runs it even when
        ``forward`` raised."""
        kw = self._hook_dict("_forward_hooks_with_kwargs")
        always = self._hook_dict("_forward_hooks_always_called")
        handle = _register(self._hook_dict("_forward_hooks"), hook, prepend, kw, always)
        if with_kwargs:
            kw.add(handle.id)
        if always_call:
            always.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` when the gradients with respect to
        the module's inputs are computed; a non-None result replaces ``grad_input``."""
        return _register(self._hook_dict("_backward_hooks"), hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False
                                        ) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradients of the module's outputs are
        computed; a non-None result replaces ``grad_output``."""
        return _register(self._hook_dict("_backward_pre_hooks"), hook, prepend)

    def _call_hooked(self, args: tuple, kwargs: dict) -> Any:
        d = self.__dict__
        if "_forward_hooks" not in d:
            init_hook_state(d)
        if not (GLOBAL_ON[0] or d["_forward_pre_hooks"] or d["_backward_hooks"]
                or d["_backward_pre_hooks"]):
            hooks = d["_forward_hooks"]
            if not hooks:
                return self.forward(*args, **kwargs)
            if not (d["_forward_hooks_with_kwargs"] or d["_forward_hooks_always_called"]):
                # plain forward hooks only (a Monitor's): one call each, nothing built
                # but the snapshot torch takes too (a hook may remove itself)
                result = self.forward(*args, **kwargs)
                for hook in tuple(hooks.values()):
                    res = hook(self, args, result)
                    if res is not None:
                        result = res
                return result
        pre_kw = d["_forward_pre_hooks_with_kwargs"]
        for hid, hook in [*GLOBAL["forward_pre"].items(), *d["_forward_pre_hooks"].items()]:
            if hid in pre_kw:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res}.")
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        full = [*GLOBAL["backward"].values(), *d["_backward_hooks"].values()]
        pre = [*GLOBAL["backward_pre"].values(), *d["_backward_pre_hooks"].values()]
        bw = None
        if full or pre:
            bw = BackwardHook(self, full, pre)
            args = bw.setup_input_hook(args)
        fwd = [*GLOBAL["forward"].items(), *d["_forward_hooks"].items()]
        try:
            result = self.forward(*args, **kwargs)
        except Exception:
            always = GLOBAL["forward_always"] | d["_forward_hooks_always_called"]
            for hid, hook in fwd:
                if hid in always:
                    try:
                        self._run_forward_hook(hid, hook, args, kwargs, None)
                    except Exception:  # noqa: BLE001, S110 - torch reports forward's error
                        pass
            raise
        for hid, hook in fwd:
            res = self._run_forward_hook(hid, hook, args, kwargs, result)
            if res is not None:
                result = res
        if bw is not None:
            result = bw.setup_output_hook(result)
        return result

    def _run_forward_hook(self, hid: int, hook: Callable, args: tuple, kwargs: dict,
                          result: Any) -> Any:
        if hid in self.__dict__["_forward_hooks_with_kwargs"]:
            return hook(self, args, kwargs, result)
        return hook(self, args, result)
