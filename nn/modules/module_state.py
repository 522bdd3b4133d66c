"""Module's torch API around its state: the state_dict and load_state_dict hooks, extra
state (``get_extra_state``/``set_extra_state`` under the ``_extra_state`` key),
``set_submodule``, ``type``, ``share_memory``, ``to_empty`` and ``compile``.

Hooks live in ``OrderedDict``s created on first registration (a module without them
pays nothing); their handles are ``RemovableHandle``s as the other hooks'.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

import autograd as ag
from autograd import backend
from autograd.tensor import Tensor
from nn.modules.hooks import RemovableHandle, _register

__all__ = ["EXTRA_STATE_KEY", "StateMixin", "has_extra_state"]  # and _IncompatibleKeys

EXTRA_STATE_KEY = "_extra_state"


def has_extra_state(module: Any) -> bool:
    """Whether ``module`` overrides ``get_extra_state`` (torch saves it only then)."""
    return type(module).get_extra_state is not StateMixin.get_extra_state


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` reports: keys the state lacked, and keys it had extra."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:  # torch's: print(model.load_state_dict(sd)) in notebooks
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


class StateMixin:
    """torch's state-related Module methods: state_dict, load_state_dict and the rest."""

    def _state_items(self, prefix: str = "", recurse: bool = True
                     ) -> Iterator[tuple[str, Any]]:
        """``(dotted name, tensor)`` for every parameter and persistent buffer, in torch's
        state_dict order (a module's parameters, its buffers, then its children).
        Shared tensors appear under each name, as in torch."""
        stack: list = [(prefix, self)]
        while stack:
            pre, mod = stack.pop()
            for name, p in mod._parameters.items():
                if p is not None:
                    yield pre + name, p
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent:
                    yield pre + name, b
            if has_extra_state(mod):  # torch's key; the module stands for its value
                yield pre + EXTRA_STATE_KEY, mod
            if not recurse:
                return
            kids = [(f"{pre}{k}.", m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(kids))

    def state_dict(self, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Ordered ``name -> np.ndarray`` copies of every parameter and persistent buffer
        (torch's dotted names; ``keep_vars=True`` gives the Tensors themselves), with
        ``<module>._extra_state`` for a module overriding ``get_extra_state`` and torch's
        state_dict pre/post hooks run around each module."""
        out = OrderedDict() if destination is None else destination
        if self._any_hooks("_state_dict_pre_hooks") or self._any_hooks("_state_dict_hooks"):
            self._save_hooked(out, prefix, keep_vars)
            return out
        for name, t in self._state_items(prefix):
            out[name] = _saved(t, keep_vars)
        return out

    def _save_hooked(self, out: dict, prefix: str, keep_vars: bool) -> None:
        """torch's recursion: pre-hooks, this module's own entries, its children, then
        its post-hooks."""
        for hook in self.__dict__.get("_state_dict_pre_hooks", {}).values():
            hook(self, prefix, keep_vars)
        for name, t in self._state_items(prefix, recurse=False):
            out[name] = _saved(t, keep_vars)
        for k, m in self._modules.items():
            if m is not None:
                m._save_hooked(out, f"{prefix}{k}.", keep_vars)
        for hook in self.__dict__.get("_state_dict_hooks", {}).values():
            if hook(self, out, prefix, {}) is not None:
                raise RuntimeError("state_dict post-hook must return None")

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy ``state_dict``'s values (arrays or Tensors) into this module's parameters
        and buffers, cast to their dtype.

        Everything is checked before anything is copied, so a failed load changes
        nothing: with ``strict`` missing and unexpected keys are errors; a shape
        mismatch, a value that is not numeric or does not cast to the target's dtype
        (complex into real), and a target whose array is read-only always are. All are
        named in one ``RuntimeError`` (torch's order: missing, unexpected, then the
        rest). Returns ``(missing_keys, unexpected_keys)``. ``assign=True`` puts the
        state's own tensors in place instead (torch's: their dtype and device kept, a
        non-Parameter value wrapped in a Parameter with the old one's requires_grad).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        if self._any_hooks("_load_state_dict_pre_hooks"):
            state_dict = OrderedDict(state_dict)  # the hooks edit a copy, as torch's
            for pre, mod in self._prefixed_modules(""):
                for hook in mod.__dict__.get("_load_state_dict_pre_hooks", {}).values():
                    hook(mod, state_dict, pre, {}, strict, [], [], [])
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if self._any_hooks("_load_state_dict_post_hooks"):
            return self._load_hooked(state_dict, own, strict, assign)
        problems: list[str] = []
        values: list[tuple[str, Tensor, np.ndarray]] = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            if not isinstance(target, Tensor):  # a module's extra state
                values.append((key, target, state_dict[key]))
                continue
            cast, problem = _checked_value(key, state_dict[key], target._data)
            if problem:
                problems.append(problem)
            else:
                values.append((key, target, backend.to(cast, target.device)))
        errors = []
        if strict:
            if missing:
                errors.append("Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
        errors.extend(problems)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        self._copy_state(values, state_dict, assign)
        return _IncompatibleKeys(missing, unexpected)

    def _copy_state(self, values: list, state_dict: Mapping, assign: bool) -> None:
        with ag.no_grad():
            for key, target, cast in values:
                if not isinstance(target, Tensor):
                    target.set_extra_state(cast)
                elif assign:
                    self._assign_state(key, state_dict[key], target)
                else:
                    target[...] = cast  # bumps the version; cannot fail after the checks

    def _load_hooked(self, state_dict: Mapping, own: OrderedDict, strict: bool,
                     assign: bool) -> _IncompatibleKeys:
        """torch's order when load_state_dict post-hooks exist: copy what fits, run the
        hooks (they may clear missing/unexpected keys), then apply ``strict``."""
        keys = _IncompatibleKeys([k for k in own if k not in state_dict],
                                 [k for k in state_dict if k not in own])
        values, problems = [], []
        for key, target in own.items():
            if key in state_dict and not isinstance(target, Tensor):
                values.append((key, target, state_dict[key]))
            elif key in state_dict:
                cast, problem = _checked_value(key, state_dict[key], target._data)
                if problem:
                    problems.append(problem)
                else:
                    values.append((key, target, backend.to(cast, target.device)))
        self._copy_state(values, state_dict, assign)
        for _, mod in self._prefixed_modules(""):
            for hook in mod.__dict__.get("_load_state_dict_post_hooks", {}).values():
                if hook(mod, keys) is not None:
                    raise RuntimeError("load_state_dict post-hook must return None")
        errors = []
        if strict and keys.missing_keys:
            errors.append("Missing key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in keys.missing_keys) + ".")
        if strict and keys.unexpected_keys:
            errors.append("Unexpected key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in keys.unexpected_keys) + ".")
        errors.extend(problems)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        return keys

    def _assign_state(self, key: str, value: Any, old: Tensor) -> None:
        path, _, name = key.rpartition(".")
        mod = self.get_submodule(path)
        from nn.modules.module import Parameter  # the class Module's file defines

        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if name in mod._parameters:
            mod._parameters[name] = value if isinstance(value, Parameter) else Parameter(
                arr, requires_grad=old.requires_grad)
        else:
            mod._buffers[name] = value if isinstance(value, Tensor) else ag.tensor(arr)


    def _state_hooks(self, name: str) -> OrderedDict:
        d = self.__dict__
        if name not in d:
            d[name] = OrderedDict()
        return d[name]

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this module."""
        return _register(self._state_hooks("_state_dict_pre_hooks"), hook, False)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict`` has saved
        this module and its children (it may edit ``state_dict`` in place)."""
        return _register(self._state_hooks("_state_dict_hooks"), hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module loads (it may rename or add
        entries of ``state_dict`` in place: old checkpoints)."""
        return _register(self._state_hooks("_load_state_dict_pre_hooks"), hook, False)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` after the load; it may clear entries of
        ``incompatible_keys.missing_keys``/``unexpected_keys`` before strict checks them."""
        return _register(self._state_hooks("_load_state_dict_post_hooks"), hook, False)

    def _prefixed_modules(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """(prefix with its trailing dot, module) in pre-order, as torch's recursion."""
        stack: list = [(prefix, self)]
        while stack:
            pre, mod = stack.pop()
            yield pre, mod
            kids = [(f"{pre}{k}.", m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(kids))

    def _any_hooks(self, name: str) -> bool:
        return any(mod.__dict__.get(name) for _, mod in self._prefixed_modules(""))

    def get_extra_state(self) -> Any:
        """What ``state_dict`` saves under ``<prefix>_extra_state`` (override it, and
        ``set_extra_state``, to save state that is not a tensor)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should "
                           "never be called.")

    def set_extra_state(self, state: Any) -> None:
        """Restore what ``get_extra_state`` returned."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should "
                           "never be called.")

    def set_submodule(self, target: str, module: Any, strict: bool = False) -> None:
        """Put ``module`` at dotted path ``target`` (its parent must exist; with ``strict``
        the attribute must already be a submodule)."""
        from nn.modules.module import Module

        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        path, _, name = target.rpartition(".")
        parent = self.get_submodule(path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def type(self, dst_type: Any) -> Any:
        """Cast every parameter and buffer to ``dst_type`` (any dtype, in place)."""
        for t in list(self.parameters()) + list(self.buffers()):
            t._data = t._data.astype(np.dtype(dst_type), copy=False)
            if t.grad is not None:
                t.grad._data = t.grad._data.astype(np.dtype(dst_type), copy=False)
        return self

    def share_memory(self) -> Any:
        """torch moves storages to shared memory for worker processes; NumPy arrays are
        shared with forked workers as they are, so this returns the module unchanged."""
        return self

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> Any:
        """Parameters and buffers replaced by uninitialised arrays of their shape and dtype
        (on ``device``), as torch's (for meta-initialised models)."""
        for t in list(self.parameters(recurse=recurse)) + list(self.buffers(recurse=recurse)):
            t._data = np.empty_like(t._data)
        return self if device is None else self.to(device)

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """torch compiles ``forward`` in place; here the module runs as it is."""
        return None


def _checked_value(key: str, value: Any, tgt: np.ndarray) -> tuple[Any, str]:
    """``value`` cast to ``tgt``'s dtype, or an error message naming ``key``."""
    arr = backend.to_host(value._data) if isinstance(value, Tensor) else value
    try:
        arr = backend.to_host(arr) if backend.is_device_array(arr) else np.asarray(arr)
    except Exception as err:  # noqa: BLE001 - any failure is reported with the key
        return None, f'value for "{key}" is not an array ({err})'
    if arr.dtype.kind not in "biufc":
        return None, f'value for "{key}" has non-numeric dtype {arr.dtype}'
    if arr.dtype.kind == "c" and tgt.dtype.kind != "c":
        return None, (f'value for "{key}" is complex ({arr.dtype}) but the parameter is '
                      f"{tgt.dtype}")
    if arr.shape != tgt.shape:
        return None, (f"size mismatch for {key}: copying a param with shape {arr.shape} from "
                      f"checkpoint, the shape in current model is {tgt.shape}.")
    if not getattr(tgt.flags, "writeable", True):  # CuPy's flags have no writeable
        return None, f'cannot copy into "{key}": its array is read-only'
    return arr.astype(tgt.dtype, copy=False), ""


def _saved(t: Any, keep_vars: bool) -> Any:
    """A state_dict value: a host copy of the array (the Tensor itself with
    ``keep_vars``), or a module's extra state (the module stands in ``_state_items``)."""
    if not isinstance(t, Tensor):
        return t.get_extra_state()
    if keep_vars:
        return t
    return np.array(t._data, copy=True) if t._data.__class__ is np.ndarray \
        else backend.to_host(t._data)
