"""Gradient checking against central finite differences.

``gradcheck`` builds the full Jacobian both ways — analytically with one backward
per output element, numerically with ``(f(x + ε) − f(x − ε)) / 2ε`` per input
element — and compares them entry by entry. ``gradgradcheck`` does the same for
the function that maps (inputs, output gradients) to input gradients computed
with ``create_graph=True``, which checks second derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.engine import run_backward
from autograd.grad_mode import enable_grad, no_grad
from autograd.tensor import Tensor, _wrap


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple | list) else (x,)


def _outputs(fn: Callable, inputs: Sequence[Any]) -> list[Tensor]:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _analytic(fn: Callable, inputs: Sequence[Any], diff: list[int]) -> list[list[np.ndarray]]:
    """J[o][i]: (outputs[o].size, inputs[i].size) via one backward per output element."""
    with enable_grad():
        outs = _outputs(fn, inputs)
    jac = []
    for o in outs:
        rows = [np.zeros((o.data.size, inputs[i].data.size)) for i in diff]
        if o.requires_grad:
            for k in range(o.data.size):
                seed = np.zeros(o.data.size, dtype=o.dtype)
                seed[k] = 1
                grads = run_backward([o], [seed.reshape(o.shape)], True, False,
                                     inputs=[inputs[i] for i in diff])
                for j, g in enumerate(grads):
                    if g is not None:
                        rows[j][k] = np.asarray(g, dtype=np.float64).reshape(-1)
        jac.append(rows)
    return jac


def _numeric(fn: Callable, inputs: Sequence[Any], diff: list[int], eps: float
             ) -> list[list[np.ndarray]]:
    with no_grad():
        n_out = [o.data.size for o in _outputs(fn, inputs)]
        jac = [[np.zeros((m, inputs[i].data.size)) for i in diff] for m in n_out]
        for j, i in enumerate(diff):
            x = inputs[i]
            orig = x.data
            flat = orig.reshape(-1)
            for e in range(flat.size):
                vals = []
                for sign in (1, -1):
                    pert = np.array(orig, copy=True, order="C")  # flat view below
                    pert.reshape(-1)[e] += sign * eps
                    x.data = pert  # swapped in and out: the caller's array is never written
                    try:
                        vals.append([np.asarray(o.data, dtype=np.float64).reshape(-1)
                                     for o in _outputs(fn, inputs)])
                    finally:
                        x.data = orig
                for o in range(len(n_out)):
                    jac[o][j][:, e] = (vals[0][o] - vals[1][o]) / (2 * eps)
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check ``fn``'s analytic gradients at ``inputs`` (float64 tensors) against central
    differences; raises :class:`GradcheckError` naming the input, element, analytic and
    numeric values (or returns False with ``raise_exception=False``)."""
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad; pass tensors with "
                         "requires_grad=True")
    analytic = _analytic(fn, inputs, diff)
    numeric = _numeric(fn, inputs, diff, eps)
    for o, (a_rows, n_rows) in enumerate(zip(analytic, numeric)):
        for j, (a, n) in enumerate(zip(a_rows, n_rows)):
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                k, e = np.argwhere(bad)[0]
                idx = np.unravel_index(e, inputs[diff[j]].shape)
                msg = (f"Jacobian mismatch for output {o} with respect to input {diff[j]} at "
                       f"element index {tuple(int(v) for v in idx)} (output element {int(k)}): "
                       f"analytic {a[k, e]:.8g} vs numeric {n[k, e]:.8g} "
                       f"(|diff| {abs(a[k, e] - n[k, e]):.3g} > atol {atol} + rtol {rtol} "
                       f"· |numeric|)")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) ↦ vᵀ·∂fn/∂inputs, the first
    derivative computed with ``create_graph=True``."""
    from autograd.random import generator

    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    with enable_grad():
        outs = [o for o in _outputs(fn, inputs) if o.requires_grad]
    if grad_outputs is None:
        grad_outputs = tuple(
            _wrap(generator().standard_normal(o.shape), None).requires_grad_(True) for o in outs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple:
        xs, vs = args[:n], args[n:]
        with enable_grad():
            ys = [o for o in _outputs(fn, xs) if o.requires_grad]
            if not ys:
                return tuple(_wrap(np.zeros(xs[i].shape), None) for i in diff)
            grads = run_backward(ys, list(vs), True, True, inputs=[xs[i] for i in diff])
        return tuple(g if g is not None else _wrap(np.zeros(xs[i].shape), None)
                     for g, i in zip(grads, diff))

    return gradcheck(first_derivative, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
