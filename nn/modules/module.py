"""``Module`` and ``Parameter``: the building blocks every layer and model is made of.

A Module registers what is assigned to it: a :class:`Parameter` lands in
``_parameters``, a Module in ``_modules``, a tensor given to :meth:`register_buffer`
in ``_buffers``. Attribute reads of those go through ``__getattr__`` (called only
when normal lookup fails, so plain attributes cost nothing extra), as in torch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import autograd as ag
from autograd import backend
from autograd.graph import STATE
from autograd.tensor import Tensor, _as_array
from nn.modules.hooks import (  # noqa: F401 - torch.nn.modules.module's global hooks
    GLOBAL_ON,
    HOOK_STATE,
    HookMixin,
    RemovableHandle,
    init_hook_state,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from nn.modules.module_state import StateMixin, _IncompatibleKeys  # noqa: F401

__all__ = ["Buffer", "Module", "ModuleScope", "Parameter"]


class Parameter(Tensor):
    """A leaf Tensor that a Module registers as a trainable parameter.

    ``Parameter(data)``: ``data`` is a Tensor or NumPy array (its memory is shared,
    as torch's ``Parameter(t)`` shares ``t``'s storage) or anything ``ag.tensor``
    accepts. ``requires_grad`` defaults to True.
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        elif isinstance(data, np.ndarray):
            arr = data
        else:
            arr = _as_array(data)
        self._init_leaf(arr, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self):
        # Tensor's __reduce__ rebuilds a plain Tensor; copies of a model keep Parameters.
        return (Parameter, (self._data, self.requires_grad))


class Buffer(Tensor):
    """torch's ``nn.Buffer`` (torch 2.5+): a tensor that assigning to a Module attribute
    registers as a buffer, ``self.x = nn.Buffer(t, persistent=False)`` meaning
    ``self.register_buffer("x", t, persistent=False)``. Shares ``data``'s memory, detached
    (keeping its ``requires_grad``), as torch's; an empty float32 tensor for no data."""

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if data is None:
            arr, requires_grad = np.empty(0, dtype=np.float32), False
        elif isinstance(data, Tensor):
            arr, requires_grad = data._data, data.requires_grad
        else:
            arr, requires_grad = (data if isinstance(data, np.ndarray) else _as_array(data),
                                  False)
        self._init_leaf(arr, requires_grad)
        self.persistent = bool(persistent)


class ModuleScope:
    """What ``autograd.engine.STATE.scope`` holds while a Module's forward runs.

    ``module`` is the running Module, ``path`` its dotted name from ``root`` (the
    outermost Module being called; ``''`` for the root itself). Drawings read these
    to name parameters and group ops. ``kids`` caches the scopes of the modules
    called inside this one; ``version`` invalidates the cache when any module tree
    changes shape.
    """

    __slots__ = ("module", "path", "root", "kids", "version")

    def __init__(self, module: Module, path: str, root: Module) -> None:
        self.module = module
        self.path = path
        self.root = root
        self.kids: dict = {}
        self.version = _TREE_VERSION[0]

    def child(self, module: Module) -> ModuleScope:
        """The scope of ``module`` called from inside this scope's module."""
        rel = _find_path(self.module, module)
        if rel is not None:
            path = f"{self.path}.{rel}" if self.path else rel
        else:
            # Not below the caller (e.g. a module kept in a plain list): name it from
            # the root when possible, else by its class under the caller's path.
            path = _find_path(self.root, module)
            if path is None:
                name = type(module).__name__
                # Not cached: a module built inside forward on every call would pile up.
                return ModuleScope(module, f"{self.path}.{name}" if self.path else name,
                                   self.root)
        scope = ModuleScope(module, path, self.root)
        self.kids[module] = scope
        return scope

    def __repr__(self) -> str:
        return f"ModuleScope(path={self.path!r}, module={type(self.module).__name__})"


# Bumped whenever any module gains, loses or replaces a submodule: cached scopes
# compare against it, so a stale dotted path is never reported.
_TREE_VERSION = [0]


