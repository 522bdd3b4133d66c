"""Gradient checking against central finite differences.

:func:`check_gradients` builds the full Jacobian of ``fn`` both ways, once —
analytically with one backward per output element, numerically with the central
difference ``(f(x + ε) − f(x − ε)) / 2ε`` per input element — compares them entry
by entry (``|analytic − numeric| ≤ atol + rtol·|numeric|``) and returns a
:class:`GradcheckReport`. ``order=2`` checks second derivatives: the Jacobian of
``(inputs, v) ↦ vᵀ·∂fn/∂inputs``, the first derivative computed with
``create_graph=True``. :func:`gradcheck` and :func:`gradgradcheck` (torch's names
and signatures) raise :class:`GradcheckError` from the report; ``chainrule
gradcheck`` prints it.

A check fails — never passes silently — when any Jacobian entry is NaN on either
side, when the numeric Jacobian of an (output, input) pair is all zero while the
analytic one is not (``eps`` too small to move the output), or on a mismatch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import backend
from autograd.engine import run_backward
from autograd.factories import tensor
from autograd.grad_mode import enable_grad, no_grad
from autograd.random import generator
from autograd.tensor import Tensor

__all__ = ["GradcheckError", "GradcheckReport", "JacobianEntry", "check_gradients",
           "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with its finite-difference estimate."""


@dataclass(frozen=True)
class JacobianEntry:
    """One entry of the Jacobian: d outputs[output].flat[output_element] / d
    inputs[input][element], computed both ways."""

    output: int
    output_element: int
    input: int
    element: tuple[int, ...]
    analytic: float
    numeric: float

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)


@dataclass(frozen=True)
class GradcheckReport:
    """What :func:`check_gradients` found.

    ``max_abs_error`` is the largest ``|analytic − numeric|`` over the whole Jacobian
    (NaN if any entry is NaN, 0.0 for an empty Jacobian) and ``worst`` the entry where it
    occurs; ``failure`` is the first failing entry in (output, input, row-major) order,
    and ``message`` says why the check failed (``None`` when ``ok``).
    """

    ok: bool
    order: int
    max_abs_error: float
    worst: JacobianEntry | None
    failure: JacobianEntry | None
    message: str | None
    eps: float
    atol: float
    rtol: float


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def _values(t: Tensor) -> np.ndarray:
    """The values on the host (a device tensor's are copied: the check runs on the host)."""
    return np.asarray(backend.to_host(t.detach()._data))


def _outputs(fn: Callable, inputs: Sequence[Any]) -> list[Tensor]:
    """``fn(*inputs)``'s floating outputs; TypeError for anything that is not a Tensor."""
    result = _as_tuple(fn(*inputs))
    for k, o in enumerate(result):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, but "
                            f"output {k} is {type(o).__module__}.{type(o).__qualname__}")
    return [o for o in result if o.dtype.kind == "f"]


def _analytic(outs: list[Tensor], inputs: Sequence[Any], diff: list[int]
              ) -> list[list[np.ndarray]]:
    """J[o][j]: (outs[o].numel(), inputs[diff[j]].numel()), one backward per output element."""
    jac = []
    for o in outs:
        rows = [np.zeros((o.numel(), inputs[i].numel())) for i in diff]
        if o.requires_grad:
            for k in range(o.numel()):
                seed = np.zeros(o.numel(), dtype=o.dtype)
                seed[k] = 1
                grads = run_backward([o], [backend.to(seed.reshape(o.shape), o.device)], True,
                                     False,
                                     inputs=[inputs[i] for i in diff])
                for j, g in enumerate(grads):
                    if g is not None:
                        g = _values(g) if isinstance(g, Tensor) else g
                        rows[j][k] = np.asarray(backend.to_host(g), np.float64).reshape(-1)
        jac.append(rows)
    return jac


