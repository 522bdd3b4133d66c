"""``jacrev``, ``jacfwd`` and ``hessian`` of ``torch.func``.

J = ∂f/∂x row by row: for each element k of output i, one backward seeded with the basis
vector eₖ gives row k of every J[i][j] (``create_graph=True`` where something may
differentiate it again, so ``jacrev(jacrev(f))`` works). Each J[i][j] has shape
``out_i.shape + in_j.shape``. Structure, as torch's: the output's pytree with each
output Tensor replaced by the Jacobians w.r.t. the argument (itself a pytree) for an int
``argnums``, or a tuple of those for a tuple ``argnums``.

``jacfwd`` returns the same values in the same structure; chainrule has no forward-mode
tape, so it computes them by the same rows (torch computes columns with dual numbers).
One deliberate difference: torch 2.13's ``jacfwd``/``hessian`` with a negative int
``argnums`` return zeros (torch normalizes the index for slicing but not when it swaps the
dual argument in); here a negative argnums counts from the end, as in ``jacrev``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.func.levels import Level, lower, needs_graph
from autograd.func.pytree import tree_flatten, tree_unflatten
from autograd.func.transforms import (
    _argnum_list,
    _check_argnums,
    _check_outputs,
    _derivs,
    _lift_args,
    _regroup,
    _split_aux,
)
from autograd.grad_mode import enable_grad
from autograd.tensor import Tensor

__all__ = ["hessian", "jacfwd", "jacrev"]


def _jacobian_block(out: Tensor, inputs: list, create_graph: bool) -> list:
    """[J w.r.t. each input], J of shape ``out.shape + inp.shape``."""
    from autograd.ops import stack

    rows: list[list] = [[] for _ in inputs]
    n = int(np.prod(out.shape)) if out.shape else 1
    for k in range(n):
        seed = np.zeros(n, dtype=out.dtype)
        seed[k] = 1
        seed_t = Tensor._const(seed.reshape(out.shape))
        for j, g in enumerate(_derivs([out], inputs, [seed_t], create_graph)):
            rows[j].append(g.reshape(-1))
    res = []
    for r, inp in zip(rows, inputs):
        shape = tuple(out.shape) + tuple(inp.shape)
        if n == 0 or not r:
            res.append(Tensor._const(np.zeros(shape, dtype=inp.dtype)))
        elif any(x.requires_grad for x in r):
            res.append(stack(r, 0).reshape(shape))
        else:
            # (not ascontiguousarray: it turns a 0-d array into shape (1,))
            res.append(Tensor._const(np.stack([x._data for x in r]).reshape(shape).copy()))
    return res


def _jac_transform(func: Callable, argnums: int | tuple, has_aux: bool, api: str) -> Callable:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_argnums(argnums)  # at the call, as torch
        nums = _argnum_list(argnums, len(args))
        with Level() as level, enable_grad():
            args, flat, groups = _lift_args(args, nums, level)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, api)
            out_leaves, out_spec = tree_flatten(out)
            _check_outputs(out_leaves, api)
            graph = needs_graph(out_leaves, level.internal)
            per_out = [_regroup(_jacobian_block(o, flat, graph), groups, argnums)
                       for o in out_leaves]
        res = lower((tree_unflatten(per_out, out_spec), aux), level.internal)
        return res if has_aux else res[0]

    return wrapper


def jacrev(func: Callable, argnums: int | tuple = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False) -> Callable:
    """The Jacobian of ``func`` w.r.t. ``args[argnums]``, by reverse mode (see the module);
    ``(jacobian, aux)`` with has_aux. ``chunk_size`` only batches torch's backward passes:
    the values do not depend on it."""
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jac_transform(func, argnums, has_aux, "vjp(f, *primals)")


def jacfwd(func: Callable, argnums: int | tuple = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """The Jacobian of ``func`` w.r.t. ``args[argnums]``: torch's forward-mode values and
    structure, computed by rows (see the module)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', "
                           f"or 'same'. Got {randomness}")
    return _jac_transform(func, argnums, has_aux, "jvp(f, primals, tangents)")


def hessian(func: Callable, argnums: int | tuple = 0) -> Callable:
    """∂²func/∂x² w.r.t. ``args[argnums]``: ``jacfwd(jacrev(func, argnums), argnums)``, of
    shape ``out.shape + in.shape + in.shape``."""
    return jacfwd(jacrev(func, argnums), argnums)
