"""L-BFGS (limited-memory BFGS), torch's algorithm step for step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.tensor import _bump_version
from optim.line_search import strong_wolfe
from optim.optimizer import Optimizer, ParamsT


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal & Wright, Algorithm 7.5), torch's implementation exactly,
    with the optional strong-Wolfe line search; ``step(closure)`` runs up to
    ``max_iter`` iterations.

    Each iteration takes the direction ``d = −H·g``, where the inverse Hessian ``H``
    is approximated by the two-loop recursion over the last ``history_size`` pairs
    ``(s, y)`` (steps and gradient changes, kept when ``y·s > 1e-10``) scaled by
    ``y·s / y·y``; the first direction is ``−g`` with step
    ``min(1, 1/‖g‖₁)·lr``, later ones step ``lr`` (or what the line search finds).
    It stops at ``max_iter`` iterations, ``max_eval`` evaluations, a gradient below
    ``tolerance_grad`` (max-norm), or a change of the loss or parameters below
    ``tolerance_change``.

    Args:
        params: the parameters (one group only, as torch).
        lr: learning rate (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: evaluations of the closure per ``step`` (default
            ``max_iter · 5 // 4``).
        tolerance_grad, tolerance_change: the stopping tolerances (1e-7, 1e-9).
        history_size: the number of pairs kept (default 100).
        line_search_fn: ``None`` or ``'strong_wolfe'``.

    ``step(closure)`` needs the closure: it re-evaluates the model (zero the
    gradients, compute the loss, ``backward()``) and returns the loss. The state
    (``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss``, ``al``) is kept under the first
    parameter, as torch's.

    Raises:
        ValueError: a negative lr, or several parameter groups.
        RuntimeError: a ``line_search_fn`` other than ``'strong_wolfe'`` (at the step).
    """

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        Optimizer._require_nonnegative(group, "lr")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        if len(self.param_groups) > 1:  # torch's check, after the group is added
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # -- the parameters as one flat vector -----------------------------------------------
    def _gather_flat_grad(self) -> np.ndarray:
        # (zeros_like and concatenate follow the parameters' array type onto a device)
        return np.concatenate([
            np.zeros_like(p._data).reshape(-1) if p.grad is None
            else p.grad._data.reshape(-1) for p in self._params])

    def _add_grad(self, step_size: Any, update: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            w = p._data
            w += (update[offset:offset + n] * step_size).reshape(w.shape).astype(w.dtype,
                                                                              copy=False)
            _bump_version(p)
            offset += n

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, data in zip(self._params, params_data):
            p._data[...] = data
            _bump_version(p)

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[np.ndarray],
                              t: Any, d: np.ndarray) -> tuple[float, np.ndarray]:
        self._add_grad(t, d)
        with ag.enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; return the closure's first loss."""
        with ag.no_grad():
            return self._run(closure)

    def _run(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with ag.enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                d, H_diag = self._direction(state, flat_grad, prev_flat_grad, d, t, H_diag,
                                            old_dirs, old_stps, ro, history_size)
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss
            # the first step is scaled by 1/‖g‖₁ (an unknown curvature), later ones are lr
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]

                def obj_func(x: list[np.ndarray], t: Any, d: np.ndarray
                             ) -> tuple[float, np.ndarray]:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # (the last iteration's loss is not needed)
                    with ag.enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    @staticmethod
    def _direction(state: dict[str, Any], flat_grad: np.ndarray, prev_flat_grad: np.ndarray,
                   d: np.ndarray, t: Any, H_diag: Any, old_dirs: list, old_stps: list,
                   ro: list, history_size: int) -> tuple[np.ndarray, Any]:
        """The L-BFGS direction ``−H·g`` and the new scale ``H_diag``: the memory updated
        with the last pair, then the two-loop recursion (one buffer, as torch's)."""
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:  # the oldest pair goes
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            H_diag = ys / y.dot(y)  # the scale of the initial inverse Hessian
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q += old_dirs[i] * -al[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += old_stps[i] * (al[i] - be_i)
        return r, H_diag

    def _load_value(self, index: Any, name: str, value: Any, p: Tensor) -> Any:
        # LBFGS keeps flat vectors, lists of them and numbers under the first parameter:
        # each array (or 0-d tensor) is cast to the parameter's dtype, as torch's load
        if isinstance(value, list):
            return [self._load_value(index, name, v, p) for v in value]
        if isinstance(value, Tensor):
            value = value._data
        if isinstance(value, np.ndarray | np.generic):
            return np.array(value, dtype=p._data.dtype, copy=True)
        return value
