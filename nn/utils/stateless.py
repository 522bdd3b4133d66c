"""``functional_call``: a module run with given tensors in place of its parameters and
buffers (``torch.nn.utils.stateless`` / ``torch.func.functional_call``).

The tensors are swapped into the modules' ``_parameters`` / ``_buffers`` entries by
dotted name for the duration of the call, and the originals put back afterwards, even when
the call raises. The given tensors are used as they are (no copy), so gradients flow to
them and in-place buffer updates (BatchNorm's running statistics in training mode) land in
them, as in torch. A name that is neither a parameter nor a buffer is set as a plain
attribute for the call (``strict=True`` refuses it, and a missing parameter or buffer).

``tie_weights=True`` (torch's default): a tensor given for one name of a parameter or
buffer the module holds under several names (tied weights) replaces it under all of them;
two different tensors for one tied group are a ValueError.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import autograd as ag
from autograd import Tensor
from nn.modules.module import Module

__all__ = ["functional_call", "replace_all_batch_norm_modules_", "stack_module_state"]

_MISSING = object()


def _merge(dicts: Any) -> dict:
    if isinstance(dicts, dict):
        return dict(dicts)
    if not isinstance(dicts, (tuple, list)) or not all(isinstance(d, dict) for d in dicts):
        raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                         "dictionaries")
    merged: dict = {}
    for d in dicts:
        dup = [k for k in d if k in merged]
        if dup:
            raise ValueError(f"{dup} appeared in multiple dictionaries; behavior of "
                             f"functional call is ambiguous")
        merged.update(d)
    return merged


def _tied_names(module: Module) -> dict[str, list[str]]:
    """Each parameter/buffer name → every name the same tensor object has in ``module``."""
    by_id: dict[int, list[str]] = {}
    named = [*module.named_parameters(remove_duplicate=False),
             *module.named_buffers(remove_duplicate=False)]
    for name, t in named:
        by_id.setdefault(id(t), []).append(name)
    return {name: by_id[id(t)] for name, t in named}


def _expand_tied(module: Module, tensors: dict) -> dict:
    tied = _tied_names(module)
    out = dict(tensors)
    for name, value in tensors.items():
        group = tied.get(name, [name])
        if len(group) < 2:
            continue
        given = [n for n in group if n in tensors]
        if any(tensors[n] is not value for n in given):
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, "
                             f"which are tied. Consider using tie_weights=False")
        for n in group:
            out.setdefault(n, value)
    return out


def _owner(module: Module, name: str) -> tuple[Module, str]:
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def _check_strict(module: Module, tensors: dict) -> None:
    known = [n for n, _ in module.named_parameters(remove_duplicate=False)]
    known += [n for n, b in module.named_buffers(remove_duplicate=False)]
    unexpected = [k for k in tensors if k not in known]
    missing = [k for k in known if k not in tensors]
    if unexpected or missing:
        msg = f"Error(s) in reparametrizing for {type(module).__name__}:"
        if unexpected:
            msg += "\n\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + "."
        if missing:
            msg += "\n\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + "."
        raise RuntimeError(msg)


@contextmanager
def _reparametrized(module: Module, tensors: dict) -> Iterator[None]:
    """Swap ``tensors`` in by name; put every original back on exit."""
    undo: list[tuple[dict, str, Any]] = []
    try:
        for name, value in tensors.items():
            owner, leaf = _owner(module, name)
            d = owner.__dict__
            for registry in (d["_parameters"], d["_buffers"]):
                if leaf in registry:
                    break
            else:
                registry = d  # a plain attribute for the call
            undo.append((registry, leaf, registry.get(leaf, _MISSING)))
            registry[leaf] = value
        yield
    finally:
        for registry, leaf, old in reversed(undo):
            if old is _MISSING:
                registry.pop(leaf, None)
            else:
                registry[leaf] = old


def functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors of ``parameter_and_buffer_dicts`` (a
    dict name → Tensor, or a tuple of dicts with disjoint keys) standing for the module's
    parameters and buffers of those dotted names (see the module docstring)."""
    tensors = _merge(parameter_and_buffer_dicts)
    for k, v in tensors.items():
        if v is not None and not isinstance(v, Tensor):
            raise TypeError(f"functional_call: expected a Tensor for '{k}', got "
                            f"{type(v).__name__}")
    if tie_weights:
        tensors = _expand_tied(module, tensors)
    if strict:
        _check_strict(module, tensors)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, tensors):
        return module(*args, **(kwargs or {}))


def _stacked_leaf(tensors: list, name: str) -> Tensor:
    flags = {bool(t.requires_grad) for t in tensors}
    if len(flags) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = ag.stack(tensors)
    return result.detach().requires_grad_() if flags == {True} else result


def stack_module_state(models: Any) -> tuple[dict, dict]:
    """``(params, buffers)``: each parameter/buffer of the ``models`` (same class, same
    mode) stacked on a new leading dimension, for ``vmap`` over ``functional_call``
    (model ensembling). Stacked parameters are new leaves that require grad, as torch's."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root: Module) -> Module:
    """torch.func's: every batch norm in ``root`` made to use the batch's statistics always
    (its running statistics removed, ``track_running_stats`` False), in place, so that
    ``vmap`` over models or examples needs no shared running state. Returns ``root``."""
    from nn.modules.batchnorm import _BatchNorm  # (the layers import this package)

    for m in root.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            m.running_mean = m.running_var = m.num_batches_tracked = None
            m.track_running_stats = False
    return root
