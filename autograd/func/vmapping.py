"""``vmap``: torch's vectorizing map, as a loop in Python.

``vmap(f, in_dims, out_dims)(*args)`` slices every mapped input along its ``in_dim``
(``x.select(in_dim, b)``, a differentiable view), calls ``f`` once per batch index b, and
stacks each output along its ``out_dim``. The values are those of torch's batched kernels
(each batch element computed on its own), not their speed: B calls of ``f`` in Python.

Conventions (torch's): ``in_dims`` is an int, or a tuple with one entry per positional
argument, each an int/None or a nested structure matching that argument (dicts, lists,
tuples); None leaves an input unmapped. Keyword arguments are never mapped. ``out_dims``
likewise for the output pytree; an output with ``out_dims`` None is returned as the first
call gave it. torch refuses one that depends on the batch; the loop refuses one whose
values differ across the batch (one that depends on it but happens to be equal passes).
A batch of size 0 calls ``f`` once on zeros of batch size 1 to learn the output shapes.

``randomness``: ``'error'`` raises torch's RuntimeError when ``f`` draws from the default
generator (detected by its state changing during a call; draws from an explicit
``Generator`` are not seen); ``'different'`` lets each batch element draw its own numbers;
``'same'`` restores the default generator's state before each call, so every element sees
the same draws. ``chunk_size`` only splits torch's batch: the values do not depend on it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.func.pytree import broadcast_prefix, tree_flatten, tree_unflatten
from autograd.tensor import Tensor

__all__ = ["vmap"]

_RANDOM_MSG = ("vmap: called random operation while in randomness error mode. Please either "
               "use the 'same' or 'different' randomness flags on vmap or perform the "
               "randomness operation out of vmap")


def _name(func: Callable) -> str:
    return getattr(func, "__name__", repr(func))


def _in_dims_per_leaf(func: Callable, in_dims: Any, args: tuple) -> tuple[list, Any, list]:
    """(flat args, their spec, one in_dim per flat arg), with torch's ValueErrors."""
    head = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(f"{head}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to "
                         f"add inputs, or you are trying to vmap over a function with no "
                         f"inputs. The latter is unsupported.")
    flat, spec = tree_flatten(args)
    dims = broadcast_prefix(in_dims, spec) if isinstance(in_dims, tuple) \
        else [in_dims] * len(flat)
    if dims is None:
        _, d_spec = tree_flatten(in_dims)
        raise ValueError(f"{head}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has structure {d_spec} but inputs has structure {spec}.")
    out = []
    for x, d in zip(flat, dims):
        if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
            raise ValueError(f"{head}: in_dims must be int or None at every leaf, got "
                             f"{type(d)}.")
        if d is not None and not isinstance(x, Tensor):
            raise ValueError(f"{head}: Got in_dim={d} for an input but the input is of type "
                             f"{type(x)}. We cannot vmap over non-Tensor arguments, please "
                             f"use None as the respective in_dim")
        if d is not None and not -x.ndim <= d < x.ndim:
            raise ValueError(f"{head}: Got in_dim={d} for some input, but that input is a "
                             f"Tensor of dimensionality {x.ndim} so expected in_dim to satisfy "
                             f"-{x.ndim} <= in_dim < {x.ndim}.")
        out.append(None if d is None else d % x.ndim)
    if all(d is None for d in out):
        raise ValueError(f"{head}: at least one input must be mapped over (got in_dims="
                         f"{in_dims}).")
    return flat, spec, out


def _batch_size(flat: list, dims: list) -> int:
    sizes = [x.shape[d] for x, d in zip(flat, dims) if d is not None]
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _stack_outputs(func: Callable, out_dims: Any, results: list, batch: int) -> Any:
    """One output tree from the per-element trees (``results``), stacked on out_dims."""
    from autograd.ops import stack

    leaves0, spec = tree_flatten(results[0])
    per = [tree_flatten(r) for r in results]
    if any(s != spec for _, s in per):
        raise ValueError(f"vmap({_name(func)}, ...): the outputs of `{_name(func)}` have a "
                         f"different structure for different batch elements")
    dims = broadcast_prefix(out_dims, spec) if isinstance(out_dims, (tuple, list, dict)) \
        else [out_dims] * len(leaves0)
    if dims is None:
        _, d_spec = tree_flatten(out_dims)
        raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims "
                         f"is not compatible with the structure of `outputs`. out_dims has "
                         f"structure {d_spec} but outputs has structure {spec}.")
    stacked = []
    column = [leaves for leaves, _ in per]
    for k, d in enumerate(dims):
        if d is None:
            if isinstance(leaves0[k], Tensor) and any(
                    not np.array_equal(c[k]._data, leaves0[k]._data, equal_nan=True)
                    for c in column[1:]):  # differs across the batch: surely batched
                raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` can not return "
                                 f"a BatchedTensor when out_dim is None")
            stacked.append(leaves0[k])
            continue
        if not isinstance(leaves0[k], Tensor):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return "
                             f"Tensors, got type {type(leaves0[k])}. Did you mean to set "
                             f"out_dims= to None for output?")
        ndim = leaves0[k].ndim + 1
        if not -ndim <= d < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
        if batch == 0:
            shape = list(leaves0[k].shape)
            shape.insert(d % ndim, 0)
            stacked.append(Tensor._const(np.zeros(shape, dtype=leaves0[k].dtype)))
        else:
            stacked.append(stack([c[k] for c in column], d % ndim))
    return tree_unflatten(stacked, spec)


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable:
    """Map ``func`` over dimension ``in_dims`` of its inputs and stack the results on
    ``out_dims``: ``vmap(f)(x)[b] == f(x[b])``. A Python loop over the batch (see the
    module): torch's values, not its batched kernels' speed."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', "
                           f"or 'same'. Got {randomness}")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from autograd.random import default_generator

        flat, spec, dims = _in_dims_per_leaf(func, in_dims, args)
        batch = _batch_size(flat, dims)
        if batch == 0:  # one call on zeros, for the output structure and shapes
            flat = [x if d is None else Tensor._const(
                np.zeros(x.shape[:d] + (1,) + x.shape[d + 1:], dtype=x.dtype))
                for x, d in zip(flat, dims)]
        start = default_generator.get_state()
        results = []
        for b in range(max(batch, 1)):
            if randomness == "same":
                default_generator.set_state(start)
            before = default_generator.get_state() if randomness == "error" else None
            sliced = [x if d is None else x.select(d, b) for x, d in zip(flat, dims)]
            results.append(func(*tree_unflatten(sliced, spec), **kwargs))
            if before is not None and not np.array_equal(
                    before._data, default_generator.get_state()._data):
                raise RuntimeError(_RANDOM_MSG)
        return _stack_outputs(func, out_dims, results, batch)

    return wrapped