def _numeric(fn: Callable, inputs: Sequence[Any], diff: list[int], sizes: list[int],
             eps: float) -> list[list[np.ndarray]]:
    """Central differences. Each perturbed input is a fresh tensor (still requiring grad,
    as a first-derivative function differentiates its inputs): the caller's are untouched."""
    jac = [[np.zeros((m, inputs[i].numel())) for i in diff] for m in sizes]
    for j, i in enumerate(diff):
        x = inputs[i]
        base = _values(x)
        for e in range(base.size):
            vals = []
            for sign in (1.0, -1.0):
                pert = np.array(base, copy=True, order="C")
                pert.reshape(-1)[e] += sign * eps
                shifted = list(inputs)
                shifted[i] = tensor(pert, requires_grad=True, dtype=x.dtype, device=x.device)
                vals.append([np.asarray(_values(y), np.float64).reshape(-1)
                             for y in _outputs(fn, shifted)])
            for o in range(len(sizes)):
                jac[o][j][:, e] = (vals[0][o] - vals[1][o]) / (2 * eps)
    return jac


def _entry(a: np.ndarray, n: np.ndarray, o: int, k: int, e: int, i: int, shape: tuple
           ) -> JacobianEntry:
    idx = tuple(int(v) for v in np.unravel_index(e, shape)) if shape else ()
    return JacobianEntry(o, int(k), i, idx, float(a[k, e]), float(n[k, e]))


def _block_failure(a: np.ndarray, n: np.ndarray, atol: float, rtol: float, eps: float,
                   o: int, i: int, shape: tuple) -> tuple[JacobianEntry, str] | None:
    """The first failing entry of one (output, input) block and the message, or None."""
    where = f"output {o} with respect to input {i}"
    nan = np.isnan(a) | np.isnan(n)
    if nan.any():
        k, e = np.argwhere(nan)[0]
        ent = _entry(a, n, o, k, e, i, shape)
        side = "analytic" if np.isnan(a[k, e]) else "numeric"
        return ent, (f"Jacobian mismatch for {where} at element index {ent.element} (output "
                     f"element {ent.output_element}): analytic {ent.analytic:.8g} vs numeric "
                     f"{ent.numeric:.8g} (the {side} gradient is NaN)")
    if not n.any() and a.any():
        k, e = np.argwhere(a != 0)[0]
        ent = _entry(a, n, o, k, e, i, shape)
        return ent, (f"Jacobian mismatch for {where}: the numeric Jacobian is all zero while "
                     f"the analytic one is not (e.g. analytic {ent.analytic:.8g} at element "
                     f"index {ent.element}); eps={eps:g} is too small to change the output: "
                     "use a larger eps (and float64 inputs)")
    bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))  # written so that inf fails too
    if bad.any():
        k, e = np.argwhere(bad)[0]
        ent = _entry(a, n, o, k, e, i, shape)
        return ent, (f"Jacobian mismatch for {where} at element index {ent.element} (output "
                     f"element {ent.output_element}): analytic {ent.analytic:.8g} vs numeric "
                     f"{ent.numeric:.8g} (|diff| {ent.abs_error:.3g} > atol {atol} + rtol "
                     f"{rtol} · |numeric|)")
    return None


def _first_derivative(fn: Callable, n: int, diff: list[int]) -> Callable[..., tuple]:
    """(inputs, v) ↦ vᵀ·∂fn/∂inputs[diff], differentiable (``create_graph=True``)."""

    def first(*args: Any) -> tuple:
        xs, vs = args[:n], args[n:]
        with enable_grad():
            ys = [o for o in _outputs(fn, xs) if o.requires_grad]
            if not ys:
                return tuple(tensor(np.zeros(xs[i].shape), device=xs[i].device) for i in diff)
            grads = run_backward(ys, list(vs), True, True, inputs=[xs[i] for i in diff])
        return tuple(g if isinstance(g, Tensor) else tensor(np.zeros(xs[i].shape),
                                                            device=xs[i].device)
                     if g is None else tensor(g)
                     for g, i in zip(grads, diff))

    return first


def _differentiable(inputs: Sequence[Any], caller: str) -> list[int]:
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError(f"{caller}: no input requires grad; pass tensors with "
                         "requires_grad=True")
    for i in diff:
        if inputs[i].dtype != np.float64:
            # torch's warning: float32 central differences are too coarse to compare
            warnings.warn(f"{caller}: input #{i} requires gradient and is not a double "
                          f"precision floating point ({inputs[i].dtype}); this check will "
                          "likely fail unless all inputs are float64", UserWarning,
                          stacklevel=4)
    return diff


def check_gradients(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                    rtol: float = 1e-3, order: int = 1, grad_outputs: Any = None
                    ) -> GradcheckReport:
    """Compare ``fn``'s analytic Jacobian at ``inputs`` with central differences, once.

    Args:
        fn: maps the inputs to a Tensor or a tuple of Tensors (floating ones are checked).
        inputs: a Tensor or a tuple; those with ``requires_grad`` are differentiated
            (float64 expected: others get a ``UserWarning``).
        eps: the finite-difference step ε.
        atol, rtol: an entry passes when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
        order: 1 checks ∂fn/∂inputs; 2 checks the Jacobian of ``(inputs, v) ↦
            vᵀ·∂fn/∂inputs`` at ``(inputs, grad_outputs)`` (second derivatives).
        grad_outputs: for ``order=2``, one ``v`` per floating output that requires grad;
            random normal (from the global generator) when None.

    Returns:
        A :class:`GradcheckReport` (nothing is raised for a failed check).

    Raises:
        ValueError: no input requires grad, ``eps <= 0`` or ``order`` not 1 or 2.
        TypeError: ``fn`` returns something that is not a Tensor.
    """
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps}")
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order}")
    inputs = _as_tuple(inputs)
    caller = "gradcheck" if order == 1 else "gradgradcheck"
    diff = _differentiable(inputs, caller)
    if order == 2:
        if grad_outputs is None:
            with enable_grad():
                outs = [o for o in _outputs(fn, inputs) if o.requires_grad]
            grad_outputs = tuple(tensor(generator().standard_normal(o.shape),
                                        requires_grad=True, device=o.device) for o in outs)
        fn = _first_derivative(fn, len(inputs), diff)
        inputs = (*inputs, *_as_tuple(grad_outputs))
        diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    with enable_grad():
        outs = _outputs(fn, inputs)
    analytic = _analytic(outs, inputs, diff)
    with no_grad():
        numeric = _numeric(fn, inputs, diff, [o.numel() for o in outs], eps)

    worst: JacobianEntry | None = None
    failure: tuple[JacobianEntry, str] | None = None
    for o, (a_rows, n_rows) in enumerate(zip(analytic, numeric)):
        for j, (a, n) in enumerate(zip(a_rows, n_rows)):
            if not a.size:
                continue
            shape = tuple(inputs[diff[j]].shape)
            err = np.abs(a - n)
            k, e = np.unravel_index(int(np.argmax(np.where(np.isnan(err), np.inf, err))),
                                    err.shape)
            cand = _entry(a, n, o, k, e, diff[j], shape)
            if worst is None or not cand.abs_error <= worst.abs_error:
                worst = cand
            if failure is None:
                failure = _block_failure(a, n, atol, rtol, eps, o, diff[j], shape)
    max_err = 0.0 if worst is None else worst.abs_error
    return GradcheckReport(ok=failure is None, order=order, max_abs_error=max_err,
                           worst=worst, failure=failure[0] if failure else None,
                           message=failure[1] if failure else None, eps=eps, atol=atol,
                           rtol=rtol)


def _verdict(report: GradcheckReport, raise_exception: bool) -> bool:
    if report.ok:
        return True
    if raise_exception:
        raise GradcheckError(report.message)
    return False


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check ``fn``'s analytic gradients at ``inputs`` (float64 tensors) against central
    differences; raises :class:`GradcheckError` naming the input, element, analytic and
    numeric values (or returns False with ``raise_exception=False``). NaN on either side,
    or a numeric Jacobian that is all zero where the analytic is not, fails too."""
    report = check_gradients(fn, inputs, eps=eps, atol=atol, rtol=rtol, order=1)
    return _verdict(report, raise_exception)


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) ↦ vᵀ·∂fn/∂inputs, the first
    derivative computed with ``create_graph=True`` (``v`` random normal when
    ``grad_outputs`` is None)."""
    report = check_gradients(fn, inputs, eps=eps, atol=atol, rtol=rtol, order=2,
                             grad_outputs=grad_outputs)
    return _verdict(report, raise_exception)