def _find_path(ancestor: Module, module: Module) -> str | None:
    """Dotted name of ``module`` below ``ancestor`` (None if not a strict descendant)."""
    for name, m in ancestor._modules.items():
        if m is module:
            return name
    for name, m in ancestor.named_modules():
        if m is module and name:
            return name
    return None


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class Module(HookMixin, StateMixin):
    """Base class of every layer and model (as ``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, assign Parameters and submodules
    as attributes, and define ``forward``; calling the module runs ``forward``.
    """

    training: bool
    _parameters: dict
    _buffers: dict
    _modules: dict

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_modules"] = OrderedDict()
        d["_scope"] = None

    # -- running ---------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` with ``STATE.scope`` naming this module (for graph drawings)."""
        prev = STATE.scope
        if prev is None:
            scope = self.__dict__.get("_scope")
            if scope is None or scope.version != _TREE_VERSION[0]:
                scope = ModuleScope(self, "", self)
                self.__dict__["_scope"] = scope
        else:
            scope = prev.kids.get(self)
            if scope is None or scope.version != _TREE_VERSION[0]:
                if prev.version != _TREE_VERSION[0]:
                    prev.kids.clear()
                    prev.version = _TREE_VERSION[0]
                scope = prev.child(self)
        STATE.scope = scope
        try:
            if "_forward_hooks" in self.__dict__ or GLOBAL_ON[0]:
                return self._call_hooked(args, kwargs)
            return self.forward(*args, **kwargs)
        finally:
            STATE.scope = prev

    # -- registration ----------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            if isinstance(getattr(type(self), name, None), property):
                # torch's register_parameter refuses a name its class holds (e.g. a
                # parametrized tensor's property) instead of hiding it
                raise KeyError(f"attribute '{name}' already exists")
            self._forget(name, "_parameters")
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter "
                                f"'{name}' (nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "_modules")
            d["_modules"][name] = value
            _TREE_VERSION[0] += 1
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (nn.Module or None expected)")
            d["_modules"][name] = None
            _TREE_VERSION[0] += 1
        elif isinstance(value, Buffer):
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self.register_buffer(name, value, value.persistent)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer "
                                f"'{name}' (Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str = "") -> None:
        """Drop ``name`` from the instance dict and every registry but ``keep`` (which the
        caller is about to assign, keeping the name's position: torch's order)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep and name in d[registry]:
                del d[registry][name]
                if registry == "_modules":
                    _TREE_VERSION[0] += 1
        if keep != "_buffers":
            d["_non_persistent"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: parameters, buffers and submodules.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            reg = d.get(registry)
            if reg is not None and name in reg:
                return reg[name]
        if name in HOOK_STATE and "_parameters" in d:  # hook registries: made on first use
            init_hook_state(d)
            return d[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()) or name in d.get("_buffers", ()) \
                or name in d.get("_modules", ()):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_scope"] = None  # scopes are caches; a copy builds its own
        return state

    def _check_free(self, name: str, registry: str) -> None:
        """torch's KeyError for registering over another kind of attribute (a buffer over a
        submodule, a parameter over a plain attribute...), instead of silently replacing it."""
        if name not in self.__dict__[registry] and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, a declared-but-absent parameter such as a bias)."""
        _check_name(self, name, "parameter")
        self._check_free(name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (nn.Parameter or None required)")
        self._forget(name, "_parameters")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not a parameter (e.g. BatchNorm's running
        mean); persistent buffers are part of ``state_dict``."""
        _check_name(self, name, "buffer")
        self._check_free(name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (Tensor or None required)")
        self._forget(name, "_buffers")
        self._non_persistent.discard(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name``."""
        _check_name(self, name, "module")
        self._check_free(name, "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name, "_modules")
        self._modules[name] = module
        _TREE_VERSION[0] += 1

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The module at dotted path ``target`` (``''`` is this module)."""
        mod = self
        if not target:
            return mod
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (e.g. ``'features.0.weight'``)."""
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target`` (e.g. ``'bn.running_mean'``)."""
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(mod, name)

    # -- iteration -------------------------------------------------------------------------
    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set = set()  # ids: `in` on a list of Tensors would compare elementwise
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, registry).items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs, each Parameter once (the first name wins)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter of this module and its submodules, each once."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names (each module once)."""
        seen: set = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, with dotted names ('' for self)."""
        if memo is None:
            memo = set()
        stack: list = [(prefix, self)]
        while stack:  # explicit stack: deep models need no recursion limit
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items()
                    if m is not None]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    # -- modes and bulk changes -------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) on this module and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.__dict__["training"] = mode
        for m in self.children():  # through train(), so a subclass's override is honoured
            m.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None, or to zeros in place."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
            elif g._node is None and backend.writeable(g._data):
                g._data[...] = 0
            else:  # a graph-carrying (create_graph) or read-only gradient: replace it
                p.grad = ag.zeros_like(p)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first), then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, dtype: Any = None, **kwargs: Any) -> Module:
        """Move parameters and buffers to a device and/or convert the floating-point ones
        to ``dtype``, in place: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)`` (its device and dtype).

        The same Parameter objects are kept (only their arrays change), so an optimizer
        built before stays valid; its state follows each parameter on its next step.
        """
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype if a.dtype.kind in "fc" else dtype
            elif isinstance(a, ag.device) or (isinstance(a, int) and not isinstance(a, bool)) \
                    or (isinstance(a, str) and a.split(":")[0] in backend.device_types()):
                device = a
            elif dtype is None:
                dtype = a
            else:
                raise TypeError(f"to() got an unexpected argument {a!r}")
        dt = None if dtype is None else np.dtype(dtype)
        if dt is not None and dt.kind not in "fc":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dt}")
        target = None if device is None else backend.as_device(device)
        if target is not None:
            backend.backend_named(target.type)  # an unavailable device raises before any move
        for t in [*self.parameters(), *self.buffers()]:
            for holder in (t, t.grad):
                if holder is None:
                    continue
                arr = holder._data
                if target is not None:
                    arr = backend.to(arr, target)
                if dt is not None and arr.dtype.kind in "fc" and arr.dtype != dt:
                    arr = arr.astype(dt)
                holder._data = arr
        return self

    def cuda(self, device: Any = None) -> Module:
        """Parameters and buffers to the GPU (in place; the same Parameter objects)."""
        return self.to("cuda" if device is None else backend.as_device(device))

    def float(self) -> Module:
        """Floating-point parameters and buffers to float32 (in place)."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Floating-point parameters and buffers to float64 (in place)."""
        return self.to(np.float64)

    def half(self) -> Module:
        """Floating-point parameters and buffers to float16 (in place)."""
        return self.to(np.float16)

    def cpu(self) -> Module:
        """Parameters and buffers to host memory (in place)."""
        return self.to("cpu")

    # -- printing --------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (its settings)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(m), 2)
                       for key, m in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _check_name(module: Module, name: str, what: str) -> None:
    if "_parameters" not in module.__dict__:
        raise AttributeError(f"cannot assign {what} before Module.__init__() call")
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a string. Got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f'{what} name can\'t be empty or contain ".", got {name!r}')
    if hasattr(type(module), name) or (
            name in module.__dict__ and name not in module._parameters
            and name not in module._buffers and name not in module._modules):
        raise KeyError(f"attribute '{name}' already exists")
