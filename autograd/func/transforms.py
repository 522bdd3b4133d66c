"""The derivative transforms of ``torch.func``: ``grad``, ``grad_and_value``, ``vjp``,
``jvp``, ``jacrev``, ``jacfwd`` and ``hessian``, on chainrule's one reverse-mode tape.

Each call lifts its inputs (``levels.lift``), runs ``func``, takes derivatives with
``autograd.grad`` (``create_graph=True`` whenever something may differentiate them again,
``levels.needs_graph``) so that transforms compose (``grad(grad(f))``,
``jacrev(jacrev(f))``, ``vmap(grad(f))``), and lowers its results (``levels.lower``).

- ``grad``: ∂f/∂x of a scalar f, one backward.
- ``vjp``: ``vjp_fn(v)`` = vᵀ·J, one backward per call (the graph is kept between calls).
- ``jvp``: the double-vjp trick. u ↦ Jᵀu is linear in u, so its vjp with the tangent t is
  J·t; u = 0 (any finite value would do).
- ``jacrev``: J row by row, one backward per output element, seeded with a basis vector;
  J[i][j] has shape ``out_i.shape + in_j.shape``.
- ``jacfwd``: the same Jacobian (same values and structure as torch's forward mode),
  computed by the same rows: chainrule has no forward-mode tape.
- ``hessian``: ``jacfwd(jacrev(f))``, shape ``in.shape + in.shape``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.func.levels import Level, adopt, lift, lower, needs_graph
from autograd.func.pytree import tree_flatten, tree_unflatten
from autograd.grad_mode import enable_grad
from autograd.tensor import Tensor

__all__ = ["grad", "grad_and_value", "jvp", "linearize", "vjp"]


# -- arguments ---------------------------------------------------------------------------
def _check_argnums(argnums: Any) -> None:
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return
    if isinstance(argnums, tuple) and all(isinstance(a, int) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        return
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _argnum_list(argnums: int | tuple, nargs: int) -> list[int]:
    out = []
    for a in (argnums,) if isinstance(argnums, int) else argnums:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return out


def _lift_args(args: tuple, nums: list[int], level: Level) -> tuple[list, list, list]:
    """(the args with the differentiated ones lifted, the flat lifted leaves, one
    (offset, count, spec) per argnum to regroup flat gradients)."""
    args = list(args)
    flat: list = []
    groups = []
    for n in nums:
        leaves, spec = tree_flatten(args[n])
        lifted = [lift(x, level) for x in leaves]
        groups.append((len(flat), len(lifted), spec))
        flat.extend(lifted)
        args[n] = tree_unflatten(lifted, spec)
    return args, flat, groups


def _regroup(flat: list, groups: list, argnums: int | tuple) -> Any:
    per = tuple(tree_unflatten(flat[o:o + c], s) for o, c, s in groups)
    return per[0] if isinstance(argnums, int) else per


def _zeros(t: Tensor) -> Tensor:
    return Tensor._const(np.zeros(t.shape, dtype=t.dtype))


def _derivs(outputs: list, inputs: list, seeds: list | None, create_graph: bool) -> list:
    """``autograd.grad`` (graph kept for further seeds), outputs that need no grad skipped,
    and zeros for inputs the outputs do not reach."""
    from autograd import grad as _grad

    seeds = [None] * len(outputs) if seeds is None else seeds
    pairs = [(o, s) for o, s in zip(outputs, seeds) if o is not None and o.requires_grad]
    res: Any = [None] * len(inputs)
    if pairs and inputs:
        res = _grad([o for o, _ in pairs], list(inputs), [s for _, s in pairs],
                    retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [_zeros(x) if g is None else g for g, x in zip(res, inputs)]


def _split_aux(out: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if "
                           f"has_aux is True")
    return out


def _check_outputs(leaves: list, api: str) -> None:
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")


# -- grad ----------------------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``f ↦ (∂f/∂args[argnums], f)`` for a scalar-output ``func``; with ``has_aux`` func
    returns ``(out, aux)`` and the result is ``(grad, (out, aux))``. The gradient has the
    structure of the argument (a pytree of Tensors), or a tuple of them for tuple argnums."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        api = "grad_and_value(f)(*args)"
        _check_argnums(argnums)  # at the call, as torch
        nums = _argnum_list(argnums, len(args))
        with Level() as level, enable_grad():
            args, flat, groups = _lift_args(args, nums, level)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, api)
            if not isinstance(out, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                   f"{type(out)}")
            if out.ndim != 0:
                raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.ndim} dims. Maybe you wanted to use the "
                                   f"vjp or jacrev APIs instead?")
            grads = _derivs([out], flat, None, needs_graph([out], level.internal))
        res = lower((_regroup(grads, groups, argnums), out, aux), level.internal)
        return (res[0], (res[1], res[2])) if has_aux else (res[0], res[1])

    return wrapper


def grad(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``f ↦ ∂f/∂args[argnums]`` for a scalar-output ``func`` (``(grad, aux)`` with
    ``has_aux``). Composable: ``grad(grad(f))(x)`` is f''(x)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# -- vjp, jvp ------------------------------------------------------------------------------
def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)`` (``, aux`` with has_aux); ``vjp_fn(cotangents)`` —
    cotangents structured as the output — returns vᵀ·J for every primal, as a tuple."""
    api = "vjp(f, *primals)"
    with Level() as level, enable_grad():
        args, flat, groups = _lift_args(primals, list(range(len(primals))), level)
        out, aux = _split_aux(func(*args), has_aux, api)
        out_leaves, out_spec = tree_flatten(out)
        _check_outputs(out_leaves, api)
    internal = level.internal

    def vjp_fn(cotangents: Any) -> tuple:
        ct_leaves, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as "
                               f"pytree structure of outputs to the function. cotangents: "
                               f"{ct_spec}, primal output: {out_spec}")
        for i, (c, o) in enumerate(zip(ct_leaves, out_leaves)):
            if not isinstance(c, Tensor) or c.shape != o.shape:
                got = c.shape if isinstance(c, Tensor) else type(c)
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {got} "
                                   f"and output[{i}] has a shape of {o.shape}.")
        with enable_grad():
            graph = needs_graph([*out_leaves, *ct_leaves], internal, inside=False)
            grads = _derivs(out_leaves, flat, ct_leaves, graph)
        adopt(internal)
        res = tuple(tree_unflatten(grads[o:o + c], s) for o, c, s in groups)
        return lower(res, internal)

    res = lower((out, aux), internal)
    return (res[0], vjp_fn, res[1]) if has_aux else (res[0], vjp_fn)


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> tuple:
    """``(func(*primals), J·tangents)`` (``, aux`` with has_aux), by the double-vjp trick
    (see the module); the tangents have the primals' structure and shapes."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid "
                           f"to call f(*primals).")
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure {p_spec} and "
                           f"tangents with structure {t_spec}")
    for p, t in zip(p_leaves, t_leaves):
        if not isinstance(t, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
        if t.dtype.kind not in "fc":
            raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                             f"{t.dtype}")
        if isinstance(p, Tensor) and t.shape != p.shape:
            raise RuntimeError(f"Trying to set a forward gradient that has a different size "
                               f"than that of the original Tensor, this is not supported. "
                               f"Tensor is of size {list(p.shape)} while the given forward "
                               f"gradient is of size {list(t.shape)}.")
    with Level() as level, enable_grad():
        args, flat, _ = _lift_args(primals, list(range(len(primals))), level)
        out, aux = _split_aux(func(*args), has_aux, api)
        out_leaves, out_spec = tree_flatten(out)
        _check_outputs(out_leaves, api)
        us = [level.fresh(_zeros(o).requires_grad_(True)) if o.dtype.kind in "fc" else None
              for o in out_leaves]
        live = [i for i, u in enumerate(us) if u is not None]
        # u ↦ Jᵀu must itself be differentiable: its vjp with the tangents is J·t
        g = _derivs([out_leaves[i] for i in live], flat, [us[i] for i in live], True)
        graph = needs_graph([*out_leaves, *t_leaves], level.internal)
        jv = _derivs(g, [us[i] for i in live], t_leaves, graph)
        tans = [_zeros(o) for o in out_leaves]
        for k, i in enumerate(live):
            tans[i] = jv[k]
    res = lower((out, tree_unflatten(tans, out_spec), aux), level.internal)
    return (res[0], res[1], res[2]) if has_aux else (res[0], res[1])


def linearize(func: Callable, *primals: Any) -> tuple:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is J·tangents at ``primals``
    (torch traces the linear map once; here each call runs :func:`jvp` again, same values)."""
    p_leaves, p_spec = tree_flatten(primals)
    output = func(*primals)  # as torch: differentiable when the primals require grad

    def jvp_fn(*tangents: Any) -> Any:
        t_leaves, t_spec = tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(f"Expected the tangents {t_spec} to have the same argspec as "
                               f"the primals {p_spec}")
        for idx, (t, p) in enumerate(zip(t_leaves, p_leaves)):
            if t.shape != p.shape:
                raise RuntimeError(f"tangent:{idx} with shape {t.shape} in flattened pytree "
                                   f"doesn't match the shape {p.shape} of the corresponding "
                                   f"primal.")
            if t.dtype != p.dtype:
                raise RuntimeError(f"tangent:{idx} with dtype {t.dtype} in flattened pytree "
                                   f"doesn't match the dtype {p.dtype} of the corresponding "
                                   f"primal.")
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn
