"""Functional transforms, as ``torch.autograd.functional``: ``vjp``, ``jvp``, ``jacobian``,
``hessian``, ``hvp`` and ``vhp``.

Everything is built on the engine's public ``autograd.grad``; no op needs a forward rule.

- ``vjp``: one backward, vᵀ·J (J = ∂f/∂x, shape ``out.shape + in.shape``).
- ``jvp``: the *double-vjp trick*. g(u) = Jᵀu is linear in u, so its own vjp with v is
  ∂(Jᵀu)/∂u ᵀ · v = J·v. One backward with ``create_graph=True`` builds g(u) at u = 0
  (any finite u would do: g is linear), a second backward through it gives J·v.
- ``jacobian``: one backward per output element (reverse mode, rows of J), or with
  ``strategy="forward-mode"`` one double-vjp per input element (columns of J).
- ``hessian``: the Jacobian of the gradient, H[i][j] = ∂²f/∂xᵢ∂xⱼ, ``jacobian`` of a
  ``create_graph=True`` gradient; ``vhp`` vᵀ·H (two backwards) and ``hvp`` H·v (three:
  the double-vjp trick on the gradient). For a C² function H is symmetric, so both agree.

Conventions (all torch's): ``inputs`` is a Tensor or a tuple of Tensors and results come
back in the same form; ``jacobian`` of tuple outputs/inputs nests as ``J[i][j]`` (output
i, input j) with shape ``out_i.shape + in_j.shape``; an output that does not depend on an
input gives zeros, or with ``strict=True`` a ``RuntimeError``. Results are detached
unless ``create_graph=True``.

``vectorize=True``: torch batches the basis vectors through one backward with vmap. The
engine's VJPs are written for one cotangent (``sum_to``, matmul transposes), so a batch of
cotangents cannot honestly go through them in one pass; here ``vectorize=True`` runs the
same loop as ``vectorize=False`` (with torch's argument checks: ``strict=True`` is refused,
and ``strategy="forward-mode"`` needs it), and gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from autograd.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


# -- argument handling (torch's helpers, same messages) -------------------------------------
def _as_tuple(inp: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(was it a tuple, the tuple of Tensors); TypeError naming the first non-Tensor."""
    is_tuple = isinstance(inp, tuple)
    tup = inp if is_tuple else (inp,)
    for i, el in enumerate(tup):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but {where} has type {type(el)}.")
    return is_tuple, tup


def _grad_preprocess(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh Tensor objects: a view (still attached to the caller's graph) when the result
    must be differentiable back to it, otherwise a detached leaf."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view(inp.shape))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(res: tuple, create_graph: bool) -> tuple:
    if res and isinstance(res[0], Tensor):
        return res if create_graph else tuple(r.detach() for r in res)
    return tuple(_grad_postprocess(r, create_graph) for r in res)


def _tuple_postprocess(res: Any, to_unpack: bool | tuple) -> Any:
    """Undo ``_as_tuple``: one flag, or (outer, inner) flags for nested results."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.shape} but "
                               f"got {el_v.shape}.")


_REQ_MSG = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."),
}


def _check_requires_grad(inputs: tuple, input_type: str, strict: bool) -> None:
    """In strict mode: every entry exists and requires grad, else torch's RuntimeError."""
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:  # only gradients can be missing
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not inp.requires_grad:
            raise RuntimeError(_REQ_MSG[input_type].format(i=i))


def _autograd_grad(outputs: tuple, inputs: tuple, grad_outputs: tuple | None = None,
                   create_graph: bool = False, retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` that skips outputs which are None or need no grad, and gives None
    for every input when none is left."""
    from autograd import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
             if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_FILL_MSG = {
    "back": ("The output of the user-provided function is independent of input {i}. This is "
             "not allowed in strict mode."),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in the "
                   "grad_outputs when using the double backward trick to compute forward mode "
                   "gradients. This is not allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry "
                          "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                          "prevents from using the double backward trick to replace forward "
                          "mode AD."),
}


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._const(np.zeros(t.shape, dtype=t.dtype))


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                   stage: str) -> tuple:
    """Missing gradients become zeros shaped like ``refs`` (or raise in strict mode)."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_FILL_MSG[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        res.append(g)
    return tuple(res)


def _prepare_v(v: Any, ref: tuple, is_ref_tuple: bool, create_graph: bool, fn_name: str,
               none_msg: str) -> tuple | None:
    if v is None:
        if len(ref) != 1 or ref[0]._data.size != 1:
            raise RuntimeError(none_msg)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
    _validate_v(v, ref, is_ref_tuple)
    return v


_V_NONE_INPUT = ("The vector v can only be None if the input to the user-provided function "
                 "is a single Tensor with a single element.")


def _call(func: Callable, inputs: tuple, fn_name: str, strict: bool) -> tuple[bool, tuple]:
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                  fn_name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    return is_tuple, outputs


# -- vector products -----------------------------------------------------------------------
def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), vᵀ·J)``: the vector-Jacobian product, shaped like ``inputs``.

    ``v`` has the outputs' shapes; it may be omitted when ``func`` returns one element.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        if v is not None:
            v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp", "")
        elif len(outputs) != 1 or outputs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(res, is_inputs_tuple))


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), J·v)``: the Jacobian-vector product, shaped like the outputs.

    Double-vjp trick: u ↦ Jᵀu is linear, so differentiating it w.r.t. u against v gives J·v.
    ``v`` has the inputs' shapes; it may be omitted when the input is one element.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp", _V_NONE_INPUT)
        is_outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # g(u) is linear in u: its value at u does not matter, only that it is finite
        grad_outputs = tuple(_zeros_like(o).requires_grad_(True) for o in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(res, is_outputs_tuple))


def _scalar_output(outputs: tuple, is_outputs_tuple: bool, fn_name: str) -> None:
    if is_outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0]._data.size != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           f"contain a single element")


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), vᵀ·H)`` for a scalar ``func``: the gradient (create_graph), then its
    vjp with ``v``."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "vhp", _V_NONE_INPUT)
        is_outputs_tuple, outputs = _call(func, inputs, "vhp", strict)
        _scalar_output(outputs, is_outputs_tuple, "vhp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(res, is_inputs_tuple))


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), H·v)`` for a scalar ``func``: the double-vjp trick on the gradient
    (three backward passes; for a C² function ``vhp`` gives the same in two)."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "hvp", _V_NONE_INPUT)
        is_outputs_tuple, outputs = _call(func, inputs, "hvp", strict)
        _scalar_output(outputs, is_outputs_tuple, "hvp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        grad_jac = tuple(_zeros_like(inp).requires_grad_(True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(res, is_inputs_tuple))


# -- Jacobians and Hessians ----------------------------------------------------------------
def _stack_rows(rows: list, shape: tuple) -> Tensor:
    """Rows (Tensors or arrays) → one Tensor of ``shape``; graph-aware under create_graph."""
    from autograd.ops import stack

    if any(isinstance(r, Tensor) and r.requires_grad for r in rows):
        rows = [r if isinstance(r, Tensor) else Tensor._const(r) for r in rows]
        return stack([r.reshape(-1) for r in rows], 0).reshape(shape)
    arr = np.stack([np.asarray(r._data if isinstance(r, Tensor) else r).reshape(-1)
                    for r in rows]) if rows else np.zeros(shape)
    return Tensor._const(np.ascontiguousarray(arr).reshape(shape))


def _jac_reverse(outputs: tuple, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """J[i][j] row by row: one backward per element of output i, seeded with a basis
    vector (the graph is kept between them)."""
    jacobian = []
    for i, out in enumerate(outputs):
        rows: list[list] = [[] for _ in inputs]
        for k in range(out._data.size):
            if out.requires_grad:
                seed = np.zeros(out._data.size, dtype=out.dtype)
                seed[k] = 1
                vj = _autograd_grad((out,), inputs, (seed.reshape(out.shape),),
                                    create_graph=create_graph, retain_graph=True)
            else:
                vj = (None,) * len(inputs)
            for j, (g, inp) in enumerate(zip(vj, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed "
                                           f"in strict mode.")
                    g = np.zeros(inp.shape, dtype=inp.dtype)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in "
                                       f"strict mode when create_graph=True.")
                rows[j].append(g)
        jacobian.append(tuple(_stack_rows(r, out.shape + inp.shape)
                              for r, inp in zip(rows, inputs)))
    return tuple(jacobian)


def _jac_forward(outputs: tuple, inputs: tuple) -> tuple:
    """J[i][j] column by column with the double-vjp trick: u ↦ Jᵀu is built once
    (create_graph), then one backward through it per input element gives J·eₖ."""
    us = tuple(_zeros_like(o).requires_grad_(True) for o in outputs)
    g = _autograd_grad(outputs, inputs, us, create_graph=True)
    cols: list[list[list]] = [[[] for _ in inputs] for _ in outputs]
    for j, inp in enumerate(inputs):
        for k in range(inp._data.size):
            if g[j] is None or not g[j].requires_grad:
                jv = (None,) * len(outputs)
            else:
                e = np.zeros(inp._data.size, dtype=inp.dtype)
                e[k] = 1
                jv = _autograd_grad((g[j],), us, (e.reshape(inp.shape),), retain_graph=True)
            for i, (c, out) in enumerate(zip(jv, outputs)):
                cols[i][j].append(np.zeros(out.shape, out.dtype) if c is None else c._data)
    res = []
    for i, out in enumerate(outputs):
        row = []
        for j, inp in enumerate(inputs):
            n = inp._data.size
            arr = np.stack([c.reshape(-1) for c in cols[i][j]], axis=-1) if n else \
                np.zeros((out._data.size, 0), out.dtype)
            row.append(Tensor._const(np.ascontiguousarray(arr).reshape(out.shape + inp.shape)))
        res.append(tuple(row))
    return tuple(res)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian J = ∂func/∂inputs, of shape ``out.shape + in.shape``.

    One input and one output give a Tensor; a tuple on either side a tuple; tuples on both
    sides ``J[i][j]`` (output i, input j). Reverse mode costs one backward per output
    element, ``strategy="forward-mode"`` (with ``vectorize=True``, as torch) one double-vjp
    per input element. ``vectorize=True`` runs the same loop (see the module docstring).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` "
                "are not supported together (yet). Please either set `strict=False` or "
                '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                "implemented for `vectorize=True`.")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either "
                               "set `strict=False` or `vectorize=False`.")
        if strategy == "forward-mode":
            jac = _jac_forward(outputs, inputs)
        else:
            jac = _jac_reverse(outputs, inputs, create_graph, strict)
    jac = _grad_postprocess(jac, create_graph)
    return _tuple_postprocess(jac, (is_outputs_tuple, is_inputs_tuple))


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian H = ∂²func/∂inputs² of a scalar ``func``: the Jacobian of its gradient.

    One input gives a Tensor of shape ``in.shape + in.shape``; a tuple gives ``H[i][j]`` of
    shape ``in_i.shape + in_j.shape``.
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp: Tensor) -> Tensor:
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function",
                                        "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out._data.size != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.reshape(())

    def jac_func(*inp: Tensor) -> tuple:
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))
